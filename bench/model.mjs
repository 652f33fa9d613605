// The production model: a discrete-event simulation of the delivery path on Cloudflare, in which each D1
// database and each Durable Object serves one request at a time (first come, first served), fed with the
// storage calls the code makes (recorded in this run, bench/model-inputs.mjs) and their service times:
// Cloudflare's documented figures plus what each call executes here. It prints deliveries/s for 1, 4, 16
// and 64 busy workspaces, the old layout (everything on one D1) beside the new (each workspace's history
// in its own objects). The sources of every constant are in BENCHMARKS.md ("Production model").

/** Documented limits and the assumptions the model adds to them (BENCHMARKS.md cites each). */
export const MODEL = {
  doBaseMs: 1, // a Durable Object's soft limit: 1,000 requests/s → 1 ms per request, before its own work
  d1ReadBaseMs: 1, // D1: "If your average query takes 1 ms, you can run approximately 1,000 queries per second"
  d1WriteBaseMs: 3, // D1: writes "can take several milliseconds" (durably persisted across several locations)
  queueMessagesPerSecond: 5000, // Queues: per-queue message throughput
  consumerConcurrency: 250, // Queues: concurrent consumer invocations per queue, autoscaled (see consume)
  consumerHeadroom: 1.25, // assumption: Queues runs 25 % more consumers than full batches would need
  maxBatch: 100, // Queues: maximum consumer batch size (wrangler.toml: 100, max_batch_timeout 0)
  sendBatchMax: 100, // Queues: messages per sendBatch
  sendSlots: 6, // Workers: simultaneous open connections per invocation (src/dispatch/slots.ts)
  receiverMs: 50, // assumption: a receiver answers in 50 ms
  rttMs: 1, // assumption: a round trip from a Worker to a D1 database or an object in the same region
  warmupS: 3,
  measureS: 6,
  // Kept up: what is offered but not yet delivered grows by at most 2 % of the offered rate over the
  // measured window (least squares over samples every 100 ms), and no server is busy 99 % of it or more.
  maxGrowth: 0.02,
  maxUtilization: 0.99,
};

// ---------------------------------------------------------------------------------------------------
// The event loop: a binary heap of (time, sequence, action)

class Sim {
  t = 0;
  #heap = [];
  #seq = 0;
  at(t, fn) {
    const h = this.#heap;
    h.push({ t, s: this.#seq++, fn });
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (before(h[parent], h[i])) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }
  run(until) {
    const h = this.#heap;
    while (h.length && h[0].t <= until) {
      const top = h[0];
      const last = h.pop();
      if (h.length) {
        h[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && before(h[l], h[m])) m = l;
          if (r < h.length && before(h[r], h[m])) m = r;
          if (m === i) break;
          [h[m], h[i]] = [h[i], h[m]];
          i = m;
        }
      }
      this.t = top.t;
      top.fn();
    }
  }
}
const before = (a, b) => a.t < b.t || (a.t === b.t && a.s < b.s);

/** One request at a time, first come first served; counts its busy time inside the measured window. */
class Server {
  constructor(sim, name, window) {
    Object.assign(this, { sim, name, window, freeAt: 0, busy: 0, requests: 0 });
  }
  /** Serves `ms` of work; `done` runs when the answer is back (`rtt` later). */
  serve(ms, done, rtt = 0) {
    const start = Math.max(this.sim.t, this.freeAt);
    const end = start + ms;
    this.freeAt = end;
    const [w0, w1] = this.window;
    this.busy += Math.max(0, Math.min(end, w1) - Math.max(start, w0));
    if (start >= w0 && start < w1) this.requests++;
    this.sim.at(end + rtt, done);
  }
}

/** Runs `calls` (each `(done) => …`) at once; `then` when all are done. */
function all(calls, then) {
  let left = calls.length;
  if (!left) return then();
  for (const call of calls) call(() => --left === 0 && then());
}

const svc = (f, n) => f.a + f.b * n;

/** The least-squares slope of [x, y] points. */
function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den ? num / den : 0;
}

/**
 * One scenario at one offered rate: `layout` "old" (one D1 for everything) or "new" (each workspace's
 * partition and workspace object; D1 read for destinations per consumer batch), `events` per ingest
 * request, `workspaces` busy at once (each offering rate / workspaces deliveries/s, ingest requests evenly
 * spaced), `queues` "one" (wrangler.toml) or "per-workspace". Whether it keeps up, and its busiest server.
 */
export function simulate({ layout, events, workspaces, queues = "one", rate }, inputs, m = MODEL) {
  const sim = new Sim();
  const window = [m.warmupS * 1000, (m.warmupS + m.measureS) * 1000];
  const inWindow = () => sim.t >= window[0] && sim.t < window[1];
  const d1 = new Server(sim, "the D1 database", window);
  const history = Array.from({ length: workspaces }, () => new Server(sim, "a history object", window));
  const coordinator = Array.from({ length: workspaces }, () => new Server(sim, "a workspace object", window));
  const queueCount = queues === "one" ? 1 : workspaces;
  const queue = Array.from({ length: queueCount }, () => ({
    server: new Server(sim, queueCount === 1 ? "the queue" : "a queue", window),
    backlog: [],
    head: 0,
    running: 0,
    concurrency: 1,
    arrived: 0,
    arrivedBefore: 0,
    invocations: 0,
    invocationMs: 0,
  }));
  const s = inputs.services;
  const cpu = inputs.cpuMsPerDelivery;
  const fanout = inputs.fanout;
  const count = {
    offered: 0,
    offeredInWindow: 0,
    delivered: 0,
    deliveredInWindow: 0,
    batches: 0,
    batchMessages: 0,
  };

  const invocation = (batch, done) => {
    const n = batch.length;
    const perWs = new Map();
    for (const ws of batch) perWs.set(ws, (perWs.get(ws) ?? 0) + 1);
    const sends = (then) => sim.at(sim.t + Math.ceil(n / m.sendSlots) * m.receiverMs + n * cpu, then);
    if (layout === "old") {
      const record = () => d1.serve(m.d1WriteBaseMs + svc(s.old.record, n), done, m.rttMs);
      d1.serve(m.d1ReadBaseMs + svc(s.old.load, n), () => sends(record), m.rttMs);
      return;
    }
    const load = [
      (k) => d1.serve(m.d1ReadBaseMs + svc(s.new.d1Destinations, n), k, m.rttMs),
      ...[...perWs].flatMap(([ws, k2]) => [
        (k) => coordinator[ws].serve(m.doBaseMs + svc(s.new.health, k2), k, m.rttMs),
        (k) => history[ws].serve(m.doBaseMs + svc(s.new.load, k2), k, m.rttMs),
      ]),
    ];
    const record = [...perWs].map(
      ([ws, k2]) =>
        (k) =>
          history[ws].serve(m.doBaseMs + svc(s.new.record, k2), k, m.rttMs),
    );
    all(load, () => sends(() => all(record, done)));
  };

  // Queues' autoscaling keeps the backlog from growing (its documentation gives no formula): here, every
  // 100 ms, as many consumers as the last second's arrivals need in full batches at the mean invocation
  // time so far, plus consumerHeadroom, up to consumerConcurrency. A free consumer takes what is there, up
  // to maxBatch.
  const autoscale = () => {
    for (const q of queue) {
      const arrivals = (q.arrived - q.arrivedBefore) * 10; // per second, over the last 100 ms
      q.arrivedBefore = q.arrived;
      q.rate = q.rate === undefined ? arrivals : 0.9 * q.rate + 0.1 * arrivals; // ~1 s average
      const duration = q.invocations ? q.invocationMs / q.invocations / 1000 : 1;
      const needed = Math.ceil((m.consumerHeadroom * q.rate * duration) / m.maxBatch) + 1;
      q.concurrency = Math.min(m.consumerConcurrency, Math.max(1, needed));
      consume(q);
    }
    if (sim.t < window[1]) sim.at(sim.t + 100, autoscale);
  };
  const consume = (q) => {
    while (q.running < q.concurrency && q.head < q.backlog.length) {
      const batch = q.backlog.slice(q.head, q.head + m.maxBatch);
      q.head += batch.length;
      if (q.head > 10_000) {
        q.backlog = q.backlog.slice(q.head);
        q.head = 0;
      }
      q.running++;
      if (inWindow()) {
        count.batches++;
        count.batchMessages += batch.length;
      }
      const started = sim.t;
      invocation(batch, () => {
        q.running--;
        q.invocations++;
        q.invocationMs += sim.t - started;
        count.delivered += batch.length;
        if (inWindow()) count.deliveredInWindow += batch.length;
        consume(q);
      });
    }
  };

  /** sendBatch calls of at most 100 messages, one after the other, each through its queue's rate limit. */
  const enqueue = (ws, left) => {
    if (left <= 0) return;
    const chunk = Math.min(m.sendBatchMax, left);
    const q = queue[queueCount === 1 ? 0 : ws];
    q.server.serve(
      (chunk / m.queueMessagesPerSecond) * 1000,
      () => {
        for (let i = 0; i < chunk; i++) q.backlog.push(ws);
        q.arrived += chunk;
        consume(q);
        enqueue(ws, left - chunk);
      },
      m.rttMs,
    );
  };

  const deliveries = events * fanout;
  const ingest = (ws) => {
    count.offered += deliveries;
    if (inWindow()) count.offeredInWindow += deliveries;
    const then = () => enqueue(ws, deliveries);
    if (layout === "old") d1.serve(m.d1WriteBaseMs + events * svc(s.old.ingest, 1), then, m.rttMs);
    else history[ws].serve(m.doBaseMs + svc(s.new.store, deliveries), then, m.rttMs);
  };
  const gap = (deliveries / (rate / workspaces)) * 1000; // ms between one workspace's ingest requests
  for (let ws = 0; ws < workspaces; ws++)
    for (let t = (gap * ws) / workspaces; t < window[1]; t += gap) sim.at(t, () => ingest(ws));
  sim.at(0, autoscale);
  const samples = [];
  for (let t = window[0]; t < window[1]; t += 100)
    sim.at(t, () => samples.push([sim.t / 1000, count.offered - count.delivered]));
  sim.run(window[1]);

  const servers = [d1, ...history, ...coordinator, ...queue.map((q) => q.server)];
  const busiest = servers.reduce((a, b) => (b.busy > a.busy ? b : a));
  const span = window[1] - window[0];
  const growth = slope(samples); // deliveries/s by which the outstanding grow
  const keptUp =
    growth <= m.maxGrowth * rate &&
    busiest.busy / span < m.maxUtilization &&
    count.deliveredInWindow >= (1 - m.maxGrowth) * count.offeredInWindow - workspaces * deliveries;
  return {
    growth,
    rate,
    keptUp,
    delivered: count.deliveredInWindow / m.measureS,
    meanBatch: count.batchMessages / (count.batches || 1),
    bottleneck: busiest.name,
    utilization: busiest.busy / span,
    d1Utilization: d1.busy / span,
  };
}

/** The highest offered rate a scenario keeps up with: bisection on a log scale between 100 and 1,000,000/s. */
export function ceiling(scenario, inputs, m = MODEL) {
  let lo = 100;
  let hi = 1_000_000;
  let best = simulate({ ...scenario, rate: lo }, inputs, m);
  for (let i = 0; i < 12 && hi / lo > 1.01; i++) {
    const mid = Math.sqrt(lo * hi);
    const r = simulate({ ...scenario, rate: mid }, inputs, m);
    if (r.keptUp) {
      lo = mid;
      best = r;
    } else hi = mid;
  }
  // At the ceiling's next step up: what saturated.
  const over = simulate({ ...scenario, rate: hi }, inputs, m);
  return {
    deliveriesPerSecond: lo,
    atCeiling: best,
    saturated: over.bottleneck,
    saturatedUtilization: over.utilization,
    meanBatch: best.meanBatch,
  };
}

export const WORKSPACES = [1, 4, 16, 64];
export const SCENARIOS = [
  { key: "old", label: "old layout: one D1, one event per request", layout: "old", events: 1 },
  { key: "newSingle", label: "new: one event per request", layout: "new", events: 1 },
  { key: "newBatch", label: "new: batches of 100 events", layout: "new", events: 100 },
  {
    key: "newBatchQueues",
    label: "new, batches, one queue per workspace (not configured)",
    layout: "new",
    events: 100,
    queues: "per-workspace",
  },
];

/** Every scenario at every workspace count, and one workspace's own ceiling (no queue limit). */
export function runModel(inputs) {
  const out = {};
  for (const sc of SCENARIOS)
    out[sc.key] = WORKSPACES.map((workspaces) => ({ workspaces, ...ceiling({ ...sc, workspaces }, inputs) }));
  const unlimited = { ...MODEL, queueMessagesPerSecond: 1e9 };
  const own = ceiling({ layout: "new", events: 100, workspaces: 1 }, inputs, unlimited);
  const ownSingle = ceiling({ layout: "new", events: 1, workspaces: 1 }, inputs, unlimited);
  return {
    model: MODEL,
    scenarios: SCENARIOS,
    results: out,
    workspaceCeiling: own,
    workspaceCeilingSingle: ownSingle,
  };
}

/** The model's inputs from this run's measurements (bench/model-inputs.mjs). */
export const modelInputs = (recorded, services, fanout) => ({
  fanout,
  cpuMsPerDelivery: recorded.cpuMsPerDelivery,
  services,
});

const fmt = (x) => Math.round(x).toLocaleString("en");

/** The lines printed under the table: inputs, sequences, and deliveries/s per scenario. */
export function modelLines(m) {
  const { recorded: r, services: s, run } = m;
  const lines = [];
  const seq = (x) => x.signatures.map((g) => `[${g.sequence}] ×${g.requests}`).join("; ");
  lines.push(
    `  recorded (instrumented copy, ${r.deliveries} deliveries of 2 workspaces in batches of 100 events, then one event per POST):`,
  );
  lines.push(
    `    POST …/events/batch: ${seq(r.batchIngest)}; ${r.batchIngest.messagesPerRequest.toFixed(0)} messages per request`,
  );
  lines.push(`    POST …/events: ${seq(r.singleIngest)}`);
  for (const [name, c] of [
    ["after batches", r.batchConsumer],
    ["after single events", r.singleConsumer],
  ])
    lines.push(
      `    consumer batch (${name}: ${c.batches} batches, mean ${c.meanSize.toFixed(1)} messages, by workspaces held ${JSON.stringify(c.byWorkspaces)}): ` +
        Object.entries(c.calls)
          .map(([k, v]) => `${k} ${v.mean.toFixed(2)} (${v.rule})`)
          .join(", ") +
        `; the calls before HISTORY.record ran at once in ${c.loadConcurrent} of ${c.batches}; WORKSPACE.reportOutcomes in ${c.reportOutcomes}`,
    );
  const n = s.new.measured;
  const o = s.old.measured;
  const cw = (x) => `${x.cpu.toFixed(3)} (${x.wall.toFixed(2)})`;
  lines.push(
    `  CPU per call here, ms (wall in brackets), 8 calls in flight from inside workerd, minus as many calls doing nothing ` +
      `(${s.new.nothing.cpu.toFixed(3)} (${s.new.nothing.wall.toFixed(3)})): HISTORY.store of 10 / 1,000 deliveries ${cw(n.store1)} / ${cw(n.store100)}, ` +
      `HISTORY.load of 10 / 100 ${cw(n.load10)} / ${cw(n.load100)}, HISTORY.record of 10 / 100 ${cw(n.record10)} / ${cw(n.record100)}, ` +
      `WORKSPACE.health ${cw(n.health)}, D1 destinations ${cw(n.d1Destinations)}`,
  );
  lines.push(
    `  old layout's D1 (migrations ${s.old.migrations}): ingest batch (event + 10 deliveries) ${cw(o.ingest)}, load of 10 / 100 ` +
      `${cw(o.load10)} / ${cw(o.load100)}, record of 10 / 100 ${cw(o.record10)} / ${cw(o.record100)}; ` +
      `Worker CPU per delivery (whole workerd, upper bound) ${r.cpuMsPerDelivery.toFixed(3)} ms`,
  );
  const M = run.model;
  lines.push(
    `  service time = documented base + the above: object ${M.doBaseMs} ms, D1 read ${M.d1ReadBaseMs} ms, D1 write ${M.d1WriteBaseMs} ms; ` +
      `queue ${fmt(M.queueMessagesPerSecond)} messages/s, ${M.consumerConcurrency} consumers of ≤ ${M.maxBatch}; ${M.sendSlots} sends at a time, ` +
      `receiver ${M.receiverMs} ms, round trip ${M.rttMs} ms; the ceiling is the highest offered rate kept up: over ${M.measureS} s ` +
      `(after ${M.warmupS} s), what waits grows by ≤ ${M.maxGrowth * 100} % of it and no server is busy ≥ ${M.maxUtilization * 100} %`,
  );
  const head = ["workspaces", ...WORKSPACES.map(String)];
  const rows = run.scenarios.map((sc) => [
    sc.label,
    ...run.results[sc.key].map(
      (x) => `${fmt(x.deliveriesPerSecond)} (${x.saturated}, batch ${x.meanBatch.toFixed(0)})`,
    ),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (c) => `  | ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
  lines.push(line(head), `  |${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line));
  const own = (x) => `${fmt(x.deliveriesPerSecond)} (then ${x.saturated})`;
  lines.push(
    `  one workspace's own ceiling, the queue's limit lifted: batches of 100 ${own(run.workspaceCeiling)}; one event per request ${own(run.workspaceCeilingSingle)}`,
  );
  return lines;
}
