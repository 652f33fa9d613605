// The real worker bundle on programmatic Miniflare, configured like wrangler.jsonc, for end-to-end tests.
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
// Object are read from wrangler.jsonc, so the harness cannot drift from it. The flags are kept as they
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

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const distDir = join(root, "dist");

const STATEMENT_BREAKPOINT = "--> statement-breakpoint";

/** Applies `rewrite` to each character outside JSON strings; string literals are copied unchanged. */
function outsideStrings(text, rewrite) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      out += text.slice(start, i + 1);
    } else {
      const [emitted, next] = rewrite(text, i);
      out += emitted;
      i = next;
    }
  }
  return out;
}

/** JSONC → value: drops `//` and block comments, then trailing commas; string contents are untouched. */
export function parseJsonc(text) {
  const withoutComments = outsideStrings(text, (t, i) => {
    if (t.startsWith("//", i)) {
      const end = t.indexOf("\n", i);
      return ["\n", end < 0 ? t.length : end];
    }
    if (t.startsWith("/*", i)) {
      const end = t.indexOf("*/", i + 2);
      return [" ", end < 0 ? t.length : end + 1];
    }
    return [t[i], i];
  });
  const withoutTrailingCommas = outsideStrings(withoutComments, (t, i) =>
    t[i] === "," && /^\s*[}\]]/.test(t.slice(i + 1)) ? ["", i] : [t[i], i],
  );
  return JSON.parse(withoutTrailingCommas);
}

/** The Miniflare options wrangler.jsonc implies: date, flags, D1, queues and Durable Objects. */
export async function configFromWrangler(path = join(root, "wrangler.jsonc")) {
  const config = parseJsonc(await readFile(path, "utf8"));
  const sqliteClasses = new Set((config.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  const queues = config.queues ?? {};
  const d1 = config.d1_databases ?? [];
  return {
    migrationsDir: join(root, d1[0]?.migrations_dir ?? "migrations"),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    d1Databases: Object.fromEntries(d1.map((d) => [d.binding, d.database_id ?? d.database_name])),
    queueProducers: Object.fromEntries(
      (queues.producers ?? []).map((p) => [p.binding, { queueName: p.queue }]),
    ),
    queueConsumers: Object.fromEntries(
      (queues.consumers ?? []).map((c) => [
        c.queue,
        {
          maxBatchSize: c.max_batch_size,
          maxBatchTimeout: c.max_batch_timeout,
          maxRetries: c.max_retries,
          deadLetterQueue: c.dead_letter_queue,
          retryDelay: c.retry_delay,
        },
      ]),
    ),
    durableObjects: Object.fromEntries(
      (config.durable_objects?.bindings ?? []).map((b) => [
        b.name,
        { className: b.class_name, useSQLite: sqliteClasses.has(b.class_name) },
      ]),
    ),
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
    return { path, contents: await readFile(path, "utf8") };
  })();
  return bundle;
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
 * `vars` adds or overrides bindings; `compatibilityFlags` replaces wrangler.jsonc's flags;
 * `handleRuntimeStdio(stdout, stderr)` receives workerd's output (the worker's console) instead of the terminal.
 */
export async function startWorker({
  vars = {},
  compatibilityFlags,
  logLevel = LogLevel.WARN,
  handleRuntimeStdio,
} = {}) {
  const [{ path, contents }, config] = await Promise.all([buildBundle(), configFromWrangler()]);
  const statements = await migrationStatements(config.migrationsDir);
  const operatorToken = `op_e2e_${randomBytes(16).toString("hex")}`;
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path, contents }],
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: compatibilityFlags ?? config.compatibilityFlags,
    host: "127.0.0.1",
    port: 0,
    cf: false, // the built-in request.cf: nothing is downloaded from workers.cloudflare.com
    log: new Log(logLevel),
    ...(handleRuntimeStdio ? { handleRuntimeStdio } : {}),
    bindings: {
      OPERATOR_TOKEN: operatorToken,
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ALLOW_PRIVATE_DESTINATIONS: "true",
      ...vars,
    },
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
