#!/usr/bin/env node
// `npm run dev`: the worker on this machine, offline, with a known dev workspace and API key.
//
//   1. `npm ci` when node_modules has no wrangler (a fresh clone);
//   2. copies .dev.vars.example to .dev.vars when .dev.vars is missing (never overwrites it);
//   3. applies the D1 migrations to the local database;
//   4. makes sure the dev workspace and its API key exist (idempotent);
//   5. starts `wrangler dev`, waits for GET /healthz, checks the dev key works, prints how to use it;
//   6. keeps running, forwarding wrangler's output; SIGINT/SIGTERM stop wrangler's whole process group.
//
// Options (flag, else environment variable, else default):
//   --port <n>          PORT                  8787
//   --persist-to <dir>  LEADPUSH_PERSIST_DIR  wrangler's default (.wrangler/state)
//   --allow-private     ALLOW_PRIVATE_DESTINATIONS=…  .dev.vars (off in .dev.vars.example): private and
//                       local URLs are refused, as in production; on, a receiver on this machine
//                       (http://127.0.0.1:…) can be used. The flag or an exported variable overrides
//                       .dev.vars for one run, and says so.
// Once ready it prints one line `LEADPUSH_DEV_READY {json}` (url, workspace, api_key) for scripts and tests.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { constants, copyFileSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { allowPrivateSetting } from "./dev-settings.mjs";

// Development-only identity. These are constants here, not .dev.vars entries, so the worker never
// receives them as bindings. Nothing but a local database ever holds them.
const DEV_WORKSPACE_UUID = "11111111-2222-4333-8444-555555555555";
const DEV_WORKSPACE_NAME = "Dev workspace";
// The inbox the usage points at (src/inbox/address.ts DEFAULT_INBOX).
const DEV_INBOX = "demo";
const DEV_API_KEY = "lpk_dev_local_only_0000000000000000000000000000";
const DEV_API_KEY_ID = "key_000000000000000000000000000de001";

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// Offline and quiet: no telemetry, no request.cf fetch, no banner.
const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

function fail(message) {
  console.error(`\n[dev] ERROR: ${message}`);
  process.exit(1);
}

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      "persist-to": { type: "string" },
      "allow-private": { type: "boolean" },
    },
    strict: true,
  });
  const portText = values.port ?? process.env.PORT ?? "8787";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`not a TCP port: ${portText}`);
  const persist = values["persist-to"] ?? process.env.LEADPUSH_PERSIST_DIR;
  return {
    port,
    persistTo: persist ? resolve(persist) : undefined,
    allowPrivateFlag: values["allow-private"] === true,
  };
}

// The child running right now, so a signal can stop it whatever step we are in.
let current = null;
let stopping = false;

/** Runs a command to completion. Quiet commands keep their output and show it only if they fail. */
function run(command, args, { quiet = false, env = process.env } = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
    });
    current = { child, group: false };
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", (error) => done({ code: 1, output: `${output}\n${error.message}` }));
    child.on("close", (code, signal) => {
      current = null;
      done({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

// The project's own wrangler, run by this Node: no npx lookup, so nothing is ever fetched.
const wranglerBin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const wrangler = (args, opts) => run(process.execPath, [wranglerBin, ...args], { env: wranglerEnv, ...opts });

async function step(label, promise) {
  const started = Date.now();
  const { code, output } = await promise;
  if (stopping) process.exit(130);
  if (code !== 0) fail(`${label} failed (exit ${code}).\n${output.trim()}`);
  console.log(`[dev] ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function portIsFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once("error", () => done(false));
    probe.listen(port, HOST, () => probe.close(() => done(true)));
  });
}

async function ensurePortIsFree(port) {
  if (await portIsFree(port)) return;
  fail(`${HOST}:${port} is already in use (another \`npm run dev\`?). Choose another: PORT=8788 npm run dev`);
}

const sqlString = (text) => `'${text.replaceAll("'", "''")}'`;

function seedSql() {
  const now = Date.now();
  const keyHash = createHash("sha256").update(DEV_API_KEY, "utf8").digest("hex");
  return [
    `INSERT OR IGNORE INTO workspaces (uuid, name, created_at) VALUES (${sqlString(DEV_WORKSPACE_UUID)}, ${sqlString(DEV_WORKSPACE_NAME)}, ${now})`,
    // Upsert, not "OR IGNORE": a dev key revoked while testing works again on the next start.
    `INSERT INTO api_keys (id, workspace_uuid, key_hash, created_at, revoked_at) VALUES (${sqlString(DEV_API_KEY_ID)}, ${sqlString(DEV_WORKSPACE_UUID)}, ${sqlString(keyHash)}, ${now}, NULL) ON CONFLICT (id) DO UPDATE SET workspace_uuid = excluded.workspace_uuid, key_hash = excluded.key_hash, revoked_at = NULL`,
  ].join("; ");
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function stop(signal) {
  if (stopping) return;
  stopping = true;
  if (!current) process.exit(130);
  const { child, group } = current;
  if (group) {
    console.log(`\n[dev] ${signal}: stopping wrangler dev`);
    killGroup(child, signal);
    setTimeout(() => killGroup(child, "SIGKILL"), STOP_GRACE_MS).unref();
  } else {
    child.kill(signal);
  }
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(signal));
// Last resort (an exception, process.exit): never leave a workerd behind.
process.on("exit", () => {
  if (current?.group) killGroup(current.child, "SIGKILL");
  else current?.child.kill("SIGKILL");
});

async function waitUntilReady(url, log) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const outputSoFar = () => `wrangler's output:\n${log.text.trim() || "(none)"}`;
  let healthy = false;
  while (!healthy && Date.now() < deadline) {
    if (stopping || !current) return;
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      healthy = response.status === 200;
    } catch {
      // Not listening yet.
    }
    if (!healthy) await new Promise((wake) => setTimeout(wake, 100));
  }
  if (!healthy) {
    fail(`GET ${url}/healthz did not answer 200 within ${READY_TIMEOUT_MS / 1000} s.\n${outputSoFar()}`);
  }
  const check = await fetch(`${url}/v1/workspaces/${DEV_WORKSPACE_UUID}/destinations?limit=1`, {
    headers: { authorization: `Bearer ${DEV_API_KEY}` },
  });
  if (check.status !== 200) {
    fail(`the dev API key was refused (HTTP ${check.status}: ${await check.text()}).\n${outputSoFar()}`);
  }
}

/** The local inbox (docs/inbox.md) is there exactly when private destinations are allowed. */
const inboxUrlOf = (url) => `${url}/dev/inbox/${DEV_INBOX}`;

function printUsage(url, allowPrivate) {
  const base = `${url}/v1/workspaces/${DEV_WORKSPACE_UUID}`;
  const inbox = inboxUrlOf(url);
  const body = JSON.stringify({
    name: allowPrivate ? "Local inbox" : "Example receiver",
    method: "POST",
    url_template: allowPrivate ? inbox : "https://example.com/webhooks/{{ event.type }}",
    event_types: ["contact.created"],
  });
  const inboxLine = allowPrivate
    ? `${inbox}  (a receiver: point a destination at it; watch it at ${url}/w/${DEV_WORKSPACE_UUID}/inbox)`
    : `off in this run (private and local URLs are refused, as in production);\n                 \`npm run dev -- --allow-private\` serves it at ${inbox}`;
  const tryIt = allowPrivate
    ? `
Then send it a test delivery (use the "id" the create answered) and see it arrive, verified:

  curl -sS -X POST '${base}/destinations/<id>/test' -H 'Authorization: Bearer ${DEV_API_KEY}'
  curl -sS '${inbox}/requests'
`
    : "";
  console.log(`
Leadpush Webhooks is running locally (Ctrl-C stops it).

  URL            ${url}
  Dashboard      ${url}/  (sign in with the API key below)
  Workspace      ${DEV_WORKSPACE_UUID}  (${DEV_WORKSPACE_NAME})
  API key        ${DEV_API_KEY}
  Inbox          ${inboxLine}
  Operator token OPERATOR_TOKEN in .dev.vars
  API reference  ${url}/docs  (generated from ${url}/openapi.json)

Create a destination (the response shows its signing secret once):

  curl -sS -X POST '${base}/destinations' \\
    -H 'Authorization: Bearer ${DEV_API_KEY}' \\
    -H 'Content-Type: application/json' \\
    -d '${body}'
${tryIt}
List destinations:

  curl -sS '${base}/destinations' -H 'Authorization: Bearer ${DEV_API_KEY}'
`);
}

async function main() {
  const { port, persistTo, allowPrivateFlag } = options();
  const persistArgs = persistTo ? ["--persist-to", persistTo] : [];
  const started = Date.now();
  await ensurePortIsFree(port); // fail fast; checked again just before wrangler starts

  if (!existsSync(wranglerBin)) {
    console.log("[dev] node_modules is missing: running npm ci");
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    await step("npm ci", run(npm, ["ci", "--no-audit", "--no-fund"]));
  }

  try {
    copyFileSync(join(root, ".dev.vars.example"), join(root, ".dev.vars"), constants.COPYFILE_EXCL);
    console.log("[dev] created .dev.vars from .dev.vars.example");
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
  }

  const setting = allowPrivateSetting({
    flag: allowPrivateFlag,
    exported: process.env.ALLOW_PRIVATE_DESTINATIONS,
    devVarsText: readFileSync(join(root, ".dev.vars"), "utf8"),
  });

  // Not a TTY on stdin, so wrangler takes "yes" for its confirmation prompt by itself.
  await step(
    "applied D1 migrations",
    wrangler(["d1", "migrations", "apply", "DB", "--local", ...persistArgs], { quiet: true }),
  );
  await step(
    "dev workspace and API key present",
    wrangler(["d1", "execute", "DB", "--local", ...persistArgs, "--command", seedSql()], { quiet: true }),
  );

  await ensurePortIsFree(port);

  const url = `http://${HOST}:${port}`;
  console.log(`[dev] starting wrangler dev on ${url}`);
  const child = spawn(
    process.execPath,
    [
      wranglerBin,
      "dev",
      "--ip",
      HOST,
      "--port",
      String(port),
      "--show-interactive-dev-session=false",
      ...persistArgs,
      // Only an explicit override for this run; otherwise wrangler reads .dev.vars itself.
      ...(setting.override === null ? [] : ["--var", `ALLOW_PRIVATE_DESTINATIONS:${setting.override}`]),
    ],
    { cwd: root, env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  current = { child, group: true };
  child.on("error", (error) => fail(`could not start wrangler: ${error.message}`));

  // Until ready, keep wrangler's output (it is shown on failure, or just before the usage block).
  const log = { text: "", live: false };
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    from.on("data", (chunk) => {
      if (log.live) to.write(chunk);
      else log.text += chunk;
    });
  }
  // "close", not "exit": by then all of its output has been read.
  child.on("close", (code, signal) => {
    current = null;
    if (stopping) process.exit(0);
    const how = signal ?? `exit ${code}`;
    if (!log.live)
      fail(`wrangler dev stopped (${how}) before it was ready.\nwrangler's output:\n${log.text.trim()}`);
    console.error(`[dev] wrangler dev stopped (${how})`);
    process.exit(code || 1);
  });

  await waitUntilReady(url, log);
  if (stopping || !current) return;
  process.stdout.write(log.text);
  log.live = true;
  printUsage(url, setting.allowPrivate);
  console.log(`[dev] ${setting.message}`);
  console.log(`[dev] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const ready = {
    url,
    workspace: DEV_WORKSPACE_UUID,
    api_key: DEV_API_KEY,
    allow_private: setting.allowPrivate,
    inbox_url: setting.allowPrivate ? inboxUrlOf(url) : null,
    wrangler_pid: child.pid,
  };
  console.log(`LEADPUSH_DEV_READY ${JSON.stringify(ready)}`);
}

main().catch((error) => fail(error?.stack ?? String(error)));
