import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations("./migrations");

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./src/index.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // An empty database of its own for the migration test.
        d1Databases: ["MIGRATION_TEST_DB"],
        bindings: {
          TEST_MIGRATIONS: migrations,
          OPERATOR_TOKEN: "test-operator-token",
          // base64 of 32 bytes; test-only.
          SECRET_ENCRYPTION_KEY: "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU=",
          ALLOW_PRIVATE_DESTINATIONS: "false",
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    setupFiles: ["./test/support/setup.ts"],
  },
});
