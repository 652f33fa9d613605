// Helpers for bench/run.mjs: statistics, a concurrency pool, the local receiver, the machine's
// description, and Miniflare instances (the real bundle, and the bare baseline workers).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Log, LogLevel, Miniflare } from "miniflare";
import { buildBundle, configFromWrangler, migrationStatements, textModules } from "../test/e2e/harness.mjs";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const benchDir = join(root, "bench");

// ---------------------------------------------------------------------------------------------------
// Statistics

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (!sorted.length) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0],
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
  };
}

export const median = (values) => summary(values).median;

/** Runs `fn(i)` for i in [0, count) with at most `concurrency` in flight; resolves with the results. */
export async function pool(count, concurrency, fn) {
  const results = new Array(count);
  let next = 0;
  async function lane() {
    while (next < count) {
      const i = next++;
      results[i] = await fn(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ---------------------------------------------------------------------------------------------------
// The receiver: node:http on 127.0.0.1, keep-alive, answers 200 with an empty body as soon as the
// request body is read (with BENCH_RECEIVER_BODY, that text instead). Records the arrival time
// (performance.now(), the driver's clock: same process) of the first request carrying each
// X-Leadpush-Id; counts repeats.

const ANSWER = Buffer.from(process.env.BENCH_RECEIVER_BODY ?? "");

export async function startReceiver() {
  const arrivals = new Map(); // id -> performance.now() at the request's headers
  const watchers = new Map(); // id -> group waiting for it
  let total = 0;
  let duplicates = 0;
  let anonymous = 0;

  const server = createServer((req, res) => {
    const at = performance.now();
    total++;
    const id = req.headers["x-leadpush-id"];
    if (typeof id !== "string") anonymous++;
    else if (arrivals.has(id)) duplicates++;
    else {
      arrivals.set(id, at);
      const group = watchers.get(id);
      if (group) {
        watchers.delete(id);
        if (--group.remaining === 0) group.done();
      }
    }
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Length": String(ANSWER.length) });
      res.end(ANSWER);
    });
  });
  const sockets = new Set();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((done, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", done);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    counts: () => ({ total, duplicates, anonymous }),

    /** Resolves once every id has arrived; rejects after `timeoutMs` saying how many are missing. */
    expect(ids, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const group = { remaining: 0, done: () => undefined };
        for (const id of ids) {
          if (arrivals.has(id)) continue;
          group.remaining++;
          watchers.set(id, group);
        }
        if (group.remaining === 0) return resolve();
        const timer = setTimeout(() => {
          for (const id of ids) if (watchers.get(id) === group) watchers.delete(id);
          reject(
            new Error(
              `receiver: ${group.remaining} of ${ids.length} deliveries missing after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        group.done = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },

    async close() {
      const closed = new Promise((done) => server.close(() => done()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The machine

export function machine() {
  const cpuinfo = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  let nproc = String(os.availableParallelism());
  try {
    nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
  } catch {}
  let workerd = "unknown";
  try {
    workerd = execFileSync(join(root, "node_modules", ".bin", "workerd"), ["--version"], {
      encoding: "utf8",
    })
      .trim()
      .replace(/^workerd\s+/, "");
  } catch {}
  const pkg = (name) => {
    try {
      return JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
    } catch {
      return "unknown";
    }
  };
  return {
    nproc: Number(nproc),
    cpu: model,
    memory_gib: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    workerd,
    miniflare: pkg("miniflare"),
    wrangler: pkg("wrangler"),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Miniflare instances. Every instance is registered so run.mjs can dispose all of them, whatever happens.

const instances = new Set();

// ---------------------------------------------------------------------------------------------------
// CPU time of workerd processes, per thread, from /proc (Linux; empty elsewhere).

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {}

const statFields = (text) => text.slice(text.lastIndexOf(")") + 2).split(" ");

/** Pids of the workerd processes this process started. */
export function childWorkerdPids() {
  const pids = [];
  try {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        if (stat.includes("(workerd)") && Number(statFields(stat)[1]) === process.pid) pids.push(Number(pid));
      } catch {}
    }
  } catch {}
  return pids;
}

/** CPU milliseconds of each thread of `pid` (user + system). */
export function threadCpu(pid) {
  const out = new Map();
  if (!pid) return out;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const f = statFields(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8"));
        out.set(tid, ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks);
      } catch {}
    }
  } catch {}
  return out;
}

/** Starts measuring; the returned function gives { totalMs, busiestThreadMs } of `pid` since then. */
export function cpuMeter(pid) {
  const before = threadCpu(pid);
  return () => {
    let totalMs = 0;
    let busiestThreadMs = 0;
    for (const [tid, ms] of threadCpu(pid)) {
      const used = ms - (before.get(tid) ?? 0);
      totalMs += used;
      busiestThreadMs = Math.max(busiestThreadMs, used);
    }
    return { totalMs, busiestThreadMs };
  };
}

export async function disposeAll() {
  const all = [...instances];
  instances.clear();
  await Promise.allSettled(all.map((mf) => mf.dispose()));
}

async function started(options) {
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    cf: false,
    log: new Log(LogLevel.WARN),
    d1Persist: false,
    durableObjectsPersist: false,
    cachePersist: false,
    kvPersist: false,
    ...options,
  });
  instances.add(mf);
  const known = new Set(childWorkerdPids());
  const url = await mf.ready;
  const pid = childWorkerdPids().find((p) => !known.has(p)) ?? null;
  return { mf, pid, url: url.href.replace(/\/$/, "") };
}

/**
 * The bundle (wrangler deploy --dry-run --outdir dist, via the e2e harness) and wrangler.toml's settings.
 * With `workerRoot` (BENCH_WORKER_ROOT), another checkout of this project is built and run instead: its
 * own wrangler.toml, migrations and src/, with this checkout's node_modules (used to measure an older
 * version with the same instrumentation).
 */
export async function loadWorker(workerRoot = process.env.BENCH_WORKER_ROOT) {
  if (!workerRoot) {
    const bundle = await buildBundle();
    const config = configFromWrangler();
    const statements = await migrationStatements(config.migrationsDir);
    return { bundle, config, statements, root };
  }
  const other = resolve(workerRoot);
  const outdir = join(other, "dist");
  try {
    execFileSync(
      process.execPath,
      [
        join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
        "deploy",
        "--dry-run",
        "--outdir",
        outdir,
      ],
      {
        cwd: other,
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: "false",
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          NO_COLOR: "1",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
  } catch (error) {
    throw new Error(
      `wrangler deploy --dry-run in ${other} failed:\n${error.stdout ?? ""}${error.stderr ?? error}`,
    );
  }
  const path = join(outdir, "index.js");
  const config = configFromWrangler(join(other, "wrangler.toml"));
  const statements = await migrationStatements(config.migrationsDir);
  const bundle = { path, contents: readFileSync(path, "utf8"), text: await textModules(outdir) };
  return { bundle, config, statements, root: other };
}

/**
 * The real worker on programmatic Miniflare with migrated in-memory D1, the queues and the Durable
 * Object of wrangler.toml. `instrumented` puts bench/instrumented.js in front of the bundle; `alone`
 * puts bench/alone.js (with the contract floor beside it, and `alone.against`'s bundle when given) there
 * instead, and leaves the queue without a consumer.
 */
export async function startPipeline(
  worker,
  { compatibilityFlags, instrumented = false, alone = null, inspector = false, vars = {} } = {},
) {
  const { bundle, config, statements } = worker;
  const operatorToken = `op_bench_${randomBytes(16).toString("hex")}`;
  const modules = [{ type: "ESModule", path: bundle.path, contents: bundle.contents }, ...bundle.text];
  const beside = (name, file) => ({
    type: "ESModule",
    path: join(dirname(bundle.path), name),
    contents: readFileSync(join(benchDir, file), "utf8"),
  });
  if (instrumented) modules.unshift(beside("__bench_instrumented.js", "instrumented.js"));
  if (alone) {
    // The other checkout's bundle (BENCH_AGAINST), or nothing, as the module bench/alone.js imports.
    const against = {
      type: "ESModule",
      path: join(dirname(bundle.path), "__bench_against.js"),
      contents: alone.against?.contents ?? "export default null;\n",
    };
    // Its Text modules sit beside it under the names it imports; the ones this bundle has already are
    // the same file (the name is the content's hash).
    const have = new Set(modules.map((m) => basename(m.path)));
    const againstText = (alone.against?.text ?? [])
      .filter((m) => !have.has(basename(m.path)))
      .map((m) => ({ ...m, path: join(dirname(bundle.path), basename(m.path)) }));
    modules.unshift(
      beside("__bench_alone.js", "alone.js"),
      beside("__bench_floor.js", "baseline-floor.js"),
      against,
      ...againstText,
    );
  }
  const workerName = "leadpush";
  const { mf, pid, url } = await started({
    name: workerName,
    ...(inspector ? { inspectorPort: 0 } : {}),
    modules,
    modulesRoot: dirname(bundle.path),
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: compatibilityFlags ?? config.compatibilityFlags,
    bindings: {
      OPERATOR_TOKEN: operatorToken,
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ALLOW_PRIVATE_DESTINATIONS: "true",
      ...(alone
        ? {
            RECEIVER_URL: `${alone.receiverUrl}/floor`,
            FLOOR_SCHEMA: JSON.stringify(historySchemaStatements()),
          }
        : {}),
      ...vars,
    },
    d1Databases: config.d1Databases,
    queueProducers: config.queueProducers,
    queueConsumers: alone ? {} : config.queueConsumers,
    durableObjects: alone
      ? { ...config.durableObjects, FLOOR_HISTORY: { className: "FloorHistory", useSQLite: true } }
      : config.durableObjects,
  });
  const db = await mf.getD1Database("DB");
  await db.batch(statements.map((sql) => db.prepare(sql)));
  return { mf, pid, url, db, operatorToken, workerName, client: apiClient(url) };
}

/** The bare baseline workers, each on its own Miniflare (its own workerd), like the pipeline. */
export async function startBaselineFetch(config, receiverUrl) {
  return started({
    modules: true,
    script: readFileSync(join(benchDir, "baseline-fetch.js"), "utf8"),
    scriptPath: join(benchDir, "baseline-fetch.js"),
    compatibilityDate: config.compatibilityDate,
    bindings: { RECEIVER_URL: `${receiverUrl}/baseline-fetch` },
  });
}

/** Baseline 2 (`d1Shape` false) or 2b (true: the pipeline's D1 round trips, trivial SQL). */
export async function startBaselineQueue(config, receiverUrl, consumer, { d1Shape = false } = {}) {
  const instance = await started({
    modules: true,
    script: readFileSync(join(benchDir, "baseline-queue.js"), "utf8"),
    scriptPath: join(benchDir, "baseline-queue.js"),
    compatibilityDate: config.compatibilityDate,
    bindings: { RECEIVER_URL: `${receiverUrl}/baseline-queue`, D1_SHAPE: String(d1Shape) },
    ...(d1Shape ? { d1Databases: { DB: "bench-baseline" } } : {}),
    queueProducers: { QUEUE: { queueName: "bench-baseline" } },
    queueConsumers: {
      "bench-baseline": {
        maxBatchSize: consumer.maxBatchSize,
        maxBatchTimeout: consumer.maxBatchTimeout,
        maxRetries: consumer.maxRetries,
      },
    },
  });
  if (d1Shape) {
    const db = await instance.mf.getD1Database("DB");
    await db.batch([
      db.prepare("CREATE TABLE ev (id TEXT PRIMARY KEY)"),
      db.prepare("CREATE TABLE dl (id TEXT PRIMARY KEY, s INTEGER NOT NULL)"),
      db.prepare("CREATE TABLE at (id TEXT PRIMARY KEY)"),
    ]);
  }
  return instance;
}

/** The history tables' SQL (src/db/history-migrations, drizzle-kit's output), one statement each. */
export function historySchemaStatements() {
  const dir = join(root, "src", "db", "history-migrations");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("--> statement-breakpoint"))
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * The contract floor (bench/baseline-floor.js): one SQLite-backed Durable Object for its workspace, with
 * the project's own history tables (src/db/history-migrations), so tables and keys cost what they cost
 * the worker's partitions. Queue settings are the worker's consumer's (wrangler.toml). `fanout`
 * destination ids are made up: the floor reads no control plane.
 */
export async function startFloor(worker, receiverUrl, consumer, fanout, compatibilityFlags) {
  const { config } = worker;
  const workspace = crypto.randomUUID();
  const destinations = Array.from({ length: fanout }, (_, i) => `dst_${String(i + 1).padStart(32, "0")}`);
  const instance = await started({
    modules: true,
    script: readFileSync(join(benchDir, "baseline-floor.js"), "utf8"),
    scriptPath: join(benchDir, "baseline-floor.js"),
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: compatibilityFlags ?? config.compatibilityFlags,
    bindings: {
      RECEIVER_URL: `${receiverUrl}/floor`,
      WORKSPACE: workspace,
      DESTINATIONS: JSON.stringify(destinations),
      SCHEMA: JSON.stringify(historySchemaStatements()),
    },
    durableObjects: { FLOOR_HISTORY: { className: "FloorHistory", useSQLite: true } },
    queueProducers: { QUEUE: { queueName: "bench-floor" } },
    queueConsumers: {
      "bench-floor": {
        maxBatchSize: consumer.maxBatchSize,
        maxBatchTimeout: consumer.maxBatchTimeout,
        maxRetries: consumer.maxRetries,
      },
    },
  });
  return { ...instance, label: "floor" };
}

/**
 * A bare worker whose D1 has the old layout's schema: the project's migrations before 0012 (which moved
 * events, deliveries and attempts out of D1), for the production model's old-layout service times.
 */
export async function startOldLayoutD1(config) {
  const instance = await started({
    modules: true,
    // POST /time-d1: the same timed D1 round trips as bench/instrumented.js's route of that name.
    script: `export default { async fetch(request, env) {
      const { statements, bindsList, concurrency = 1 } = await request.json();
      let next = 0;
      const start = Date.now();
      const lane = async () => {
        while (next < bindsList.length) {
          const binds = bindsList[next++];
          const prepared = statements.map((sql, i) => env.DB.prepare(sql).bind(...(binds[i] ?? [])));
          if (prepared.length === 1) await prepared[0].all(); else await env.DB.batch(prepared);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
      return Response.json({ ms: Date.now() - start, n: bindsList.length });
    } };`,
    compatibilityDate: config.compatibilityDate,
    d1Databases: { DB: "bench-old-layout" },
  });
  const files = readdirSync(config.migrationsDir)
    .filter((f) => f.endsWith(".sql") && f < "0012")
    .sort();
  const statements = files
    .flatMap((f) => readFileSync(join(config.migrationsDir, f), "utf8").split("--> statement-breakpoint"))
    .map((x) => x.trim())
    .filter(Boolean);
  const db = await instance.mf.getD1Database("DB");
  await db.batch(statements.map((sql) => db.prepare(sql)));
  return { ...instance, db, migrations: files };
}

/** The floor's counts by status and attempts of these deliveries once none is pending (its POST /settled). */
export async function floorSettled(f, ids, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${f.url}/settled`, { method: "POST", body: JSON.stringify({ ids }) });
    if (!response.ok) throw new Error(`floor /settled answered ${response.status}`);
    const counts = await response.json();
    if (!counts.byStatus.pending || performance.now() > deadline) return counts;
    await sleep(20);
  }
}

/** bench/render-sign.js and the src/ modules it imports, bundled with esbuild, on its own Miniflare. */
export async function startRenderSign(config, receiverUrl) {
  const esbuild = await import("esbuild");
  const built = await esbuild.build({
    entryPoints: [join(benchDir, "render-sign.js")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  return started({
    modules: [
      {
        type: "ESModule",
        path: join(benchDir, "render-sign.bundle.js"),
        contents: built.outputFiles[0].text,
      },
    ],
    compatibilityDate: config.compatibilityDate,
    compatibilityFlags: config.compatibilityFlags,
    bindings: { RECEIVER_URL: `${receiverUrl}/send-loop` },
  });
}

// ---------------------------------------------------------------------------------------------------
// A tiny JSON client for the worker's API

export function apiClient(base) {
  return async function call(method, path, { token, body, expect } = {}) {
    const response = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (expect !== undefined && response.status !== expect)
      throw new Error(
        `${method} ${path} answered ${response.status} (expected ${expect}): ${text.slice(0, 500)}`,
      );
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };
}
