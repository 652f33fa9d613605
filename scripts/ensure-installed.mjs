#!/usr/bin/env node
// `npm test` on a fresh clone: install the locked dependencies first when node_modules is missing
// (npm runs this as the `pretest` script). A no-op once they are installed.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(join(root, "node_modules", "vitest"))) {
  console.log("[test] node_modules is missing: running npm ci");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const { status } = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  process.exit(status ?? 1);
}
