// Cost per delivery, counted on the instrumented copy (bench/instrumented.js): rows the Durable Objects'
// SQLite cursors wrote and read (SqlStorageCursor.rowsWritten / rowsRead), their setAlarm and KV calls,
// their requests, D1's own meta for the control plane, and counted queue operations; then a partition's
// whole life, its retirement included; then priced at Cloudflare's list prices.
import { createDestinations, createWorkspace, ingest as postEvent } from "./api.mjs";
import { deliveryBatches, isIngest, stats } from "./diagnostics.mjs";
import { sleep, startPipeline } from "./lib.mjs";
import { objectsOf, partitionAt, plain } from "./objects.mjs";
import { pipelineRun } from "./throughput.mjs";
import { DELIVERIES, FANOUT, PURGE_EVENTS } from "./workload.mjs";

/**
 * Cloudflare's published list prices (Workers Paid), as docs/capacity.md cites them. Included monthly
 * allowances are ignored: this is the marginal price.
 */
export const PRICES = {
  retrieved: "2026-12-08",
  workersRequestsPerMillion: 0.3, // https://developers.cloudflare.com/workers/platform/pricing/
  workersCpuPerMillionMs: 0.02, // same page
  queueOperationsPerMillion: 0.4, // https://developers.cloudflare.com/queues/platform/pricing/
  rowsWrittenPerMillion: 1.0, // D1 and SQLite-backed Durable Objects alike (durable-objects/platform/pricing)
  rowsReadPerMillion: 0.001, // same
  doRequestsPerMillion: 0.15, // https://developers.cloudflare.com/durable-objects/platform/pricing/
  doGbSecondsPerMillion: 12.5, // same page: duration, billed at 128 MB per active object
  doStoragePerGbMonth: 0.2, // same page: SQLite stored data
};

/** Assumption: the wall time a request keeps its object active (billed duration), ms. See BENCHMARKS.md. */
export const DO_ACTIVE_MS_PER_REQUEST = 10;
const DO_GB = 128 / 1024;

const sum = (list, f) => list.reduce((s, x) => s + f(x), 0);
const UNLOADED_EVENTS = 20; // ingests one at a time after the cost run, for round trips without queueing
const mean = (list) => list.reduce((a, b) => a + b, 0) / (list.length || 1);

/** Rows per delivery of each distinct D1 statement (by its first 80 characters), largest writers first. */
function d1Statements(records) {
  const groups = new Map();
  for (const s of records.flatMap((r) => r.d1.flatMap((e) => e.statements))) {
    const g = groups.get(s.sql) ?? { where: "D1", sql: s.sql, count: 0, rowsRead: 0, rowsWritten: 0 };
    g.count++;
    g.rowsRead += s.rowsRead;
    g.rowsWritten += s.rowsWritten;
    groups.set(s.sql, g);
  }
  return [...groups.values()];
}

/** The objects' statements (bench/instrumented.js), with setAlarm and KV puts as rows written. */
export function objectStatements(stats) {
  const o = stats.objects;
  const merged = new Map();
  for (const s of workerStatements(stats)) {
    const key = `${s.cls}|${s.sql}`;
    const g = merged.get(key) ?? { where: s.cls, sql: s.sql, count: 0, rowsWritten: 0, rowsRead: 0 };
    g.count += s.count;
    g.rowsWritten += s.rowsWritten;
    g.rowsRead += s.rowsRead;
    merged.set(key, g);
  }
  const out = [...merged.values()];
  for (const [cls, t] of Object.entries(o.totals)) {
    if (t.alarmsSet)
      out.push({ where: cls, sql: "setAlarm()", count: t.alarmsSet, rowsWritten: t.alarmsSet, rowsRead: 0 });
    if (t.kvPuts)
      out.push({ where: cls, sql: "storage.kv.put()", count: t.kvPuts, rowsWritten: t.kvPuts, rowsRead: 0 });
    if (t.kvGets)
      out.push({ where: cls, sql: "storage.kv.get()", count: t.kvGets, rowsWritten: 0, rowsRead: t.kvGets });
  }
  return out;
}

const perDelivery = (list, deliveries) =>
  list
    .map((g) => ({
      ...g,
      writtenPerDelivery: g.rowsWritten / deliveries,
      readPerDelivery: g.rowsRead / deliveries,
    }))
    .sort((a, b) => b.rowsWritten - a.rowsWritten || b.rowsRead - a.rowsRead);

/**
 * The billed Durable Object requests of what was recorded: every RPC call the worker and its objects
 * made (the bench's own reads through Miniflare's proxy are not among them), and every alarm.
 */
const rpcCalls = (s) => [...s.requests, ...s.batches].flatMap((r) => r.rpc).concat(s.objects.io.rpc);
const billedRequests = (s) => rpcCalls(s).length + s.objects.calls.filter((c) => c.method === "alarm").length;

/** What the worker's own calls ran: the statements of methods only the bench called are left out. */
function workerStatements(s) {
  const called = new Set(rpcCalls(s).map((c) => c.method));
  return s.objects.statements.filter(
    (x) => called.has(x.method) || !x.method || /^\(|^alarm$/.test(x.method),
  );
}

/** Totals over every object class: rows (setAlarm and KV puts included), requests. */
export function objectSums(s) {
  const o = s.objects;
  const t = Object.values(o.totals);
  const own = workerStatements(s);
  return {
    rowsWritten: sum(own, (x) => x.rowsWritten) + sum(t, (x) => x.alarmsSet + x.kvPuts),
    rowsRead: sum(own, (x) => x.rowsRead) + sum(t, (x) => x.kvGets),
    requests: billedRequests(s),
    byClass: Object.fromEntries(
      Object.entries(o.totals).map(([cls, x]) => [
        cls,
        {
          requests: x.requests,
          rowsWritten: x.rowsWritten + x.alarmsSet + x.kvPuts,
          rowsRead: x.rowsRead + x.kvGets,
          objects: x.objects,
        },
      ]),
    ),
  };
}

/**
 * Each object method's calls and rows (exact for calls no other call overlapped on their object); the
 * methods only the bench called (its checks) are left out.
 */
function byMethod(s) {
  const o = s.objects;
  const called = new Set(rpcCalls(s).map((c) => `${c.method}`));
  const groups = new Map();
  for (const c of o.calls.filter((x) => called.has(x.method) || x.method === "alarm")) {
    const key = `${c.cls}.${c.method}`;
    const g = groups.get(key) ?? { method: key, calls: 0, overlapped: 0, rowsWritten: 0, rowsRead: 0 };
    g.calls++;
    if (c.overlapped) g.overlapped++;
    else {
      g.rowsWritten += c.rowsWritten + c.alarmsSet + c.kvPuts;
      g.rowsRead += c.rowsRead;
    }
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.calls - a.calls);
}

/** The bytes held by a workspace's current partition object and its workspace object. */
async function objectBytes(p, workspaceUuid, partitionSeconds) {
  const o = await objectsOf(p);
  const part = partitionAt(workspaceUuid, Date.now(), partitionSeconds);
  const history = plain(await o.history(part).__benchSize());
  const workspace = plain(await o.workspace(workspaceUuid).__benchSize());
  return { history: history.bytes, workspace: workspace.bytes, rows: history.rows };
}

/**
 * EVENTS events × FANOUT destinations, every delivery answered 200 on the first try, on the instrumented
 * pipeline `p`. Setup (workspace, destinations, the partition's first write) is not counted.
 */
export async function firstTryCost(p, receiver) {
  const ws = await createWorkspace(p, "cost");
  await createDestinations(p, ws, FANOUT, receiver.url);
  // The partition's first write (its tables, its registration) is a cost per partition: measured apart
  // by retirementCost, not here.
  const warm = await postEvent(p, ws);
  await receiver.expect(
    warm.deliveries.map((d) => d.id),
    10_000,
  );
  await sleep(200);
  await stats(p); // clear the setup
  const seconds = 24 * 3600; // wrangler.toml's HISTORY_PARTITION_HOURS
  const bytesBefore = await objectBytes(p, ws.uuid, seconds);
  const run = await pipelineRun(p, ws, receiver);
  await sleep(300); // the last batch's acks come after its outcomes are visible
  const s = await stats(p);
  const bytesAfter = await objectBytes(p, ws.uuid, seconds);

  const ingests = s.requests.filter(isIngest);
  const batches = deliveryBatches(s);
  const others = [
    ...s.requests.filter((r) => !isIngest(r)),
    ...s.batches.filter((b) => !batches.includes(b)),
  ];
  const unmetered = [...s.requests, ...s.batches].some((r) => r.unmetered);
  const all = [...ingests, ...batches];

  const writes = sum(all, (r) => sum(r.sends, (x) => x.messages));
  const reads = sum(batches, (b) => b.size);
  const deletes = sum(batches, (b) => b.acked + (b.implicitlyAcked ?? 0));
  const retried = sum(batches, (b) => b.retried);
  const succeeded = run.check.byStatus.succeeded ?? 0;
  const d1 = (records) => ({
    rowsWritten: sum(records, (r) => sum(r.d1, (e) => e.rowsWritten)) / DELIVERIES,
    rowsRead: sum(records, (r) => sum(r.d1, (e) => e.rowsRead)) / DELIVERIES,
    roundTrips: sum(records, (r) => r.d1.length) / DELIVERIES,
  });
  const rpc = (records) => sum(records, (r) => r.rpc.length) / DELIVERIES;
  const objects = objectSums(s);
  const methods = byMethod(s);
  const side = (names) => {
    const picked = methods.filter((m) => names.has(m.method.split(".")[1]));
    return {
      rowsWritten: sum(picked, (m) => m.rowsWritten) / DELIVERIES,
      rowsRead: sum(picked, (m) => m.rowsRead) / DELIVERIES,
    };
  };
  const methodsOf = (records) => new Set(records.flatMap((r) => r.rpc.map((c) => c.method)));

  // Round trips seen by the worker, means of ms-quantized durations (unbiased; medians would not be).
  const timing = (list) => ({ n: list.length, roundTripMs: mean(list.map((e) => e.end - e.start)) });
  const rpcOf = (records, method) => records.flatMap((r) => r.rpc.filter((c) => c.method === method));
  const times = {
    store: timing(rpcOf(ingests, "store")),
    load: timing(rpcOf(batches, "load")),
    health: timing(rpcOf(batches, "health")),
    record: timing(rpcOf(batches, "record")),
    destinations: timing(batches.map((b) => b.d1[0]).filter(Boolean)),
  };
  for (let i = 0; i < UNLOADED_EVENTS; i++) {
    const accepted = await postEvent(p, ws);
    await receiver.expect(
      accepted.deliveries.map((d) => d.id),
      10_000,
    );
    await sleep(15);
  }
  times.unloadedStore = timing(rpcOf((await stats(p)).requests.filter(isIngest), "store"));

  return {
    deliveries: DELIVERIES,
    firstTry: succeeded === DELIVERIES && run.check.attempts === DELIVERIES && retried === 0,
    check: run.check,
    unmetered,
    otherRecords: others.length,
    objects,
    ingest: { ...side(methodsOf(ingests)), d1: d1(ingests), rpc: rpc(ingests) },
    consumer: { ...side(methodsOf(batches)), d1: d1(batches), rpc: rpc(batches) },
    total: {
      rowsWritten: objects.rowsWritten / DELIVERIES + d1(all).rowsWritten,
      rowsRead: objects.rowsRead / DELIVERIES + d1(all).rowsRead,
      objectRequests: objects.requests / DELIVERIES,
    },
    methods,
    statements: perDelivery([...objectStatements(s), ...d1Statements(all)], DELIVERIES),
    times,
    queue: {
      writes: writes / DELIVERIES,
      reads: reads / DELIVERIES,
      deletes: deletes / DELIVERIES,
      retried,
      total: (writes + reads + deletes) / DELIVERIES,
    },
    requests: {
      ingest: ingests.length / DELIVERIES,
      consumer: batches.length / DELIVERIES,
      total: (ingests.length + batches.length) / DELIVERIES,
      meanBatch: reads / (batches.length || 1),
    },
    bytesPerDelivery: (bytesAfter.history - bytesBefore.history) / DELIVERIES,
    workspaceBytesPerDelivery: (bytesAfter.workspace - bytesBefore.workspace) / DELIVERIES,
    workerdCpuMsPerDelivery: run.workerdCpuMs / DELIVERIES,
    run,
  };
}

/**
 * A partition's whole life, on a copy of the instrumented pipeline with partitions of PARTITION_S seconds
 * kept RETAIN_S seconds: PURGE_EVENTS events of FANOUT deliveries, in batches through POST …/events/batch,
 * all first-try; then its alarm retires it (deleteAll). Everything its objects did from the first write to
 * the retirement, per delivery; and the records answer 404 afterwards.
 */
const PARTITION_S = 4;
const RETAIN_S = 2;
export async function retirementCost(worker, flags, receiver) {
  const p = await startPipeline(worker, {
    compatibilityFlags: flags,
    instrumented: true,
    vars: { HISTORY_PARTITION_HOURS: String(PARTITION_S / 3600), RETENTION_DAYS: String(RETAIN_S / 86400) },
  });
  try {
    const ws = await createWorkspace(p, "retirement");
    await createDestinations(p, ws, FANOUT, receiver.url);
    // Start right after a partition begins, so every event of the run falls in that one partition.
    const length = PARTITION_S * 1000;
    await sleep(length - (Date.now() % length) + 50);
    const partition = partitionAt(ws.uuid, Date.now(), PARTITION_S);
    await stats(p); // clear the setup
    const before = receiver.counts().total;
    const events = Array.from({ length: PURGE_EVENTS }, (_, i) => ({
      type: "contact.updated",
      contact: { _id: `ct_r${i}`, attributes: { email: `r${i}@example.com`, first_name: "R" } },
    }));
    const answers = [];
    for (let i = 0; i < events.length; i += 100) {
      const { json } = await p.client("POST", `/v1/workspaces/${ws.uuid}/events/batch`, {
        token: ws.key,
        body: { events: events.slice(i, i + 100) },
        expect: 202,
      });
      answers.push(...json.results);
    }
    const deliveries = sum(answers, (r) => r.delivery_count);
    const started = Date.now();
    while (receiver.counts().total - before < deliveries && Date.now() - started < 30_000) await sleep(20);
    const arrived = receiver.counts().total - before;
    if (partitionAt(ws.uuid, Date.now(), PARTITION_S).start !== partition.start && arrived < deliveries)
      throw new Error(`retirement run: ${arrived} of ${deliveries} deliveries arrived`);
    await sleep(300);
    const o = await objectsOf(p);
    const held = plain(await o.history(partition).__benchSize());
    // The retirement: at the partition's end + RETAIN_S, its alarm deletes it whole (within a minute).
    const retiresAt = partition.start + length + RETAIN_S * 1000;
    await sleep(Math.max(0, retiresAt - Date.now()) + 500);
    for (let i = 0; i < 60; i++) {
      const peek = await stats(p, true);
      if (peek.objects.totals.WorkspaceHistory?.deleteAlls.length) break;
      await sleep(1000);
    }
    const merged = await stats(p);
    const history = merged.objects.totals.WorkspaceHistory;
    const retired = history?.deleteAlls[0] ?? null;
    const sample = answers.find((r) => r.status === "accepted");
    const after = await p.client("GET", `/v1/workspaces/${ws.uuid}/events/${sample.event_id}`, {
      token: ws.key,
    });
    const objects = objectSums(merged);
    const retireCalls = merged.objects.calls.filter(
      (c) => c.cls === "WorkspaceHistory" && c.method === "alarm",
    );
    return {
      partitionSeconds: PARTITION_S,
      retainSeconds: RETAIN_S,
      deliveries,
      arrived,
      held,
      retired,
      eventAfter: after.status,
      retireRequests: retireCalls.length,
      lifetime: { ...objects, perDelivery: objects.rowsWritten / deliveries },
      methods: byMethod(merged),
      statements: perDelivery(objectStatements(merged), deliveries),
      // If a deleteAll is billed as a DELETE of every row it removes (the rows of every table and the
      // KV entries), these are the rows written it adds per delivery.
      deleteAllRowsPerDelivery: retired ? (retired.rows + retired.kvEntries) / deliveries : null,
    };
  } finally {
    await p.mf.dispose();
  }
}

/**
 * $ per million first-try deliveries, ignoring included allowances (each input is per delivery):
 *   queue ops × 0.40 + rows written × 1.00 + rows read × 0.001 + DO requests × 0.15
 *   + DO requests × active s × 0.125 GB × 12.50 + Worker requests × 0.30 + CPU ms × 0.02
 *   + stored GB-months × 0.20
 * where a million deliveries of S bytes each held m months is S × m / 1,000 GB-months.
 */
export function price({
  queueOps,
  rowsWritten,
  retireRowsWritten,
  rowsRead,
  objectRequests,
  requests,
  cpuMs,
  bytes,
  months = 1,
}) {
  const gbSeconds = objectRequests * (DO_ACTIVE_MS_PER_REQUEST / 1000) * DO_GB;
  const terms = {
    queue: queueOps * PRICES.queueOperationsPerMillion,
    rowsWritten: rowsWritten * PRICES.rowsWrittenPerMillion,
    retirement: (retireRowsWritten ?? 0) * PRICES.rowsWrittenPerMillion,
    rowsRead: rowsRead * PRICES.rowsReadPerMillion,
    objectRequests: objectRequests * PRICES.doRequestsPerMillion,
    duration: gbSeconds * PRICES.doGbSecondsPerMillion,
    requests: requests * PRICES.workersRequestsPerMillion,
    cpu: cpuMs * PRICES.workersCpuPerMillionMs,
    storage: bytes === null ? 0 : (bytes / 1000) * months * PRICES.doStoragePerGbMonth,
  };
  return { terms, gbSeconds, total: Object.values(terms).reduce((a, b) => a + b, 0) };
}

/** The formula with the measured numbers in it, for the output and BENCHMARKS.md. */
export function priceFormula(inputs, result) {
  const f = (x, d = 3) => Number(x).toFixed(d);
  const { terms } = result;
  return [
    `$ per million first-try deliveries (list prices retrieved ${PRICES.retrieved}, included allowances ignored) =`,
    `    ${f(inputs.queueOps, 2)} queue ops × $0.40                          = ${f(terms.queue)}`,
    `  + ${f(inputs.rowsWritten, 3)} rows written (objects + D1) × $1.00          = ${f(terms.rowsWritten)}`,
    `  + ${f(inputs.retireRowsWritten ?? 0, 3)} rows written by the retirement × $1.00   = ${f(terms.retirement)}`,
    `  + ${f(inputs.rowsRead, 2)} rows read × $0.001                         = ${f(terms.rowsRead)}`,
    `  + ${f(inputs.objectRequests, 4)} Durable Object requests × $0.15          = ${f(terms.objectRequests)}`,
    `  + ${f(result.gbSeconds, 6)} GB-s (${DO_ACTIVE_MS_PER_REQUEST} ms × 128 MB per request) × $12.50 = ${f(terms.duration, 5)}`,
    `  + ${f(inputs.requests, 4)} Worker requests × $0.30                  = ${f(terms.requests)}`,
    `  + ${f(inputs.cpuMs, 3)} CPU ms × $0.02                           = ${f(terms.cpu)}`,
    `  + ${inputs.bytes === null ? "n/a" : f(inputs.bytes / 1000, 3)} GB-months stored (${inputs.bytes === null ? "n/a" : Math.round(inputs.bytes)} B × 10^6 for ${inputs.months ?? 1} month) × $0.20 = ${f(terms.storage)}`,
    `  = $${f(result.total, 2)}`,
  ];
}
