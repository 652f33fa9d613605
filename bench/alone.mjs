// The consumer and the ingest each alone, against the contract floor's, on the same data in one workerd
// (bench/alone.js in front of the unchanged bundle; its queue has no consumer). The throughput figure runs
// ingest and consumer together on one thread, under the driver's load; here each is timed on its own, so
// the gap to the floor is smaller in noise and can be split into its causes.
//
// A round, for the pipeline and the floor in turn (which goes first alternates): 10 POST /events at once,
// through the worker's API or the floor's (100 pending deliveries), then one batch of those 100 handed to
// the worker's queue handler or to the floor's. Each timed from outside (wall) and by workerd's CPU time.
import { createDestinations, createWorkspace, ingest, nextContact } from "./api.mjs";
import { apiClient, cpuMeter, sleep, summary } from "./lib.mjs";
import { FANOUT } from "./workload.mjs";

export const ALONE_ROUNDS = Number(process.env.BENCH_ALONE_ROUNDS ?? 40);
const LAYER_HOT_N = 2000; // requests in one call: the hot figure
const LAYER_ROUNDS = Number(process.env.BENCH_LAYER_ROUNDS ?? 150); // one request per call, LAYER_GAP_MS apart: the lukewarm figure
const LAYER_GAP_MS = 20;
const WARMUP = 5;
const BATCH = 100; // what one round's 10 events × FANOUT destinations leave pending
const POSTS = BATCH / FANOUT;

async function timed(pid, fn) {
  const cpu = cpuMeter(pid);
  const t0 = performance.now();
  await fn();
  return { wallMs: performance.now() - t0, cpuMs: cpu().totalMs };
}

/** Hands these deliveries ({ id, destination_id } of workspace `ws`) as one batch to `kind`'s consumer. */
async function consumeBatch(p, kind, ws, deliveries) {
  const bodies = deliveries.map((d) => ({
    deliveryId: d.id,
    workspaceUuid: ws.uuid,
    destinationId: d.destination_id,
  }));
  const response = await fetch(`${p.url}/__bench/consume?kind=${kind}&ws=${ws.uuid}`, {
    method: "POST",
    body: JSON.stringify(bodies),
  });
  const { count } = await response.json();
  if (count !== BATCH) throw new Error(`${kind} consumer got ${count} pending deliveries, not ${BATCH}`);
}

/** The medians of the rounds, and the mean CPU (workerd's clock ticks are 10 ms: a mean, not a median). */
function figures(samples) {
  const wall = summary(samples.map((s) => s.wallMs));
  const cpu = samples.reduce((sum, s) => sum + s.cpuMs, 0) / samples.length;
  return { wallMs: wall.median, wallMin: wall.min, cpuMs: cpu };
}

/**
 * `p` is the worker started with `alone` (its queue unconsumed); FANOUT destinations send to the receiver.
 * The floor's ingest writes the same tables in its own object, for the same workspace and destinations.
 * `against` (the other checkout's path, BENCH_AGAINST) adds its API's POST /events and its consumer's
 * batch of them to every round, on the same storage.
 */
export async function alone(p, receiver, against = null) {
  const ws = await createWorkspace(p, "alone");
  const destinations = await createDestinations(p, ws, FANOUT, receiver.url);
  const floorEvents = `${p.url}/__bench/floor-events?ws=${ws.uuid}&d=${encodeURIComponent(JSON.stringify(destinations))}`;
  // The other checkout's API: the same workspace, key and destinations (D1 is shared).
  const other = { client: apiClient(`${p.url}/__bench/against`) };
  const post = {
    pipeline: () => ingest(p, ws),
    against: () => ingest(other, ws),
    floor: () =>
      fetch(floorEvents, {
        method: "POST",
        body: JSON.stringify({ type: "contact.updated", contact: nextContact() }),
      }).then((r) => r.json()),
  };
  const samples = {
    consume: { pipeline: [], floor: [], against: [] },
    ingest: { pipeline: [], floor: [], against: [] },
  };
  const kinds = against ? ["floor", "pipeline", "against"] : ["floor", "pipeline"];
  for (let round = 0; round < WARMUP + ALONE_ROUNDS; round++) {
    // Which goes first turns with the round, so neither always follows the other. Each kind's consumer
    // takes the deliveries its own ingest made: the worker's in the workspace's partition, the floor's
    // in its own object (the same tables).
    const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
    for (const kind of order) {
      let answers;
      const ingested = await timed(p.pid, async () => {
        answers = await Promise.all(Array.from({ length: POSTS }, post[kind]));
      });
      await sleep(20);
      const deliveries = answers.flatMap((a) => a.deliveries);
      const consumed = await timed(p.pid, () => consumeBatch(p, kind, ws, deliveries));
      if (round < WARMUP) continue;
      samples.consume[kind].push(consumed);
      samples.ingest[kind].push(ingested);
    }
  }
  // Paired by round: the pipeline's time minus another kind's in the same round, so the host's drift
  // between rounds cancels.
  const paired = (x, other) => summary(x.pipeline.map((s, i) => s.wallMs - x[other][i].wallMs)).median;
  const both = (x) => ({
    pipeline: figures(x.pipeline),
    floor: figures(x.floor),
    pairedGapMs: paired(x, "floor"),
  });
  const targets = [
    { key: "ingest", app: "worker", mode: "ingest" },
    { key: "bare", app: "bare", mode: "ingest" },
    { key: "healthz", app: "worker", mode: "healthz" },
    ...(against ? [{ key: "againstIngest", app: "against", mode: "ingest" }] : []),
  ];
  const result = {
    layer: await apiLayer(p, targets),
    rounds: ALONE_ROUNDS,
    batch: BATCH,
    posts: POSTS,
    consume: both(samples.consume),
    ingest: both(samples.ingest),
  };
  if (against) {
    result.against = {
      root: against,
      consume: figures(samples.consume.against),
      ingest: figures(samples.ingest.against),
      consumePairedMs: paired(samples.consume, "against"),
      ingestPairedMs: paired(samples.ingest, "against"),
    };
  }
  return result;
}

const layerCall = async (p, app, mode, n) => {
  const t0 = performance.now();
  const response = await fetch(`${p.url}/__bench/api-layer?app=${app}&mode=${mode}&n=${n}`);
  const body = await response.text();
  if (!response.ok) throw new Error(`api-layer ${app} ${mode}: ${body}`);
  return performance.now() - t0;
};

/**
 * The API layer's own work per request, in µs of the isolate (bench/alone.js answers D1 and the queue in
 * memory). Hot: LAYER_HOT_N requests in one call, minus a call that makes none, median of 5. Lukewarm:
 * one request per call, LAYER_GAP_MS apart, as an isolate serving sporadic traffic runs (its caches hold
 * other work, and far more time goes to the same code), minus the mean of a call on each side that only
 * makes the request; the median of LAYER_ROUNDS. Every target takes its turn in each round.
 */
async function apiLayer(p, targets) {
  const hot = {};
  const lukewarm = Object.fromEntries(targets.map(({ key }) => [key, []]));
  for (const { key, app, mode } of targets) {
    const per = [];
    for (let k = 0; k < 5; k++) {
      const zero = await layerCall(p, app, "none", LAYER_HOT_N);
      per.push(((await layerCall(p, app, mode, LAYER_HOT_N)) - zero) / LAYER_HOT_N);
    }
    hot[key] = summary(per).median * 1000;
  }
  for (let round = 0; round < LAYER_ROUNDS; round++) {
    for (const { key, app, mode } of targets) {
      await sleep(LAYER_GAP_MS);
      await layerCall(p, app, "none", 1); // the call that wakes the thread is not counted
      const before = await layerCall(p, app, "none", 1);
      const measured = await layerCall(p, app, mode, 1);
      const after = await layerCall(p, app, "none", 1);
      lukewarm[key].push((measured - (before + after) / 2) * 1000);
    }
  }
  return Object.fromEntries(
    targets.map(({ key }) => [key, { hotUs: hot[key], lukewarmUs: summary(lukewarm[key]).median }]),
  );
}

const us = (ms, n) => ((ms * 1000) / n).toFixed(0);

/** The lines printed under the table. */
export function aloneLines(a) {
  const line = (what, x, n, per) =>
    `  ${what}: pipeline ${x.pipeline.wallMs.toFixed(1)} ms wall (min ${x.pipeline.wallMin.toFixed(1)}), ` +
    `${x.pipeline.cpuMs.toFixed(1)} ms workerd CPU; floor ${x.floor.wallMs.toFixed(1)} ms ` +
    `(min ${x.floor.wallMin.toFixed(1)}), ${x.floor.cpuMs.toFixed(1)} ms CPU; ratio floor / pipeline ` +
    `${(x.floor.wallMs / x.pipeline.wallMs).toFixed(2)} wall, ${(x.floor.cpuMs / x.pipeline.cpuMs).toFixed(2)} CPU; ` +
    `gap ${us(x.pipeline.wallMs - x.floor.wallMs, n)} µs wall per ${per} ` +
    `(paired by round: ${us(x.pairedGapMs, n)} µs)`;
  const lines = [
    `  ${a.rounds} rounds, medians of wall time and means of CPU time:`,
    line(`one consumer batch of ${a.batch}`, a.consume, a.batch, "delivery"),
    line(`${a.posts} POST /events at once (${FANOUT} deliveries each)`, a.ingest, a.posts, "request"),
  ];
  const l = a.layer;
  const both = (x) => `${x.hotUs.toFixed(0)} µs hot, ${x.lukewarmUs.toFixed(0)} µs lukewarm`;
  lines.push(
    `  the API layer alone (bench/alone.js: requests made in the isolate, D1, the history objects and the queue answered in memory; ` +
      `hot: ${LAYER_HOT_N} in a row; lukewarm: one every ${LAYER_GAP_MS} ms, median of ${LAYER_ROUNDS}):`,
    `    POST /events ${both(l.ingest)}; GET /healthz ${both(l.healthz)}; the least a handler does (parse, ` +
      `ids, payload, one store and sendBatch) ${both(l.bare)}`,
  );
  if (l.againstIngest) lines.push(`    POST /events of the BENCH_AGAINST checkout: ${both(l.againstIngest)}`);
  if (a.against) {
    const x = a.against;
    const vs = (what, y, paired, n, per) =>
      `    ${what}: ${y.wallMs.toFixed(1)} ms wall (min ${y.wallMin.toFixed(1)}), ${y.cpuMs.toFixed(1)} ms ` +
      `workerd CPU; this checkout minus that one, paired by round: ${us(paired, n)} µs wall per ${per}`;
    lines.push(
      `  against ${x.root} (BENCH_AGAINST), in the same rounds and workerd:`,
      vs(`its consumer batch of ${a.batch}`, x.consume, x.consumePairedMs, a.batch, "delivery"),
      vs(`its ${a.posts} POST /events at once`, x.ingest, x.ingestPairedMs, a.posts, "request"),
    );
  }
  return lines;
}
