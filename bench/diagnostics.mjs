// Diagnostics (not headline figures): where a consumer batch's time goes, and what one POST /events
// does with storage (D1 and the Durable Objects), from inside workerd (bench/instrumented.js in front of
// the unchanged bundle).
import { createDestinations, createWorkspace, ingest } from "./api.mjs";
import { median, sleep, summary } from "./lib.mjs";
import { pipelineRun, unloaded } from "./throughput.mjs";
import { DELIVERIES, FANOUT, SINGLE } from "./workload.mjs";

export const stats = async (p, keep = false) =>
  (await fetch(`${p.url}/__bench/stats${keep ? "?keep=1" : ""}`)).json();

const dur = (e) => e.end - e.start;
const mean = (values) => values.reduce((a, b) => a + b, 0) / (values.length || 1);
/** The mean of the values left after dropping `cut` of them at each end. */
function trimmedMean(values, cut) {
  const sorted = [...values].sort((a, b) => a - b);
  const k = Math.floor(sorted.length * cut);
  return mean(sorted.slice(k, sorted.length - k));
}
export const isIngest = (r) => r.method === "POST" && /\/v1\/workspaces\/[^/]+\/events$/.test(r.path);
export const deliveryBatches = (stats) =>
  stats.batches.filter((b) => b.queue === "leadpush-deliveries").sort((a, b) => a.start - b.start);

/** A request's or batch's storage calls: D1 round trips and RPC calls to objects, by start time. */
export const storageCalls = (r) =>
  [
    ...r.d1.map((e) => ({ ...e, what: `DB.${e.what}` })),
    ...r.rpc.map((c) => ({ ...c, what: `${c.binding}.${c.method}` })),
  ].sort((a, b) => a.start - b.start);

/**
 * The batch's load (D1's destinations, the workspace's health and the partition's load, all at once),
 * sends (from the load's end to the record's start), and record (the partitions' `record`).
 */
export function batchPhases(b) {
  const calls = storageCalls(b);
  const recordCalls = calls.filter((c) => c.what === "HISTORY.record");
  const loadCalls = calls.filter((c) => c.what !== "HISTORY.record" && c.what !== "WORKSPACE.reportOutcomes");
  const loadEnd = loadCalls.length ? Math.max(...loadCalls.map((c) => c.end)) : b.start;
  const recordStart = recordCalls.length ? Math.min(...recordCalls.map((c) => c.start)) : loadEnd;
  const recordEnd = recordCalls.length ? Math.max(...recordCalls.map((c) => c.end)) : recordStart;
  return {
    size: b.size,
    total: dur(b),
    load: loadCalls.length ? loadEnd - Math.min(...loadCalls.map((c) => c.start)) : 0,
    sends: recordStart - loadEnd,
    record: recordEnd - recordStart,
  };
}

const storageMs = (r) => storageCalls(r).reduce((s, e) => s + dur(e), 0);

/**
 * Runs the instrumented pipeline `p`: unloaded single events, then a warm-up and 2 measured throughput
 * runs. The D1 time of one POST /events is a mean over SINGLE requests: each duration is quantized to
 * workerd's 1 ms clock, and the mean of such durations is unbiased where the median is not.
 */
export async function diagnostics(p, receiver) {
  const single = await createWorkspace(p, "diag single");
  await createDestinations(p, single, 1, receiver.url);
  const ws = await createWorkspace(p, "diag fan-out");
  await createDestinations(p, ws, FANOUT, receiver.url);
  await stats(p); // clear the setup
  const timed = await unloaded(p, single, receiver, { samples: SINGLE });
  const singleStats = await stats(p);
  // The same POST for a type no destination subscribes to: no delivery, so no queue message and no
  // consumer batch sharing workerd's one thread while the answer goes out.
  const quiet = [];
  for (let i = 0; i < 3 + SINGLE; i++) {
    const start = performance.now();
    const accepted = await ingest(p, single, "contact.deleted");
    if (accepted.deliveries.length !== 0) throw new Error("an unsubscribed type made deliveries");
    if (i >= 3) quiet.push(performance.now() - start);
    await sleep(30);
  }
  const quietD1 = (await stats(p)).requests.filter(isIngest).slice(3).map(storageMs);
  await pipelineRun(p, ws, receiver); // warm-up, not analysed
  const runs = [];
  for (let r = 0; r < 2; r++) {
    await stats(p); // clear
    const result = await pipelineRun(p, ws, receiver);
    runs.push({ result, stats: await stats(p) });
  }
  const one = analyseSingle(singleStats);
  // Per request: the round trip the driver saw minus that request's D1 time inside workerd. The D1 times
  // are ms-quantized, so a mean (trimmed of the 10 % highest and lowest, against load spikes), not a median.
  const withoutD1 = timed.ingestSamples.map((ms, i) => ms - (one.ingestD1Samples[i] ?? Number.NaN));
  const overhead = trimmedMean(withoutD1.filter(Number.isFinite), 0.1) - timed.healthz.median;
  const quietOverhead =
    trimmedMean(quiet.map((ms, i) => ms - (quietD1[i] ?? Number.NaN)).filter(Number.isFinite), 0.1) -
    timed.healthz.median;
  return {
    single: {
      ...one,
      unloaded: timed,
      overheadMs: overhead,
      noDelivery: { post: summary(quiet), d1MeanMs: mean(quietD1), overheadMs: quietOverhead },
    },
    runs: runs.map(analyseRun),
  };
}

function analyseSingle({ requests, batches }) {
  const ingests = requests.filter(isIngest).slice(3); // after the warm-ups
  const delivery = batches.filter((b) => b.queue === "leadpush-deliveries").slice(-ingests.length);
  const pairs = ingests.slice(-delivery.length).map((r, i) => ({ r, b: delivery[i] }));
  const d1Ms = ingests.map(storageMs);
  const queueMs = ingests.map((r) => r.sends.reduce((s, e) => s + dur(e), 0));
  return {
    ingestInWorker: summary(ingests.map(dur)),
    ingestD1: summary(d1Ms),
    ingestD1MeanMs: mean(d1Ms),
    ingestD1Samples: d1Ms,
    ingestQueueMeanMs: mean(queueMs),
    ingestInWorkerMeanMs: mean(ingests.map(dur)),
    ingestD1Calls: median(ingests.map((r) => storageCalls(r).length)),
    ingestStatements: (ingests[ingests.length - 1] ? storageCalls(ingests[ingests.length - 1]) : []).map(
      (e) =>
        e.statements ? `${e.what}: ${e.statements.map((s) => s.sql.slice(0, 60)).join(" + ")}` : e.what,
    ),
    responseToBatch: summary(pairs.map(({ r, b }) => b.start - r.end)),
    batchLoad: summary(delivery.map((b) => batchPhases(b).load)),
    batchSends: summary(delivery.map((b) => batchPhases(b).sends)),
    batchRecord: summary(delivery.map((b) => batchPhases(b).record)),
  };
}

function analyseRun({ result, stats }) {
  const batches = deliveryBatches(stats);
  const phases = batches.map(batchPhases);
  const gaps = batches.slice(1).map((b, i) => b.start - batches[i].end);
  const window = batches.length ? batches[batches.length - 1].end - batches[0].start : 0;
  const sum = (k) => phases.reduce((s, x) => s + x[k], 0);
  const ingests = stats.requests.filter(isIngest);
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
      // Means of ms-quantized durations (unbiased), for docs/capacity.md.
      loadMeanMs: mean(phases.map((x) => x.load)),
      recordMeanMs: mean(phases.map((x) => x.record)),
    },
    ingest: {
      inWorker: summary(ingests.map(dur)),
      d1: summary(ingests.map(storageMs)),
      writeBatchMeanMs: mean(
        ingests.map((r) => r.rpc.filter((e) => e.method === "store").reduce((s, e) => s + dur(e), 0)),
      ),
    },
  };
}

/** The diagnostic lines printed under the table. */
export function diagnosticLines(diag) {
  const lines = [];
  const s = diag.single;
  lines.push(
    `  unloaded: POST /events inside workerd ${s.ingestInWorker.median} ms (mean ${s.ingestInWorkerMeanMs.toFixed(2)}; ` +
      `storage mean ${s.ingestD1MeanMs.toFixed(2)} ms over ${s.ingestD1Calls} call(s); sendBatch mean ${s.ingestQueueMeanMs.toFixed(2)} ms); ` +
      `response → consumer batch start ${s.responseToBatch.median} ms; batch: load ${s.batchLoad.median} ms, ` +
      `render+sign+send ${s.batchSends.median} ms, record ${s.batchRecord.median} ms (medians, ms resolution)`,
  );
  lines.push(`  storage calls of one POST /events: ${s.ingestStatements.map((x) => `[${x}]`).join(" ")}`);
  for (const [i, d] of diag.runs.entries()) {
    lines.push(
      `  run ${i + 1}: ${Math.round(d.rate)} deliveries/s; ${d.batches} consumer batches (mean ${d.meanBatchSize.toFixed(1)} ` +
        `messages, median ${d.batchSizes.median}); consumer window ${d.consumerWindowMs} ms = in batches ` +
        `${d.inBatchesMs} ms + between batches ${d.gapsMs} ms; inside batches: load ${d.d1LoadMs} ms, ` +
        `render+sign+send ${d.sendsMs} ms, record ${d.d1RecordMs} ms`,
    );
    lines.push(
      `         per batch (median): load ${d.perBatch.load.median} ms, sends ${d.perBatch.sends.median} ms, ` +
        `record ${d.perBatch.record.median} ms, gap ${d.perBatch.gap.median} ms; ` +
        `POST /events inside workerd median ${d.ingest.inWorker.median} ms (storage ${d.ingest.d1.median} ms)`,
    );
  }
  return lines;
}
