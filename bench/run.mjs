// `npm run bench`: throughput, latency and scaling figures for the delivery pipeline, next to the
// baselines that bound them, all in one run on this machine. Prints a table (and the same as JSON).
// See BENCHMARKS.md for what each figure means and how the harness is built.
//
// Environment: BENCH_RUNS (default 5) runs of each throughput figure; BENCH_JSON=0 skips the JSON dump.
import { contact, destinationBody } from "./fixtures.mjs";
import {
  cpuMeter,
  disposeAll,
  loadWorker,
  machine,
  median,
  pool,
  sleep,
  startBaselineFetch,
  startBaselineQueue,
  startPipeline,
  startReceiver,
  startRenderSign,
  summary,
} from "./lib.mjs";

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const EVENTS = 200; // per throughput run
const FANOUT = 10; // subscribed destinations: EVENTS × FANOUT = 2,000 deliveries per run
const DELIVERIES = EVENTS * FANOUT;
const CONCURRENCY = 100;
const SINGLE = 20; // unloaded single-event latency samples
const RENDER_N = 20_000;
const INGEST_SAMPLES = 60;
const PAGE_SAMPLES = 50;
const HISTORY_ROWS = 100_000;
const UNSUBSCRIBED = 9_990;

const began = performance.now();
const sectionTimes = {};
/** Runs a section and records its wall time (seconds) for the summary. */
async function section(name, fn) {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    sectionTimes[name] = round((performance.now() - start) / 1000);
  }
}
const log = (...args) => console.error(...args); // progress on stderr, figures on stdout
const ms = (t) => Number(t.toFixed(2));
const round = (x, digits = 1) => Number(x.toFixed(digits));

let receiver;
let cleaning = false;
async function cleanup() {
  if (cleaning) return;
  cleaning = true;
  await disposeAll();
  await receiver?.close();
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    log(`\n${signal}: stopping workerd and the receiver...`);
    cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------
// Setup helpers against the real API

async function createWorkspace(p, name) {
  const { json } = await p.client("POST", "/v1/workspaces", {
    token: p.operatorToken,
    body: { name },
    expect: 201,
  });
  return { uuid: json.uuid, key: json.api_key };
}

async function createDestinations(p, ws, count, eventTypes = ["contact.updated"]) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const { json } = await p.client("POST", `/v1/workspaces/${ws.uuid}/destinations`, {
      token: ws.key,
      body: destinationBody(`${receiver.url}/pipeline`, `bench ${i}`, eventTypes),
      expect: 201,
    });
    ids.push(json.id);
  }
  return ids;
}

let contactSeq = 0;
async function ingest(p, ws, type = "contact.updated") {
  const { json } = await p.client("POST", `/v1/workspaces/${ws.uuid}/events`, {
    token: ws.key,
    body: { type, contact: contact(++contactSeq) },
    expect: 202,
  });
  return json;
}

/** Waits until none of the deliveries of these events is pending in D1; returns counts by status. */
async function settled(p, eventIds, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  const ids = JSON.stringify(eventIds);
  for (;;) {
    const { results } = await p.db
      .prepare(
        `SELECT status, count(*) AS n FROM deliveries
         WHERE event_id IN (SELECT value FROM json_each(?1)) GROUP BY status`,
      )
      .bind(ids)
      .all();
    const byStatus = Object.fromEntries(results.map((r) => [r.status, r.n]));
    if (!byStatus.pending || performance.now() > deadline) {
      const attempts = await p.db
        .prepare(
          `SELECT count(*) AS n FROM attempts WHERE delivery_id IN
             (SELECT id FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?1)))`,
        )
        .bind(ids)
        .first("n");
      return { byStatus, attempts };
    }
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------------
// Measurements

/** 1. EVENTS events at CONCURRENCY, each fanned out to FANOUT destinations, until every arrival. */
async function pipelineRun(p, ws) {
  const starts = new Array(EVENTS);
  const eventIds = new Array(EVENTS);
  const eventOf = new Map();
  const cpu = cpuMeter(p.pid);
  const t0 = performance.now();
  await pool(EVENTS, CONCURRENCY, async (i) => {
    starts[i] = performance.now();
    const accepted = await ingest(p, ws);
    eventIds[i] = accepted.event_id;
    for (const d of accepted.deliveries) eventOf.set(d.id, i);
  });
  const ingested = performance.now();
  const ids = [...eventOf.keys()];
  if (ids.length !== DELIVERIES)
    throw new Error(`ingest created ${ids.length} deliveries, not ${DELIVERIES}`);
  await receiver.expect(ids, 120_000);
  const arrivals = ids.map((id) => receiver.arrivals.get(id));
  const last = Math.max(...arrivals);
  const used = cpu();
  const latencies = ids.map((id) => receiver.arrivals.get(id) - starts[eventOf.get(id)]);
  const check = await settled(p, eventIds);
  const recordedAfter = performance.now() - last;
  return {
    ...phases(t0, ingested, arrivals, used),
    ingestRate: (EVENTS / (ingested - t0)) * 1000,
    p50: summary(latencies).median,
    p99: summary(latencies).p99,
    check,
    recordedAfterMs: recordedAfter,
  };
}

/** Throughput, and how it splits into the ingest phase and the drain after it. */
function phases(t0, ingested, arrivals, used) {
  const last = Math.max(...arrivals);
  const during = arrivals.filter((a) => a <= ingested).length;
  return {
    rate: (arrivals.length / (last - t0)) * 1000,
    wallMs: last - t0,
    ingestMs: ingested - t0,
    drainMs: last - ingested,
    arrivedDuringIngest: during,
    drainRate: ((arrivals.length - during) / (last - ingested)) * 1000,
    workerdCpuMs: used.totalMs,
    busiestThreadPct: (used.busiestThreadMs / (last - t0)) * 100,
  };
}

/** 4. The same shape through the bare queue worker: EVENTS requests of sendBatch(FANOUT). */
async function baselineQueueRun(b2, run) {
  const starts = new Array(EVENTS);
  const ids = [];
  const requestOf = new Map();
  const prefix = `${b2.label}-${run}`;
  for (let i = 0; i < EVENTS; i++)
    for (let j = 0; j < FANOUT; j++) {
      const id = `${prefix}-${i}-${j}`;
      ids.push(id);
      requestOf.set(id, i);
    }
  const cpu = cpuMeter(b2.pid);
  const t0 = performance.now();
  await pool(EVENTS, CONCURRENCY, async (i) => {
    starts[i] = performance.now();
    const response = await fetch(`${b2.url}/produce?n=${FANOUT}&prefix=${prefix}-${i}`, { method: "POST" });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`baseline producer answered ${response.status}`);
  });
  const produced = performance.now();
  await receiver.expect(ids, 120_000);
  const arrivals = ids.map((id) => receiver.arrivals.get(id));
  const used = cpu();
  const lat = summary(ids.map((id) => receiver.arrivals.get(id) - starts[requestOf.get(id)]));
  return { ...phases(t0, produced, arrivals, used), p50: lat.median, p99: lat.p99 };
}

/** Sequential `SELECT ?1` round trips from a worker to its D1, µs each: (t(n) − t(0)) / n. */
async function d1RoundTrip(b) {
  const time = async (n) => {
    const start = performance.now();
    const response = await fetch(`${b.url}/d1?n=${n}`);
    await response.arrayBuffer();
    return performance.now() - start;
  };
  await time(500);
  const per = [];
  for (let r = 0; r < RUNS; r++) {
    const empty = await time(0);
    per.push((await time(1000)) - empty); // ms per 1,000 calls = µs per call
  }
  return summary(per);
}

/** 3. One request; the bare worker fetches the receiver DELIVERIES times at CONCURRENCY. */
async function baselineFetchRun(b1, run) {
  const ids = Array.from({ length: DELIVERIES }, (_, i) => `b1-${run}-${i}`);
  const t0 = performance.now();
  const response = await fetch(`${b1.url}/?n=${DELIVERIES}&c=${CONCURRENCY}&prefix=b1-${run}`);
  const body = await response.json();
  if (body.ok !== DELIVERIES) throw new Error(`baseline fetch: ${body.ok} of ${DELIVERIES} answered 2xx`);
  await receiver.expect(ids, 60_000);
  const last = Math.max(...ids.map((id) => receiver.arrivals.get(id)));
  return { rate: (DELIVERIES / (last - t0)) * 1000, wallMs: last - t0 };
}

/** The consumer's send phase alone: render, sign, headers, URL policy and sendRequest, at c=100. */
async function sendLoopRun(rs, run) {
  const ids = Array.from({ length: DELIVERIES }, (_, i) => `send-${run}-${i}`);
  const t0 = performance.now();
  const response = await fetch(`${rs.url}/send?n=${DELIVERIES}&c=${CONCURRENCY}&prefix=send-${run}`);
  const body = await response.json();
  if (body.ok !== DELIVERIES) throw new Error(`send loop: ${body.ok} of ${DELIVERIES} succeeded`);
  await receiver.expect(ids, 60_000);
  const last = Math.max(...ids.map((id) => receiver.arrivals.get(id)));
  return { rate: (DELIVERIES / (last - t0)) * 1000, wallMs: last - t0 };
}

/** 2. One event, one destination, nothing else running: ingest start → arrival, sequentially. */
async function unloaded(p, ws, samples = SINGLE, warmup = 3) {
  const latencies = [];
  const ingestMs = [];
  for (let i = 0; i < warmup + samples; i++) {
    const start = performance.now();
    const accepted = await ingest(p, ws);
    const answered = performance.now();
    const id = accepted.deliveries[0].id;
    await receiver.expect([id], 10_000);
    if (i >= warmup) {
      latencies.push(receiver.arrivals.get(id) - start);
      ingestMs.push(answered - start);
    }
    await sleep(30); // let the consumer record the outcome before the next one
  }
  const health = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const response = await fetch(`${p.url}/healthz`);
    await response.arrayBuffer();
    health.push(performance.now() - start);
  }
  return { latency: summary(latencies), ingest: summary(ingestMs), healthz: summary(health) };
}

async function unloadedBaseline(b2, samples = SINGLE, warmup = 3) {
  const latencies = [];
  for (let i = 0; i < warmup + samples; i++) {
    const start = performance.now();
    const prefix = `${b2.label}-single-${i}`;
    const response = await fetch(`${b2.url}/produce?n=1&prefix=${prefix}`, { method: "POST" });
    await response.arrayBuffer();
    await receiver.expect([`${prefix}-0`], 10_000);
    if (i >= warmup) latencies.push(receiver.arrivals.get(`${prefix}-0`) - start);
    await sleep(30);
  }
  return summary(latencies);
}

/** 5. µs per delivery of render + sign inside workerd: (t(n) − t(0)) / n, timed from outside. */
async function renderSign(rs) {
  const time = async (mode, n) => {
    const start = performance.now();
    const response = await fetch(`${rs.url}/?mode=${mode}&n=${n}`);
    const body = await response.json();
    if (body.n !== n) throw new Error(`render-sign answered ${JSON.stringify(body)}`);
    return performance.now() - start;
  };
  const modes = ["render", "parse", "prep", "baseline"];
  for (const mode of modes) await time(mode, RENDER_N); // warm up the JIT
  const out = {};
  for (const mode of modes) {
    const per = [];
    for (let r = 0; r < RUNS; r++) {
      const empty = await time(mode, 0);
      const full = await time(mode, RENDER_N);
      per.push(((full - empty) / RENDER_N) * 1000);
    }
    out[mode] = summary(per);
  }
  return out;
}

async function timeRequest(p, path, token, init = {}) {
  const start = performance.now();
  const response = await fetch(p.url + path, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
  });
  const body = await response.json();
  return { ms: performance.now() - start, status: response.status, body };
}

/** 6. POST /events in a workspace with 10 subscribed + 9,990 unsubscribed destinations vs 10 only. */
async function fanoutScaling(p) {
  const big = await createWorkspace(p, "fan-out 10 + 9,990");
  const small = await createWorkspace(p, "fan-out 10");
  await createDestinations(p, big, FANOUT);
  await createDestinations(p, small, FANOUT);
  const seedStart = performance.now();
  const now = Date.now();
  await p.db.batch([
    p.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO destinations (id, workspace_uuid, name, enabled, method, url_template, headers_template,
           query_template, body_template, timeout_seconds, secret_ciphertext, secret_hint, secret_version,
           created_at, updated_at)
         SELECT printf('dst_%032x', i), ?1, 'seeded ' || i, 1, 'POST', 'https://hooks.example.com/seeded',
           '[]', '[]', NULL, 10, 'v1.unused.unused', 'xxxx', 1, ?3, ?3 FROM n`,
      )
      .bind(big.uuid, UNSUBSCRIBED, now),
    p.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO destination_event_types (destination_id, workspace_uuid, event_type)
         SELECT printf('dst_%032x', i), ?1, 'contact.deleted' FROM n`,
      )
      .bind(big.uuid, UNSUBSCRIBED),
  ]);
  const seedMs = performance.now() - seedStart;
  const count = await p.db
    .prepare("SELECT count(*) AS n FROM destinations WHERE workspace_uuid = ?1")
    .bind(big.uuid)
    .first("n");

  const post = (ws) =>
    timeRequest(p, `/v1/workspaces/${ws.uuid}/events`, ws.key, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "contact.updated", contact: contact(++contactSeq) }),
    });
  const times = { big: [], small: [] };
  const pair = [
    ["big", big],
    ["small", small],
  ];
  for (let i = 0; i < 5 + INGEST_SAMPLES; i++) {
    // Alternate which goes first; after each POST, let its 10 deliveries arrive and be recorded, so
    // every POST meets an idle worker rather than the consumer's work for the previous event.
    for (const [name, ws] of i % 2 ? [...pair].reverse() : pair) {
      const r = await post(ws);
      if (r.status !== 202 || r.body.deliveries.length !== FANOUT)
        throw new Error(`fan-out ingest answered ${r.status} with ${r.body.deliveries?.length} deliveries`);
      if (i >= 5) times[name].push(r.ms);
      await receiver.expect(
        r.body.deliveries.map((d) => d.id),
        10_000,
      );
      await sleep(15);
    }
  }
  return { destinations: count, seedMs, big: summary(times.big), small: summary(times.small) };
}

const hexId = (prefix, n) => `${prefix}_${n.toString(16).padStart(32, "0")}`;
const cursorOf = (id) => Buffer.from(id).toString("base64url");

/** 7. History: page 1 vs a page 90,000 rows deep, of a destination with 100,000 deliveries. */
async function pagination(p) {
  const ws = await createWorkspace(p, "history");
  const [destinationId] = await createDestinations(p, ws, 1, ["contact.created"]);
  const eventId = hexId("evt", 1);
  const now = Date.now();
  const seedStart = performance.now();
  await p.db.batch([
    p.db
      .prepare(
        `INSERT INTO events (id, workspace_uuid, client_event_id, type, payload, created_at)
         VALUES (?1, ?2, NULL, 'contact.created', '{}', ?3)`,
      )
      .bind(eventId, ws.uuid, now),
    // Every 10th delivery failed, the rest succeeded; ids ascend with time as UUIDv7 ids do.
    p.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?4)
         INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
           next_attempt_at, status_reason, dead_lettered_at, created_at, updated_at)
         SELECT printf('dlv_%032x', i), ?1, ?2, ?3, 'contact.created',
           CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'succeeded' END, 1, NULL, NULL, NULL, ?5 + i, ?5 + i FROM n`,
      )
      .bind(ws.uuid, destinationId, eventId, HISTORY_ROWS, now - HISTORY_ROWS),
  ]);
  const seedMs = performance.now() - seedStart;
  const rows = await p.db
    .prepare("SELECT count(*) AS n FROM deliveries WHERE destination_id = ?1")
    .bind(destinationId)
    .first("n");

  const deepN = HISTORY_ROWS - 90_000; // 90,000 newer ids above it
  const base = `/v1/workspaces/${ws.uuid}/destinations/${destinationId}/deliveries?limit=50`;
  const cases = {
    page1: { path: base, first: hexId("dlv", HISTORY_ROWS) },
    deep: { path: `${base}&cursor=${cursorOf(hexId("dlv", deepN))}`, first: hexId("dlv", deepN - 1) },
    failedPage1: { path: `${base}&status=failed`, first: hexId("dlv", HISTORY_ROWS) },
    failedDeep: {
      path: `${base}&status=failed&cursor=${cursorOf(hexId("dlv", deepN))}`,
      first: hexId("dlv", deepN - 10),
    },
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < 5 + PAGE_SAMPLES; i++) {
    for (const [name, c] of Object.entries(cases)) {
      const r = await timeRequest(p, c.path, ws.key);
      if (r.status !== 200 || r.body.data.length !== 50 || r.body.data[0].id !== c.first)
        throw new Error(`history ${name}: ${r.status}, first ${r.body.data?.[0]?.id}, expected ${c.first}`);
      if (i >= 5) times[name].push(r.ms);
    }
  }
  return {
    rows,
    seedMs,
    ...Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)])),
  };
}

/** Where a batch's time goes, from inside workerd (bench/instrumented.js in front of the bundle). */
async function diagnostics(worker, flags) {
  const p = await startPipeline(worker, { compatibilityFlags: flags, instrumented: true });
  try {
    const stats = async () => (await fetch(`${p.url}/__bench/stats`)).json();
    const single = await createWorkspace(p, "diag single");
    await createDestinations(p, single, 1);
    const ws = await createWorkspace(p, "diag fan-out");
    await createDestinations(p, ws, FANOUT);
    await unloaded(p, single, 10, 3);
    const singleStats = await stats();
    await pipelineRun(p, ws); // warm-up, not analysed
    const runs = [];
    for (let r = 0; r < 2; r++) {
      await stats(); // clear
      const result = await pipelineRun(p, ws);
      runs.push({ result, stats: await stats() });
    }
    return { single: analyseSingle(singleStats), runs: runs.map(analyseRun) };
  } finally {
    await p.mf.dispose();
  }
}

const dur = (e) => e.end - e.start;

function batchPhases(b) {
  const load = b.d1.find((e) => e.what !== "batch");
  const record = [...b.d1].reverse().find((e) => e.what === "batch");
  return {
    size: b.size,
    total: dur(b),
    load: load ? dur(load) : 0,
    sends: load && record ? record.start - load.end : 0,
    record: record ? dur(record) : 0,
  };
}

function analyseSingle({ requests, batches }) {
  const ingests = requests.filter((r) => r.method === "POST" && r.path.endsWith("/events"));
  const delivery = batches.filter((b) => b.queue === "leadpush-deliveries").slice(-ingests.length);
  const pairs = ingests.slice(-delivery.length).map((r, i) => ({ r, b: delivery[i] }));
  return {
    ingestInWorker: summary(ingests.map(dur)),
    ingestD1: summary(ingests.map((r) => r.d1.reduce((s, e) => s + dur(e), 0))),
    ingestD1Calls: median(ingests.map((r) => r.d1.length)),
    ingestStatements: (ingests[0]?.d1 ?? []).map((e) => `${e.what}: ${e.sql || "(batch)"}`),
    responseToBatch: summary(pairs.map(({ r, b }) => b.start - r.end)),
    batchLoad: summary(delivery.map((b) => batchPhases(b).load)),
    batchSends: summary(delivery.map((b) => batchPhases(b).sends)),
    batchRecord: summary(delivery.map((b) => batchPhases(b).record)),
  };
}

function analyseRun({ result, stats }) {
  const batches = stats.batches
    .filter((b) => b.queue === "leadpush-deliveries")
    .sort((a, b) => a.start - b.start);
  const phases = batches.map(batchPhases);
  const gaps = batches.slice(1).map((b, i) => b.start - batches[i].end);
  const window = batches.length ? batches[batches.length - 1].end - batches[0].start : 0;
  const sum = (k) => phases.reduce((s, x) => s + x[k], 0);
  const ingests = stats.requests.filter((r) => r.method === "POST" && r.path.endsWith("/events"));
  return {
    rate: result.rate,
    batches: batches.length,
    meanBatchSize: DELIVERIES / (batches.length || 1),
    batchSizes: summary(phases.map((x) => x.size)),
    consumerWindowMs: window,
    inBatchesMs: sum("total"),
    d1LoadMs: sum("load"),
    sendsMs: sum("sends"),
    d1RecordMs: sum("record"),
    gapsMs: gaps.reduce((s, g) => s + g, 0),
    perBatch: {
      load: summary(phases.map((x) => x.load)),
      sends: summary(phases.map((x) => x.sends)),
      record: summary(phases.map((x) => x.record)),
      total: summary(phases.map((x) => x.total)),
      gap: summary(gaps),
    },
    ingest: {
      inWorker: summary(ingests.map(dur)),
      d1: summary(ingests.map((r) => r.d1.reduce((s, e) => s + dur(e), 0))),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Main

async function probeDelivery(p) {
  const ws = await createWorkspace(p, "probe");
  const [destinationId] = await createDestinations(p, ws, 1);
  const { json } = await p.client("POST", `/v1/workspaces/${ws.uuid}/destinations/${destinationId}/test`, {
    token: ws.key,
    expect: 202,
  });
  try {
    await receiver.expect([json.id], 5_000);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const m = machine();
  console.log("Leadpush webhooks benchmark");
  console.log(
    `machine: nproc=${m.nproc}, cpu="${m.cpu}", memory=${m.memory_gib} GiB, node ${m.node}, ` +
      `workerd ${m.workerd}, miniflare ${m.miniflare}, wrangler ${m.wrangler}, ${m.os}`,
  );

  log("building dist/ (wrangler deploy --dry-run --outdir dist)...");
  const worker = await section("build", () => loadWorker());
  const consumer = worker.config.queueConsumers["leadpush-deliveries"];
  receiver = await startReceiver();

  // The production flag set, unless local workerd then cannot reach the receiver on 127.0.0.1.
  let flags = worker.config.compatibilityFlags;
  let p = await startPipeline(worker, { compatibilityFlags: flags });
  let flagNote = `compatibility flags as in wrangler.toml (${flags.join(", ") || "none"}): 127.0.0.1 reachable`;
  if (!(await probeDelivery(p))) {
    await p.mf.dispose();
    const dropped = flags.filter((f) => f === "global_fetch_strictly_public");
    flags = flags.filter((f) => f !== "global_fetch_strictly_public");
    p = await startPipeline(worker, { compatibilityFlags: flags });
    if (!(await probeDelivery(p))) throw new Error("the worker cannot reach the receiver on 127.0.0.1");
    flagNote = `${dropped.join(", ")} OMITTED: with it, local workerd did not reach 127.0.0.1`;
  }
  console.log(
    `harness: programmatic Miniflare over dist/index.js; queue consumer maxBatchSize=${consumer.maxBatchSize}, ` +
      `maxBatchTimeout=${consumer.maxBatchTimeout}, maxRetries=${consumer.maxRetries} (pipeline and baseline 2); ` +
      `ALLOW_PRIVATE_DESTINATIONS=true; ${flagNote}`,
  );
  console.log(
    `workload: ${EVENTS} events x ${FANOUT} subscribed destinations = ${DELIVERIES} deliveries per run, ` +
      `ingest concurrency ${CONCURRENCY}, ${RUNS} runs; receiver node:http keep-alive on ${receiver.url}`,
  );

  // One after the other, so each workerd's pid is known (for its CPU time).
  const b1 = await startBaselineFetch(worker.config, receiver.url);
  const b2 = { label: "b2", ...(await startBaselineQueue(worker.config, receiver.url, consumer)) };
  const b2b = {
    label: "b2b",
    ...(await startBaselineQueue(worker.config, receiver.url, consumer, { d1Shape: true })),
  };
  const rs = await startRenderSign(worker.config, receiver.url);

  log("setting up workspaces...");
  const fan = await createWorkspace(p, "throughput");
  await createDestinations(p, fan, FANOUT);
  const single = await createWorkspace(p, "single");
  await createDestinations(p, single, 1);

  log("2. unloaded single-event latency...");
  const [one, oneBaseline, oneBaselineD1] = await section("unloaded latency", async () => [
    await unloaded(p, single),
    await unloadedBaseline(b2),
    await unloadedBaseline(b2b),
  ]);

  log("warm-up run...");
  await section("warm-up", async () => {
    await pipelineRun(p, fan);
    await baselineQueueRun(b2, "warm");
    await baselineQueueRun(b2b, "warm");
    await baselineFetchRun(b1, "warm");
    await sendLoopRun(rs, "warm");
  });

  // Interleaved, so drift on the machine weighs on every figure alike.
  const runs = { pipeline: [], baselineQueue: [], baselineQueueD1: [], baselineFetch: [], sendLoop: [] };
  const throughputStart = performance.now();
  for (let r = 0; r < RUNS; r++) {
    log(`run ${r + 1}/${RUNS}: pipeline, baseline 2, baseline 2b, baseline 1, send loop...`);
    runs.pipeline.push(await pipelineRun(p, fan));
    await sleep(200);
    runs.baselineQueue.push(await baselineQueueRun(b2, r));
    await sleep(200);
    runs.baselineQueueD1.push(await baselineQueueRun(b2b, r));
    await sleep(200);
    runs.baselineFetch.push(await baselineFetchRun(b1, r));
    await sleep(200);
    runs.sendLoop.push(await sendLoopRun(rs, r));
    await sleep(200);
  }
  sectionTimes["throughput runs"] = round((performance.now() - throughputStart) / 1000);
  const d1Call = await section("D1 round trip", () => d1RoundTrip(b2b));

  log("5. render + sign...");
  const rsResult = await section("render + sign", () => renderSign(rs));
  log("6. ingest fan-out scaling (seeding 9,990 destinations)...");
  const fanout = await section("fan-out scaling", () => fanoutScaling(p));
  log("7. history pagination (seeding 100,000 deliveries)...");
  const history = await section("history pagination", () => pagination(p));
  await p.mf.dispose();
  await Promise.all([b1.mf.dispose(), b2.mf.dispose(), b2b.mf.dispose(), rs.mf.dispose()]);

  log("diagnostics: instrumented pipeline (D1 time per batch, from inside workerd)...");
  const diag = await section("diagnostics", () => diagnostics(worker, flags));

  // -------------------------------------------------------------------------------------------------
  const pick = (list, key) => list.map((x) => x[key]);
  const rate = (list) => summary(pick(list, "rate"));
  const pipeRate = rate(runs.pipeline);
  const b2Rate = rate(runs.baselineQueue);
  const b2bRate = rate(runs.baselineQueueD1);
  const b1Rate = rate(runs.baselineFetch);
  const pairedB2 = summary(runs.pipeline.map((x, i) => x.rate / runs.baselineQueue[i].rate));
  const allSucceeded = runs.pipeline.every(
    (x) => x.check.byStatus.succeeded === DELIVERIES && Object.keys(x.check.byStatus).length === 1,
  );
  const checks = runs.pipeline.map(
    (x) =>
      `${Object.entries(x.check.byStatus)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")} attempts=${x.check.attempts}`,
  );
  const { duplicates } = receiver.counts();

  const rows = [];
  const range = (s, digits = 0) =>
    `${s.median.toFixed(digits)} (min ${s.min.toFixed(digits)}, max ${s.max.toFixed(digits)})`;
  const med = (list, key, digits = 0) => median(pick(list, key)).toFixed(digits);
  const row = (id, figure, value, target = "", ok = null, raw = undefined) =>
    rows.push({ id, figure, value, target, result: ok === null ? "info" : ok ? "PASS" : "MISS", raw });
  /** Ingest phase, drain phase, and workerd CPU of a throughput figure (medians of runs). */
  const split = (list) =>
    `ingest ${med(list, "ingestMs")} ms (${med(list, "arrivedDuringIngest")} arrived meanwhile) + ` +
    `drain ${med(list, "drainMs")} ms at ${med(list, "drainRate")}/s; workerd CPU ${med(list, "workerdCpuMs")} ms, ` +
    `its busiest thread ${med(list, "busiestThreadPct")}% of wall`;

  row("1", "pipeline deliveries/s (first ingest start → last arrival)", range(pipeRate), "", null, pipeRate);
  row("1", "  phases (medians)", split(runs.pipeline));
  row("1", "  POST /events accepted per second at c=100", range(summary(pick(runs.pipeline, "ingestRate"))));
  row(
    "1",
    "pipeline ingest→arrival latency p50, ms (median of runs)",
    range(summary(pick(runs.pipeline, "p50")), 1),
  );
  row(
    "1",
    "pipeline ingest→arrival latency p99, ms (median of runs)",
    range(summary(pick(runs.pipeline, "p99")), 1),
  );
  row(
    "1",
    "D1 after each run: every delivery succeeded, one attempt each",
    `${checks.every((c) => c === checks[0]) ? `${checks[0]} in every run` : checks.join("; ")}; ` +
      `receiver saw ${duplicates} duplicate(s)`,
    `succeeded=${DELIVERIES}`,
    allSucceeded && runs.pipeline.every((x) => x.check.attempts === DELIVERIES),
  );
  row(
    "1",
    "  last arrival → all outcomes recorded in D1, ms",
    range(summary(pick(runs.pipeline, "recordedAfterMs")), 1),
  );
  row(
    "2",
    `unloaded latency, 1 event → 1 destination, ms (n=${SINGLE}): median`,
    one.latency.median.toFixed(1),
    "≤ 10 ms",
    one.latency.median <= 10,
    one.latency,
  );
  row("2", "  p90, ms", one.latency.p90.toFixed(1));
  row("2", "  of which the POST /events round trip (median), ms", one.ingest.median.toFixed(1));
  row("2", "  reference: GET /healthz round trip (median), ms", one.healthz.median.toFixed(1));
  row(
    "2",
    "  reference: baseline 2 / 2b producer → arrival, unloaded (median), ms",
    `${oneBaseline.median.toFixed(1)} / ${oneBaselineD1.median.toFixed(1)}`,
  );
  row(
    "3",
    `baseline 1: bare worker fetch loop, fetches/s (n=${DELIVERIES}, c=${CONCURRENCY})`,
    range(b1Rate),
    "",
    null,
    b1Rate,
  );
  row(
    "4",
    "baseline 2: bare queue consumer (fetch + ack, no D1), deliveries/s",
    range(b2Rate),
    "",
    null,
    b2Rate,
  );
  row("4", "  phases (medians)", split(runs.baselineQueue));
  row(
    "4",
    "ratio pipeline / baseline 2 (medians; paired per run min–max)",
    `${(pipeRate.median / b2Rate.median).toFixed(2)} (${pairedB2.min.toFixed(2)}–${pairedB2.max.toFixed(2)})`,
    "≥ 0.8",
    pipeRate.median / b2Rate.median >= 0.8,
  );
  row("4", "ratio pipeline / baseline 1 (medians)", (pipeRate.median / b1Rate.median).toFixed(2));
  row(
    "4",
    "  baseline 2 ingest→arrival latency p50 / p99, ms",
    `${med(runs.baselineQueue, "p50", 1)} / ${med(runs.baselineQueue, "p99", 1)}`,
  );
  row(
    "4",
    "baseline 2b: baseline 2 + the pipeline's D1 round trips (trivial SQL), deliveries/s",
    range(b2bRate),
    "",
    null,
    b2bRate,
  );
  row("4", "  phases (medians)", split(runs.baselineQueueD1));
  row("4", "ratio pipeline / baseline 2b (medians)", (pipeRate.median / b2bRate.median).toFixed(2));
  row(
    "4",
    "consumer send phase alone (prep + src sendRequest, no queue, no D1), deliveries/s",
    range(rate(runs.sendLoop)),
  );
  row(
    "4",
    "D1 round trip from a worker, sequential `SELECT ?1`, µs per call",
    range(d1Call, 0),
    "",
    null,
    d1Call,
  );
  row(
    "5",
    `render + sign per delivery, µs (n=${RENDER_N}, key imported once)`,
    range(rsResult.render, 2),
    "≤ 20 µs",
    rsResult.render.median <= 20,
    rsResult.render,
  );
  row(
    "5",
    "  JSON.parse(stored payload) + render + sign, µs (the consumer's per-row work)",
    range(rsResult.parse, 2),
  );
  row(
    "5",
    "  + deliveryHeaders + checkDestinationUrl (all per-row work before the send), µs",
    range(rsResult.prep, 2),
  );
  row("5", "  baseline: JSON.stringify(payload) + sign only, µs", range(rsResult.baseline, 2));
  row(
    "6",
    `POST /events, 10 subscribed + ${UNSUBSCRIBED.toLocaleString("en")} unsubscribed destinations, ms (median, n=${INGEST_SAMPLES})`,
    `${fanout.big.median.toFixed(2)} (p90 ${fanout.big.p90.toFixed(2)})`,
  );
  row(
    "6",
    "POST /events, only 10 destinations, ms (median)",
    `${fanout.small.median.toFixed(2)} (p90 ${fanout.small.p90.toFixed(2)})`,
  );
  row(
    "6",
    "ratio 10,000 destinations / 10 destinations",
    (fanout.big.median / fanout.small.median).toFixed(2),
    "≤ 1.2",
    fanout.big.median / fanout.small.median <= 1.2,
  );
  row(
    "7",
    `history page 1 (limit=50, ${history.rows.toLocaleString("en")} deliveries), ms (median)`,
    history.page1.median.toFixed(2),
  );
  row("7", "history page 90,000 deep (cursor), ms (median)", history.deep.median.toFixed(2));
  row(
    "7",
    "ratio deep / page 1",
    (history.deep.median / history.page1.median).toFixed(2),
    "≤ 1.2",
    history.deep.median / history.page1.median <= 1.2,
  );
  row("7", "?status=failed page 1, ms (median)", history.failedPage1.median.toFixed(2));
  row("7", "?status=failed 90,000 deep, ms (median)", history.failedDeep.median.toFixed(2));
  row(
    "7",
    "ratio deep / page 1 with ?status=failed",
    (history.failedDeep.median / history.failedPage1.median).toFixed(2),
    "≤ 1.2",
    history.failedDeep.median / history.failedPage1.median <= 1.2,
  );

  printTable(rows);

  console.log(
    "\nDiagnostics (instrumented copy of the pipeline: bench/instrumented.js wraps env.DB; not the headline):",
  );
  const s = diag.single;
  console.log(
    `  unloaded: POST /events inside workerd ${s.ingestInWorker.median} ms (D1 ${s.ingestD1.median} ms over ` +
      `${s.ingestD1Calls} calls); response → consumer batch start ${s.responseToBatch.median} ms; ` +
      `batch: D1 load ${s.batchLoad.median} ms, render+sign+send ${s.batchSends.median} ms, D1 record ${s.batchRecord.median} ms (medians, ms resolution)`,
  );
  console.log(`  D1 calls of one POST /events: ${s.ingestStatements.map((x) => `[${x}]`).join(" ")}`);
  for (const [i, d] of diag.runs.entries()) {
    console.log(
      `  run ${i + 1}: ${Math.round(d.rate)} deliveries/s; ${d.batches} consumer batches (mean ${d.meanBatchSize.toFixed(1)} ` +
        `messages, median ${d.batchSizes.median}); consumer window ${d.consumerWindowMs} ms = in batches ` +
        `${d.inBatchesMs} ms + between batches ${d.gapsMs} ms; inside batches: D1 load ${d.d1LoadMs} ms, ` +
        `render+sign+send ${d.sendsMs} ms, D1 record ${d.d1RecordMs} ms`,
    );
    console.log(
      `         per batch (median): D1 load ${d.perBatch.load.median} ms, sends ${d.perBatch.sends.median} ms, ` +
        `D1 record ${d.perBatch.record.median} ms, gap ${d.perBatch.gap.median} ms; ` +
        `POST /events inside workerd median ${d.ingest.inWorker.median} ms (D1 ${d.ingest.d1.median} ms)`,
    );
  }
  const totalS = (performance.now() - began) / 1000;
  console.log(
    `\nSeeding: ${fanout.destinations} destinations in the big workspace (${fanout.seedMs.toFixed(0)} ms), ` +
      `${history.rows} deliveries (${history.seedMs.toFixed(0)} ms). Total bench time ${totalS.toFixed(1)} s: ` +
      `${Object.entries(sectionTimes)
        .map(([k, v]) => `${k} ${v} s`)
        .join(", ")}.`,
  );

  if (process.env.BENCH_JSON !== "0") {
    const json = {
      machine: m,
      harness: {
        flags,
        flagNote,
        consumer,
        events: EVENTS,
        fanout: FANOUT,
        concurrency: CONCURRENCY,
        runs: RUNS,
      },
      figures: rows.map(({ raw, ...r }) => (raw ? { ...r, stats: raw } : r)),
      raw: {
        pipeline: runs.pipeline,
        baselineQueue: runs.baselineQueue,
        baselineQueueD1: runs.baselineQueueD1,
        baselineFetch: runs.baselineFetch,
        sendLoop: runs.sendLoop,
        d1RoundTripUs: d1Call,
        unloaded: one,
        unloadedBaselineQueue: oneBaseline,
        unloadedBaselineQueueD1: oneBaselineD1,
        renderSign: rsResult,
        fanout,
        history,
        diagnostics: diag,
      },
      totalSeconds: round(totalS),
      sectionSeconds: sectionTimes,
    };
    console.log("\nJSON:");
    console.log(JSON.stringify(json, (_, v) => (typeof v === "number" && !Number.isInteger(v) ? ms(v) : v)));
  }
}

function printTable(rows) {
  const headers = ["#", "figure", "value", "target", "result"];
  const cells = rows.map((r) => [r.id, r.figure, r.value, r.target, r.result]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => `| ${c.map((x, i) => String(x).padEnd(widths[i])).join(" | ")} |`;
  console.log("");
  console.log(line(headers));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const c of cells) console.log(line(c));
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
