import { defineConfig } from "drizzle-kit";

// The workspace object's tables (src/lifecycle/workspace-object.ts), migrated like the history objects'.
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./src/db/workspace-schema.ts",
  out: "./src/db/workspace-migrations",
});
