// Throughput and latency runs: the pipeline, the contract floor and the bare baselines, each driven
// the same way (EVENTS requests at CONCURRENCY, each making FANOUT deliveries) and timed from the first
// request's start to the last arrival at the receiver.
import { ingest, nextContact, refsOf, settled } from "./api.mjs";
import { cpuMeter, floorSettled, pool, sleep, summary } from "./lib.mjs";
import { CONCURRENCY, DELIVERIES, EVENTS, FANOUT, RUNS, SINGLE, WARMUP_SINGLE } from "./workload.mjs";

/** Throughput, and how it splits into the ingest phase and the drain after it. */
export function phases(t0, ingested, arrivals, used) {
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

/**
 * EVENTS calls of `post(i)` at CONCURRENCY; each resolves with { eventId, deliveryIds }. Waits for every
 * delivery at the receiver. Latency runs from a request's start to each of its deliveries' arrival.
 */
async function fanOutRun({ post, pid, receiver }) {
  const starts = new Array(EVENTS);
  const eventIds = new Array(EVENTS);
  const eventOf = new Map();
  const refs = [];
  const cpu = cpuMeter(pid);
  const t0 = performance.now();
  await pool(EVENTS, CONCURRENCY, async (i) => {
    starts[i] = performance.now();
    const { eventId, deliveryIds, deliveryRefs } = await post(i);
    eventIds[i] = eventId;
    for (const id of deliveryIds) eventOf.set(id, i);
    if (deliveryRefs) refs.push(...deliveryRefs);
  });
  const ingested = performance.now();
  const ids = [...eventOf.keys()];
  if (ids.length !== DELIVERIES) throw new Error(`ingest made ${ids.length} deliveries, not ${DELIVERIES}`);
  await receiver.expect(ids, 120_000);
  const arrivals = ids.map((id) => receiver.arrivals.get(id));
  const used = cpu();
  const latency = summary(ids.map((id) => receiver.arrivals.get(id) - starts[eventOf.get(id)]));
  return {
    eventIds,
    ids,
    refs,
    lastArrival: Math.max(...arrivals),
    result: {
      ...phases(t0, ingested, arrivals, used),
      ingestRate: (EVENTS / (ingested - t0)) * 1000,
      p50: latency.median,
      p99: latency.p99,
    },
  };
}

/** Counts by status and attempts once nothing is pending; the time from the last arrival to that. */
async function recorded(check, lastArrival) {
  return { check: await check(), recordedAfterMs: performance.now() - lastArrival };
}

/** 1. The pipeline: POST /v1/workspaces/{ws}/events, each fanned out to FANOUT destinations. */
export async function pipelineRun(p, ws, receiver) {
  const run = await fanOutRun({
    pid: p.pid,
    receiver,
    post: async () => {
      const accepted = await ingest(p, ws);
      return {
        eventId: accepted.event_id,
        deliveryIds: accepted.deliveries.map((d) => d.id),
        deliveryRefs: refsOf(accepted),
      };
    },
  });
  return { ...run.result, ...(await recorded(() => settled(p, ws.uuid, run.refs), run.lastArrival)) };
}

/** The contract floor (bench/baseline-floor.js): the same shape with only the contract's storage and queue work. */
export async function floorRun(f, receiver) {
  const run = await fanOutRun({
    pid: f.pid,
    receiver,
    post: async () => {
      const response = await fetch(`${f.url}/events`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ type: "contact.updated", contact: nextContact() }),
      });
      const body = await response.json();
      if (response.status !== 202) throw new Error(`contract floor answered ${response.status}`);
      return { eventId: body.event_id, deliveryIds: body.deliveries.map((d) => d.id) };
    },
  });
  return { ...run.result, ...(await recorded(() => floorSettled(f, run.ids), run.lastArrival)) };
}

/** 4. Baseline 2 (or 2b): EVENTS requests of sendBatch(FANOUT) through the bare queue worker. */
export async function baselineQueueRun(b, run, receiver) {
  const prefix = `${b.label}-${run}`;
  const { result } = await fanOutRun({
    pid: b.pid,
    receiver,
    post: async (i) => {
      const response = await fetch(`${b.url}/produce?n=${FANOUT}&prefix=${prefix}-${i}`, { method: "POST" });
      await response.arrayBuffer();
      if (response.status !== 202) throw new Error(`baseline producer answered ${response.status}`);
      return {
        eventId: `${prefix}-${i}`,
        deliveryIds: Array.from({ length: FANOUT }, (_, j) => `${prefix}-${i}-${j}`),
      };
    },
  });
  return result;
}

/** 3. One request; the bare worker fetches the receiver DELIVERIES times at CONCURRENCY. */
export async function baselineFetchRun(b1, run, receiver) {
  const ids = Array.from({ length: DELIVERIES }, (_, i) => `b1-${run}-${i}`);
  const t0 = performance.now();
  const response = await fetch(`${b1.url}/?n=${DELIVERIES}&c=${CONCURRENCY}&prefix=b1-${run}`);
  const body = await response.json();
  if (body.ok !== DELIVERIES) throw new Error(`baseline fetch: ${body.ok} of ${DELIVERIES} answered 2xx`);
  await receiver.expect(ids, 60_000);
  const last = Math.max(...ids.map((id) => receiver.arrivals.get(id)));
  return { rate: (DELIVERIES / (last - t0)) * 1000, wallMs: last - t0 };
}

/**
 * The consumer's send phase alone: the per-delivery work and sendRequest, at c=100, no queue, no storage.
 * With `bare`, a plain fetch + arrayBuffer() replaces sendRequest.
 */
export async function sendLoopRun(rs, run, receiver, bare = false) {
  const prefix = `send${bare ? "-bare" : ""}-${run}`;
  const ids = Array.from({ length: DELIVERIES }, (_, i) => `${prefix}-${i}`);
  const t0 = performance.now();
  const response = await fetch(
    `${rs.url}/send?n=${DELIVERIES}&c=${CONCURRENCY}&prefix=${prefix}${bare ? "&bare=1" : ""}`,
  );
  const body = await response.json();
  if (body.ok !== DELIVERIES) throw new Error(`send loop: ${body.ok} of ${DELIVERIES} succeeded`);
  await receiver.expect(ids, 60_000);
  const last = Math.max(...ids.map((id) => receiver.arrivals.get(id)));
  return { rate: (DELIVERIES / (last - t0)) * 1000, wallMs: last - t0 };
}

/** Sequential `SELECT ?1` round trips from a worker to its D1, µs each: (t(n) − t(0)) / n. */
export async function d1RoundTrip(b) {
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

/** Sequential RPC calls from a worker to a trivial method of its Durable Object (the floor's), µs each. */
export async function doRoundTrip(f) {
  const time = async (n) => {
    const start = performance.now();
    const response = await fetch(`${f.url}/rpc?n=${n}`);
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

/** One delivery through `send(tag)` (which answers its id): request → arrival and the request's own time. */
async function oneDelivery(send, tag, receiver) {
  const start = performance.now();
  const id = await send(tag);
  const answered = performance.now();
  await receiver.expect([id], 10_000);
  return { latency: receiver.arrivals.get(id) - start, request: answered - start };
}

/**
 * 2. One event, one destination, nothing else running: ingest start → arrival, one after another. The
 * first WARMUP_SINGLE go unmeasured, so the isolate is JIT-warm, as a worker serving traffic is. With
 * `alongside` (another worker's one-delivery send, the contract floor's), each sample is followed by one
 * of its own, so the two share the host's state sample by sample; the result then adds its figures and
 * the pipeline's latency minus its, paired by sample.
 */
export async function unloaded(
  p,
  ws,
  receiver,
  { alongside = null, samples = SINGLE, warmup = WARMUP_SINGLE } = {},
) {
  const latencies = [];
  const ingestMs = [];
  const other = { latencies: [], requests: [], differences: [] };
  const pipelineOne = async () => (await ingest(p, ws)).deliveries[0].id;
  for (let i = 0; i < warmup + samples; i++) {
    const mine = await oneDelivery(pipelineOne, i, receiver);
    await sleep(30); // let the consumer record the outcome before the next one
    const theirs = alongside ? await oneDelivery(alongside, `single-${i}`, receiver) : null;
    if (theirs) await sleep(30);
    if (i < warmup) continue;
    latencies.push(mine.latency);
    ingestMs.push(mine.request);
    if (theirs) {
      other.latencies.push(theirs.latency);
      other.requests.push(theirs.request);
      other.differences.push(mine.latency - theirs.latency);
    }
  }
  const health = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const response = await fetch(`${p.url}/healthz`);
    await response.arrayBuffer();
    health.push(performance.now() - start);
  }
  return {
    latency: summary(latencies),
    ingest: summary(ingestMs),
    healthz: summary(health),
    ingestSamples: ingestMs,
    ...(alongside
      ? {
          alongside: { ...summary(other.latencies), request: summary(other.requests) },
          pairedDifference: summary(other.differences),
        }
      : {}),
  };
}

/**
 * The same through a baseline: `send(prefix)` makes one delivery and returns its id. The latency summary,
 * with the request's own round trip (`request`) beside it.
 */
export async function unloadedBaseline(send, receiver, samples = SINGLE, warmup = WARMUP_SINGLE) {
  const latencies = [];
  const requests = [];
  for (let i = 0; i < warmup + samples; i++) {
    const start = performance.now();
    const id = await send(`single-${i}`);
    const answered = performance.now();
    await receiver.expect([id], 10_000);
    if (i >= warmup) {
      latencies.push(receiver.arrivals.get(id) - start);
      requests.push(answered - start);
    }
    await sleep(30);
  }
  return { ...summary(latencies), request: summary(requests) };
}

/** One delivery through baseline 2/2b's producer; its id. */
export const produceOne = (b) => async (tag) => {
  const prefix = `${b.label}-${tag}`;
  const response = await fetch(`${b.url}/produce?n=1&prefix=${prefix}`, { method: "POST" });
  await response.arrayBuffer();
  return `${prefix}-0`;
};

/** One event to the contract floor with one destination; its delivery's id. */
export const floorOne = (f) => async () => {
  const response = await fetch(`${f.url}/events?fanout=1`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: "contact.updated", contact: nextContact() }),
  });
  const body = await response.json();
  return body.deliveries[0].id;
};

/**
 * The storage time of one ingest, as a bare worker pays it: the contract floor's POST making the same
 * write (one RPC to its workspace's object storing the event and `fanout` deliveries in one transaction)
 * and nothing else, minus its bare GET. Medians after the warm-up.
 */
export async function floorStoreTime(f, fanout = 1) {
  const time = async (path, init) => {
    const start = performance.now();
    const response = await fetch(`${f.url}${path}`, init);
    await response.arrayBuffer();
    return performance.now() - start;
  };
  const post = () =>
    time(`/events?fanout=${fanout}&queue=0`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "contact.updated", contact: nextContact() }),
    });
  const posts = [];
  const pings = [];
  for (let i = 0; i < WARMUP_SINGLE + SINGLE; i++) {
    const p = await post();
    const g = await time("/ping");
    if (i >= WARMUP_SINGLE) {
      posts.push(p);
      pings.push(g);
    }
    await sleep(10);
  }
  const store = summary(posts).median - summary(pings).median;
  return { post: summary(posts), ping: summary(pings), store };
}

/**
 * POST /events of an event no destination subscribes to, and GET /healthz, one after the other: the
 * ingest path alone (the same history write, its fan-out finding nothing), with no consumer sharing the thread.
 */
export async function ingestAlone(p, ws) {
  const posts = [];
  const health = [];
  for (let i = 0; i < WARMUP_SINGLE + SINGLE; i++) {
    let start = performance.now();
    await ingest(p, ws);
    const post = performance.now() - start;
    start = performance.now();
    const response = await fetch(`${p.url}/healthz`);
    await response.arrayBuffer();
    if (i >= WARMUP_SINGLE) {
      posts.push(post);
      health.push(performance.now() - start);
    }
  }
  return { post: summary(posts), healthz: summary(health) };
}
