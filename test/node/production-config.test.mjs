// The production config (wrangler.toml, read by wrangler's own reader) never turns on a local-only
// setting: private destinations, or retries brought forward for soak tests.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("wrangler.toml sets no local-only variable, and keeps global_fetch_strictly_public", () => {
  const config = unstable_readConfig({ config: join(root, "wrangler.toml") });
  for (const name of ["ALLOW_PRIVATE_DESTINATIONS", "DEV_RETRY_SPEEDUP"]) {
    assert.equal(config.vars?.[name], undefined, `${name} must not be in wrangler.toml`);
  }
  assert.ok(config.compatibility_flags.includes("global_fetch_strictly_public"));
});
