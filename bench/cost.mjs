// Cost per delivery, from D1's own `meta.rows_read` / `meta.rows_written` and counted queue operations
// (bench/instrumented.js in front of the unchanged bundle), then priced at Cloudflare's list prices.
import { createDestinations, createWorkspace, ingest as postEvent } from "./api.mjs";
import { deliveryBatches, isIngest, stats } from "./diagnostics.mjs";
import { sleep } from "./lib.mjs";
import { pipelineRun } from "./throughput.mjs";
import { DELIVERIES, FANOUT, PURGE_EVENTS } from "./workload.mjs";

/**
 * Cloudflare's published list prices (Workers Paid), retrieved 2026-12-01, as docs/capacity.md cites
 * them. Included monthly allowances are ignored: this is the marginal price.
 */
export const PRICES = {
  retrieved: "2026-12-01",
  workersRequestsPerMillion: 0.3, // https://developers.cloudflare.com/workers/platform/pricing/
  workersCpuPerMillionMs: 0.02, // same page
  queueOperationsPerMillion: 0.4, // https://developers.cloudflare.com/queues/platform/pricing/
  d1RowsWrittenPerMillion: 1.0, // https://developers.cloudflare.com/d1/platform/pricing/
  d1RowsReadPerMillion: 0.001, // same page
  d1StoragePerGbMonth: 0.75, // same page
};

const sum = (list, f) => list.reduce((s, x) => s + f(x), 0);
const UNLOADED_EVENTS = 20; // ingests one at a time after the cost run, for D1 round trips without queueing
const mean = (list) => list.reduce((a, b) => a + b, 0) / (list.length || 1);
const statementsOf = (records) => records.flatMap((r) => r.d1.flatMap((e) => e.statements));

/** D1's database size in bytes, from a statement's `meta.size_after` (local: SQLite pages × page size). */
async function databaseBytes(db) {
  const { meta } = await db.prepare("SELECT 1").run();
  return meta.size_after ?? null;
}

/** Rows per delivery of each distinct statement (by its first 80 characters), largest writers first. */
function byStatement(records, deliveries) {
  const groups = new Map();
  for (const s of statementsOf(records)) {
    const g = groups.get(s.sql) ?? { sql: s.sql, count: 0, rowsRead: 0, rowsWritten: 0 };
    g.count++;
    g.rowsRead += s.rowsRead;
    g.rowsWritten += s.rowsWritten;
    groups.set(s.sql, g);
  }
  return [...groups.values()]
    .map((g) => ({
      ...g,
      writtenPerDelivery: g.rowsWritten / deliveries,
      readPerDelivery: g.rowsRead / deliveries,
    }))
    .sort((a, b) => b.rowsWritten - a.rowsWritten);
}

/** What a group of requests or batches costs in D1, per delivery. */
function d1Share(records, deliveries) {
  return {
    rowsWritten: sum(records, (r) => sum(r.d1, (e) => e.rowsWritten)) / deliveries,
    rowsRead: sum(records, (r) => sum(r.d1, (e) => e.rowsRead)) / deliveries,
    statements: sum(records, (r) => sum(r.d1, (e) => e.statements.length)) / deliveries,
    roundTrips: sum(records, (r) => r.d1.length) / deliveries,
  };
}

/**
 * EVENTS events × FANOUT destinations, every delivery answered 200 on the first try, on the instrumented
 * pipeline `p`. Setup (workspace, destinations) is not counted.
 */
export async function firstTryCost(p, receiver) {
  const ws = await createWorkspace(p, "cost");
  await createDestinations(p, ws, FANOUT, receiver.url);
  await stats(p); // clear the setup
  const bytesBefore = await databaseBytes(p.db);
  const run = await pipelineRun(p, ws, receiver);
  await sleep(300); // the last batch's acks come after its outcomes are visible in D1
  const s = await stats(p);
  const bytesAfter = await databaseBytes(p.db);

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
  const ingest = d1Share(ingests, DELIVERIES);
  const consumer = d1Share(batches, DELIVERIES);
  // Round trips seen by the worker, means of ms-quantized durations (unbiased; medians would not be).
  // Under this load the ingest batch mostly waits its turn on the one local thread; hence the unloaded ones.
  const calls = (records, pick) => records.map((r) => pick(r.d1)).filter(Boolean);
  const timing = (list) => ({ n: list.length, roundTripMs: mean(list.map((e) => e.end - e.start)) });
  const d1Time = {
    ingestBatch: timing(calls(ingests, (d1) => d1.find((e) => e.what === "batch"))),
    // A batch's first D1 round trip is its load (three statements), its last the record.
    consumerLoad: timing(calls(batches, (d1) => (d1.length > 1 ? d1[0] : undefined))),
    consumerRecord: timing(calls(batches, (d1) => (d1.length > 1 ? d1[d1.length - 1] : undefined))),
  };
  // The same events one at a time, each meeting an idle worker: D1 round trips without queueing.
  for (let i = 0; i < UNLOADED_EVENTS; i++) {
    const accepted = await postEvent(p, ws);
    await receiver.expect(
      accepted.deliveries.map((d) => d.id),
      10_000,
    );
    await sleep(15);
  }
  const idle = (await stats(p)).requests.filter(isIngest);
  d1Time.unloadedIngestBatch = timing(calls(idle, (d1) => d1.find((e) => e.what === "batch")));
  d1Time.unloadedIngestOther = timing(idle.flatMap((r) => r.d1.filter((e) => e.what !== "batch")));

  return {
    deliveries: DELIVERIES,
    firstTry: succeeded === DELIVERIES && run.check.attempts === DELIVERIES && retried === 0,
    check: run.check,
    unmetered,
    otherRecords: others.length,
    ingest,
    consumer,
    total: {
      rowsWritten: ingest.rowsWritten + consumer.rowsWritten,
      rowsRead: ingest.rowsRead + consumer.rowsRead,
      statements: ingest.statements + consumer.statements,
      roundTrips: ingest.roundTrips + consumer.roundTrips,
    },
    statements: byStatement(all, DELIVERIES),
    d1Time,
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
    bytesPerDelivery:
      bytesBefore !== null && bytesAfter !== null ? (bytesAfter - bytesBefore) / DELIVERIES : null,
    workerdCpuMsPerDelivery: run.workerdCpuMs / DELIVERIES,
    run,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Rows written by the retention purge per delivery: PURGE_EVENTS events of FANOUT deliveries, one attempt
 * each, 31 days old (RETENTION_DAYS is 30), seeded with SQL; then the worker's cron handler runs once.
 */
export async function purgeCost(p, receiver) {
  const ws = await createWorkspace(p, "retention");
  // Subscribed to a type nothing sends, so these destinations get no traffic.
  const destinations = await createDestinations(p, ws, FANOUT, receiver.url, ["contact.deleted"]);
  const old = Date.now() - 31 * DAY_MS;
  const n = PURGE_EVENTS * FANOUT;
  await p.db.batch([
    p.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO events (workspace_uuid, id, type, payload, created_at)
         SELECT ?1, printf('evt_%032x', i), 'contact.updated', ?4, CAST(?3 AS INTEGER) + i FROM n`,
      )
      .bind(ws.uuid, PURGE_EVENTS, old, JSON.stringify({ event: { type: "contact.updated" }, contact: {} })),
    p.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?2 - 1),
           k(i, e, t) AS (SELECT i, i / CAST(?5 AS INTEGER) + 1, CAST(?4 AS INTEGER) + i / CAST(?5 AS INTEGER) + 1 FROM n)
         INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
           next_attempt_at, status_reason, dead_lettered_at, created_at, updated_at)
         SELECT printf('dlv_%012x%020x', t, i), ?1, json_extract(?3, '$[' || (i % CAST(?5 AS INTEGER)) || ']'),
           printf('evt_%032x', e), 'contact.updated', 'succeeded', 1, NULL, NULL, NULL, t, t
         FROM k`,
      )
      .bind(ws.uuid, n, JSON.stringify(destinations), old, FANOUT),
    p.db
      .prepare(
        `INSERT INTO attempts (delivery_id, number, started_at, method, url, request_headers, response_status,
           response_body, duration_ms, error_class, error_message)
         SELECT id, 1, created_at, 'POST', 'https://hooks.example.com/x', '[]', 200, '', 12, NULL, NULL
         FROM deliveries WHERE workspace_uuid = ?1`,
      )
      .bind(ws.uuid),
  ]);
  const count = async (sql) => p.db.prepare(sql).bind(ws.uuid).first("n");
  const countAll = () =>
    Promise.all([
      count("SELECT count(*) AS n FROM deliveries WHERE workspace_uuid = ?1"),
      count(
        "SELECT count(*) AS n FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE workspace_uuid = ?1)",
      ),
      count("SELECT count(*) AS n FROM events WHERE workspace_uuid = ?1"),
    ]);
  const seeded = await countAll();
  // Attempts are counted before the purge through their deliveries; afterwards, orphans would show here.
  await stats(p); // clear
  const response = await fetch(`${p.url}/__bench/scheduled`, { method: "POST" });
  if (!response.ok) throw new Error(`cron handler answered ${response.status}: ${await response.text()}`);
  const s = await stats(p);
  const left = await countAll();
  const orphans = await p.db
    .prepare("SELECT count(*) AS n FROM attempts WHERE delivery_id NOT IN (SELECT id FROM deliveries)")
    .first("n");
  const cron = s.crons[0];
  const statements = cron.d1.flatMap((e) => e.statements);
  const deletes = statements.filter((x) => /^DELETE/i.test(x.sql));
  const purged = seeded[0] - left[0];
  return {
    seeded: { deliveries: seeded[0], attempts: seeded[1], events: seeded[2] },
    left: { deliveries: left[0], attempts: left[1], events: left[2], orphanAttempts: orphans },
    purged,
    rowsWrittenByDeletes: sum(deletes, (x) => x.rowsWritten),
    rowsWrittenByCron: sum(statements, (x) => x.rowsWritten),
    rowsReadByCron: sum(statements, (x) => x.rowsRead),
    statements: statements.map((x) => ({ ...x })),
    perDelivery: purged > 0 ? sum(deletes, (x) => x.rowsWritten) / purged : null,
    cronMs: cron.end - cron.start,
  };
}

/**
 * $ per million first-try deliveries, ignoring included allowances:
 *   queue ops × 0.40 + (rows written + purge rows written) × 1.00 + rows read × 0.001
 *   + Worker requests × 0.30 + CPU ms × 0.02 + stored GB-months × 0.75
 * where a million deliveries of S bytes each held m months is S × m GB-months (S bytes × 10^6 = S MB).
 */
export function price({
  queueOps,
  rowsWritten,
  purgeRowsWritten,
  rowsRead,
  requests,
  cpuMs,
  bytes,
  months = 1,
}) {
  const terms = {
    queue: queueOps * PRICES.queueOperationsPerMillion,
    rowsWritten: rowsWritten * PRICES.d1RowsWrittenPerMillion,
    purge: (purgeRowsWritten ?? 0) * PRICES.d1RowsWrittenPerMillion,
    rowsRead: rowsRead * PRICES.d1RowsReadPerMillion,
    requests: requests * PRICES.workersRequestsPerMillion,
    cpu: cpuMs * PRICES.workersCpuPerMillionMs,
    storage: bytes === null ? 0 : (bytes / 1000) * months * PRICES.d1StoragePerGbMonth,
  };
  return { terms, total: Object.values(terms).reduce((a, b) => a + b, 0) };
}

/** The formula with the measured numbers in it, for the output and BENCHMARKS.md. */
export function priceFormula(inputs, result) {
  const f = (x, d = 3) => Number(x).toFixed(d);
  const { terms } = result;
  return [
    `$ per million first-try deliveries (list prices retrieved ${PRICES.retrieved}, included allowances ignored) =`,
    `    ${f(inputs.queueOps, 2)} queue ops × $0.40                    = ${f(terms.queue)}`,
    `  + ${f(inputs.rowsWritten, 2)} D1 rows written × $1.00               = ${f(terms.rowsWritten)}`,
    `  + ${f(inputs.purgeRowsWritten ?? 0, 2)} D1 rows written by the purge × $1.00  = ${f(terms.purge)}`,
    `  + ${f(inputs.rowsRead, 2)} D1 rows read × $0.001                = ${f(terms.rowsRead)}`,
    `  + ${f(inputs.requests, 4)} Worker requests × $0.30             = ${f(terms.requests)}`,
    `  + ${f(inputs.cpuMs, 3)} CPU ms × $0.02                      = ${f(terms.cpu)}`,
    `  + ${inputs.bytes === null ? "n/a" : f(inputs.bytes / 1000, 3)} GB-months stored (${inputs.bytes === null ? "n/a" : Math.round(inputs.bytes)} B × 10^6 for ${inputs.months ?? 1} month) × $0.75 = ${f(terms.storage)}`,
    `  = $${f(result.total, 2)}`,
  ];
}
