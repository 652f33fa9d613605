import { defineConfig } from "drizzle-kit";

// The history objects' tables (src/history): their migrations are bundled into the worker and run by each
// object when it wakes (src/db/object-migrations.ts).
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./src/db/history-schema.ts",
  out: "./src/db/history-migrations",
});
