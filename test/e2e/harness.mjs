// The real worker bundle on programmatic Miniflare, configured like wrangler.toml, for end-to-end tests.
//
//   const worker = await startWorker();
//   const { uuid, apiKey } = await worker.createWorkspace("e2e");
//   const res = await worker.fetch(`/v1/workspaces/${uuid}/destinations`, { headers: { ... } });
//   await worker.dispose();
//
// The bundle is built once per process with `wrangler deploy --dry-run --outdir dist` (what `npm run
// build` does) and held in memory, so a later rebuild of dist/ cannot change a running worker.
// Everything (D1, queues, the Durable Object's SQLite) lives in memory; nothing is fetched from the net.
//
// Compatibility date and flags, D1, queues (producer, consumers, DLQ) and the SQLite-backed Durable
// Object are read from wrangler.toml, so the harness cannot drift from it. The flags are kept as they
// are, `global_fetch_strictly_public` included: that flag only changes how fetch() routes to the
// Worker's own zone on Cloudflare; it does not stop local workerd from reaching 127.0.0.1 (Miniflare's
// "internet" service allows public and private addresses). Bindings are test values:
// ALLOW_PRIVATE_DESTINATIONS is "true" so a destination may point at a receiver on this machine.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const distDir = join(root, "dist");

const STATEMENT_BREAKPOINT = "--> statement-breakpoint";

/**
 * The Miniflare options wrangler.toml implies (date, flags, D1, queues and Durable Objects), read by
 * wrangler's own config reader so the harness cannot drift from what `wrangler dev` runs.
 */
export function configFromWrangler(path = join(root, "wrangler.toml")) {
  const config = unstable_readConfig({ config: path });
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  return {
    migrationsDir: resolve(dirname(path), config.d1_databases[0]?.migrations_dir ?? "migrations"),
    compatibilityDate: workerOptions.compatibilityDate,
    compatibilityFlags: workerOptions.compatibilityFlags ?? [],
    d1Databases: workerOptions.d1Databases,
    queueProducers: workerOptions.queueProducers,
    queueConsumers: workerOptions.queueConsumers,
    durableObjects: workerOptions.durableObjects,
  };
}

let bundle; // Promise<{ path, contents }>, once per process

/** Builds dist/index.js once per process and returns its source. */
export function buildBundle() {
  bundle ??= (async () => {
    const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
    try {
      await promisify(execFile)(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", distDir], {
        cwd: root,
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: "false",
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          WRANGLER_HIDE_BANNER: "true",
          NO_COLOR: "1",
        },
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      bundle = undefined; // let a later call try again
      throw new Error(`wrangler deploy --dry-run failed:\n${error.stdout ?? ""}${error.stderr ?? error}`);
    }
    const path = join(distDir, "index.js");
    return { path, contents: await readFile(path, "utf8"), text: await textModules(distDir) };
  })();
  return bundle;
}

/**
 * The additional modules wrangler writes beside index.js (the dashboard's `?raw` Text imports), named
 * <sha1>-<file>; the bundle imports them by that name, so Miniflare must be given them too.
 */
export async function textModules(distDir) {
  const text = [];
  for (const name of await readdir(distDir))
    if (/^[0-9a-f]{40}-/.test(name))
      text.push({
        type: "Text",
        path: join(distDir, name),
        contents: await readFile(join(distDir, name), "utf8"),
      });
  return text;
}

/** The migrations' statements, file by file in name order, split on drizzle's breakpoints. */
export async function migrationStatements(dir) {
  const files = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  const statements = [];
  for (const file of files) {
    const sql = await readFile(join(dir, file), "utf8");
    for (const part of sql.split(STATEMENT_BREAKPOINT)) if (part.trim()) statements.push(part.trim());
  }
  return statements;
}

/**
 * Starts the worker on 127.0.0.1 (a free port) with fresh in-memory state and migrated D1.
 * `vars` adds or overrides bindings (a var set to undefined is left out, as production leaves
 * ALLOW_PRIVATE_DESTINATIONS out); `compatibilityFlags` replaces wrangler.toml's flags;
 * `handleRuntimeStdio(stdout, stderr)` receives workerd's output (the worker's console) instead of the terminal.
 */
export async function startWorker({
  vars = {},
  compatibilityFlags,
  logLevel = LogLevel.WARN,
  handleRuntimeStdio,
} = {}) {
  const { path, contents, text } = await buildBundle();
  const config = configFromWrangler();
  const statements = await migrationStatements(config.migrationsDir);
  const operatorToken = `op_e2e_${randomBytes(16).toString("hex")}`;
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path, contents }, ...text],
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: compatibilityFlags ?? config.compatibilityFlags,
    host: "127.0.0.1",
    port: 0,
    cf: false, // the built-in request.cf: nothing is downloaded from workers.cloudflare.com
    log: new Log(logLevel),
    ...(handleRuntimeStdio ? { handleRuntimeStdio } : {}),
    bindings: Object.fromEntries(
      Object.entries({
        OPERATOR_TOKEN: operatorToken,
        SECRET_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        ALLOW_PRIVATE_DESTINATIONS: "true",
        ...vars,
      }).filter(([, value]) => value !== undefined),
    ),
    d1Databases: config.d1Databases,
    queueProducers: config.queueProducers,
    queueConsumers: config.queueConsumers,
    durableObjects: config.durableObjects,
    // In memory, gone with dispose().
    d1Persist: false,
    durableObjectsPersist: false,
    cachePersist: false,
    kvPersist: false,
  });

  let url;
  try {
    url = await mf.ready;
    const db = await mf.getD1Database("DB");
    await db.batch(statements.map((sql) => db.prepare(sql)));
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    throw error;
  }

  const base = url.href.replace(/\/$/, "");
  const fetchWorker = (pathname, init) => fetch(new URL(pathname, url), init);
  let disposed = false;

  return {
    url: base,
    operatorToken,
    miniflare: mf,
    fetch: fetchWorker,

    /** Creates a workspace with the operator token; returns its uuid and first API key. */
    async createWorkspace(name = "e2e") {
      const res = await fetchWorker("/v1/workspaces", {
        method: "POST",
        headers: { Authorization: `Bearer ${operatorToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name }),
      });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`POST /v1/workspaces answered ${res.status}: ${text}`);
      const created = JSON.parse(text);
      return { uuid: created.uuid, apiKey: created.api_key };
    },

    /** Stops workerd. Safe to call twice. */
    async dispose() {
      if (disposed) return;
      disposed = true;
      await mf.dispose();
    },
  };
}
