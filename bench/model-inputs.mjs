// The production model's inputs, measured in this run (bench/model.mjs replays them):
//
// 1. recordSequences: the storage calls the code makes, recorded from inside workerd by the instrumented
//    copy (bench/instrumented.js) while two workspaces ingest, first in batches through
//    POST …/events/batch, then one event per POST /events, interleaved so consumer batches mix both.
//    Per ingest request and per consumer batch: which D1 and Durable Object calls, how many, which ones
//    run at once; and how their count follows the workspaces a batch holds.
// 2. serviceTimes: the CPU each of those calls costs here: n calls, 8 in flight, made from inside workerd
//    (the instrumented copy's /__bench/time routes) on the worker's own objects (their real methods) and
//    D1, workerd's CPU time over them (/proc) per call, minus as many calls to a method or statement that
//    does nothing; and the same for the old layout's D1 statements, on a D1 migrated to the schema before
//    migration 0012. (Their wall time is shown too: locally it also holds waits for the disk.)
import { createDestinations, createWorkspace, ingest, nextContact } from "./api.mjs";
import { storageCalls } from "./diagnostics.mjs";
import { cpuMeter, pool, sleep, startOldLayoutD1 } from "./lib.mjs";
import { historyId, partitionAt, partitionName } from "./objects.mjs";
import { FANOUT } from "./workload.mjs";

const stats = async (p) => (await fetch(`${p.url}/__bench/stats`)).json();
const BATCHES_PER_WORKSPACE = 3;
const SINGLES_PER_WORKSPACE = 40;

/** Each call kind's count per record, and whether it is 1 per record or 1 per workspace of the record. */
function multiplicity(records, workspacesOf) {
  const kinds = new Set(records.flatMap((r) => storageCalls(r).map((c) => c.what)));
  const out = {};
  for (const what of kinds) {
    const counts = records.map((r) => storageCalls(r).filter((c) => c.what === what).length);
    const perRecord = counts.every((n) => n === 1);
    const perWorkspace = records.every((r, i) => counts[i] === workspacesOf(r));
    out[what] = {
      mean: counts.reduce((a, b) => a + b, 0) / counts.length,
      rule: perRecord
        ? "1 per batch"
        : perWorkspace
          ? "1 per workspace (= partition) in the batch"
          : "varies",
    };
  }
  return out;
}

/** Whether the calls before each batch's first `record` ran at once (each started before any ended). */
function concurrentLoad(batches) {
  let together = 0;
  for (const b of batches) {
    const load = storageCalls(b).filter(
      (c) => c.what !== "HISTORY.record" && c.what !== "WORKSPACE.reportOutcomes",
    );
    if (load.length && Math.max(...load.map((c) => c.start)) <= Math.min(...load.map((c) => c.end)))
      together++;
  }
  return together;
}

function ingestSummary(requests) {
  const sig = new Map();
  for (const r of requests) {
    const key = `${storageCalls(r)
      .map((c) => c.what)
      .join(", ")} → ${r.sends.length} × sendBatch`;
    sig.set(key, (sig.get(key) ?? 0) + 1);
  }
  return {
    requests: requests.length,
    signatures: [...sig].map(([s, n]) => ({ sequence: s, requests: n })),
    calls: multiplicity(requests, () => 1),
    sendBatchesPerRequest: requests.reduce((n, r) => n + r.sends.length, 0) / (requests.length || 1),
    messagesPerRequest:
      requests.reduce((n, r) => n + r.sends.reduce((m, x) => m + x.messages, 0), 0) / (requests.length || 1),
  };
}

function consumerSummary(batches) {
  const byWorkspaces = {};
  for (const b of batches) byWorkspaces[b.workspaces] = (byWorkspaces[b.workspaces] ?? 0) + 1;
  return {
    batches: batches.length,
    meanSize: batches.reduce((n, b) => n + b.size, 0) / (batches.length || 1),
    byWorkspaces,
    calls: multiplicity(batches, (b) => b.workspaces),
    loadConcurrent: concurrentLoad(batches),
    reportOutcomes: batches.filter((b) => b.rpc.some((c) => c.method === "reportOutcomes")).length,
  };
}

const deliveryBatches = (s) => s.batches.filter((b) => b.queue === "leadpush-deliveries");

/** Two workspaces ingesting at once, in batches and then event by event, on the instrumented copy `p`. */
export async function recordSequences(p, receiver) {
  const spaces = [];
  for (const name of ["model A", "model B"]) {
    const ws = await createWorkspace(p, name);
    await createDestinations(p, ws, FANOUT, receiver.url);
    const warm = await ingest(p, ws); // the partition's first write: its tables and registration
    await receiver.expect(
      warm.deliveries.map((d) => d.id),
      10_000,
    );
    spaces.push(ws);
  }
  await sleep(200);
  await stats(p);

  const before = receiver.counts().total;
  const cpu = cpuMeter(p.pid);
  const t0 = performance.now();
  const posts = spaces.flatMap((ws) => Array.from({ length: BATCHES_PER_WORKSPACE }, () => ws));
  const answers = await Promise.all(
    posts.map((ws) =>
      p.client("POST", `/v1/workspaces/${ws.uuid}/events/batch`, {
        token: ws.key,
        body: {
          events: Array.from({ length: 100 }, () => ({ type: "contact.updated", contact: nextContact() })),
        },
        expect: 202,
      }),
    ),
  );
  const deliveries = answers.reduce(
    (n, a) => n + a.json.results.reduce((m, r) => m + r.delivery_count, 0),
    0,
  );
  while (receiver.counts().total - before < deliveries && performance.now() - t0 < 60_000) await sleep(10);
  const wallMs = performance.now() - t0;
  const used = cpu();
  await sleep(300);
  const batched = await stats(p);

  // Alternating workspaces, so consumer batches hold both.
  const singles = Array.from(
    { length: SINGLES_PER_WORKSPACE * spaces.length },
    (_, i) => spaces[i % spaces.length],
  );
  const ids = (await pool(singles.length, 20, (i) => ingest(p, singles[i]))).flatMap((a) =>
    a.deliveries.map((d) => d.id),
  );
  await receiver.expect(ids, 30_000);
  await sleep(300);
  const single = await stats(p);

  const isBatch = (r) => r.method === "POST" && /\/events\/batch$/.test(r.path);
  const isSingle = (r) => r.method === "POST" && /\/events$/.test(r.path);
  return {
    deliveries,
    wallMs,
    cpuMsPerDelivery: used.totalMs / deliveries,
    batchIngest: ingestSummary(batched.requests.filter(isBatch)),
    batchConsumer: consumerSummary(deliveryBatches(batched)),
    singleIngest: ingestSummary(single.requests.filter(isSingle)),
    singleConsumer: consumerSummary(deliveryBatches(single)),
  };
}

// ---------------------------------------------------------------------------------------------------
// Service times

/** a + b × n through two measured points (n1, t1), (n2, t2); neither below 0. */
function linear(n1, t1, n2, t2) {
  const b = Math.max(0, (t2 - t1) / (n2 - n1));
  return {
    a: Math.max(0, t1 - b * n1),
    b,
    points: [
      [n1, t1],
      [n2, t2],
    ],
  };
}

const postJson = async (url, body) => {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return response.json();
};
const times = (n, f) => Array.from({ length: n }, (_, i) => f(i));
// Calls in flight at once while timing, as a busy object or database meets them.
const IN_FLIGHT = 8;
const REPEATS = 3; // each figure is the median of 3 timed blocks: the host is shared

/**
 * A timed block: `run()` makes n calls (its answer says n and its ms inside workerd); the workerd process
 * `pid`'s CPU time over it (/proc, 10 ms ticks: each block is sized to take ≥ 100 ms) per call. The median
 * of REPEATS blocks, { cpu, wall } ms per call.
 */
async function block(pid, run) {
  const out = [];
  for (let i = 0; i < REPEATS; i++) {
    const cpu = cpuMeter(pid);
    const r = await run();
    out.push({ cpu: cpu().totalMs / r.n, wall: r.ms / r.n, answer: r });
  }
  const mid = (k) => out.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(out.length / 2)];
  return { cpu: mid("cpu"), wall: mid("wall"), answers: out.map((x) => x.answer) };
}

/** `x` minus `nothing` (the same number of calls that do nothing), per call; never below 0. */
const minus = (x, nothing) => ({
  cpu: Math.max(0, x.cpu - nothing.cpu),
  wall: Math.max(0, x.wall - nothing.wall),
});

const attemptOf = (ref, now) => ({
  destinationId: ref.destinationId,
  attempt: {
    deliveryId: ref.id,
    number: 1,
    startedAt: now,
    method: "POST",
    url: "https://hooks.example.com/v1/contacts/ct_1/contact.updated?workspace=w&source=leadpush",
    requestHeaders: [
      ["content-type", "application/json"],
      ["x-contact-email", "ada@example.com"],
    ],
    responseStatus: 200,
    responseBody: "",
    durationMs: 12,
    errorClass: null,
    errorMessage: null,
  },
  status: "succeeded",
  nextAttemptAt: null,
  laneDueAt: null,
  reason: null,
});

/**
 * The worker's own objects and D1, on the instrumented copy `p`: each call of the sequences at two sizes,
 * called from inside workerd (its /__bench/time routes), minus the same number of calls that do nothing.
 */
async function newLayout(p, receiver) {
  const ws = await createWorkspace(p, "model calibration");
  const destinations = await createDestinations(p, ws, FANOUT, receiver.url);
  const seconds = 24 * 3600;
  const part = partitionAt(ws.uuid, Date.now(), seconds);
  const name = partitionName(part);
  // Each block makes its arguments afresh (new events, fresh deliveries to record).
  const rpc =
    (binding, target, method, makeArgs, keep = false) =>
    () =>
      postJson(`${p.url}/__bench/time`, {
        binding,
        name: target,
        method,
        argsList: makeArgs(),
        keep,
        concurrency: IN_FLIGHT,
      });
  const timed = (run) => block(p.pid, run);
  const event = () => {
    const id = historyId("evt", Math.max(part.start, Date.now()), seconds);
    const payload = JSON.stringify({
      event: { id, type: "contact.updated" },
      workspace: { uuid: ws.uuid },
      contact: nextContact(),
    });
    return { id, type: "contact.updated", payload, targets: destinations };
  };
  const refs = [];
  const store = async (n, events) => {
    const r = await timed(
      rpc("HISTORY", name, "store", () => times(n, () => [part, times(events, event)]), "created"),
    );
    for (const answer of r.answers)
      for (const results of answer.results) for (const created of results) refs.push(...created);
    return r;
  };
  await rpc("HISTORY", name, "store", () => [[part, [event()]]])(); // its tables
  const empty = await timed(rpc("HISTORY", name, "answers", () => times(1000, () => [part, []])));
  const store1 = minus(await store(200, 1), empty);
  const store100 = minus(await store(10, 100), empty);
  const slice = (n) => (i) => [part, refs.slice(i * n, i * n + n)];
  const load10 = minus(await timed(rpc("HISTORY", name, "load", () => times(1000, slice(10)))), empty);
  const load100 = minus(await timed(rpc("HISTORY", name, "load", () => times(200, slice(100)))), empty);
  let next = 0;
  const take = (n) => {
    next += n;
    return refs.slice(next - n, next);
  };
  const outcomes = (n) => () => [part, take(n).map((r) => attemptOf(r, Date.now())), [], "x"];
  const record10 = minus(await timed(rpc("HISTORY", name, "record", () => times(300, outcomes(10)))), empty);
  const record100 = minus(await timed(rpc("HISTORY", name, "record", () => times(50, outcomes(100)))), empty);
  const health = minus(
    await timed(rpc("WORKSPACE", ws.uuid, "health", () => times(1000, () => [destinations]))),
    empty,
  );
  const d1 = (statement, binds) => () =>
    postJson(`${p.url}/__bench/time-d1`, {
      statements: [statement],
      bindsList: times(500, () => [binds]),
      concurrency: IN_FLIGHT,
    });
  const d1Nothing = await timed(d1("SELECT 1", []));
  const ids = JSON.stringify(destinations);
  const d1Destinations = minus(
    await timed(d1("SELECT * FROM destinations WHERE id IN (SELECT value FROM json_each(?1))", [ids])),
    d1Nothing,
  );
  const both = { store1, store100, load10, load100, record10, record100, health, d1Destinations };
  return {
    nothing: empty,
    d1Nothing,
    measured: both,
    // The model's inputs: CPU per call (wall time here also holds waits for the local disk).
    store: linear(FANOUT, store1.cpu, 100 * FANOUT, store100.cpu), // ms by deliveries stored (10 per event)
    load: linear(10, load10.cpu, 100, load100.cpu), // by deliveries loaded
    record: linear(10, record10.cpu, 100, record100.cpu), // by outcomes recorded
    health: { a: health.cpu, b: 0 },
    d1Destinations: { a: d1Destinations.cpu, b: 0 },
  };
}

// The old layout's D1 statements (the contract floor's before migration 0012, same shapes as the worker's
// then: one write batch per ingest, one read and one write batch per consumer batch).
const OLD = {
  event: "INSERT INTO events (workspace_uuid, id, type, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
  deliveries: `INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
    next_attempt_at, created_at, updated_at) SELECT value ->> 0, ?1, value ->> 1, ?2, ?3, 'pending', 0, ?4, ?4, ?4 FROM json_each(?5)`,
  load: `SELECT d.id, d.event_type, e.payload FROM deliveries AS d
    JOIN events AS e ON e.workspace_uuid = d.workspace_uuid AND e.id = d.event_id WHERE d.id IN (SELECT value FROM json_each(?1))`,
  attempts: `INSERT INTO attempts (delivery_id, number, started_at, method, url, request_headers, response_status,
    response_body, duration_ms, error_class, error_message) SELECT value ->> 'd', 1, value ->> 's', 'POST', ?2, '[]', 200, '', 12, NULL, NULL FROM json_each(?1)`,
  outcomes: `UPDATE deliveries SET status = 'succeeded', attempts_made = 1, next_attempt_at = NULL, updated_at = ?1
    FROM json_each(?2) AS u WHERE deliveries.id = u.value ->> 'd'`,
};

async function oldLayout(config) {
  const old = await startOldLayoutD1(config);
  try {
    const db = old.db;
    const ws = crypto.randomUUID();
    const now = Date.now();
    const destinations = Array.from({ length: FANOUT }, (_, i) => `dst_${String(i + 1).padStart(32, "0")}`);
    await db.batch([
      db.prepare("INSERT INTO workspaces (uuid, name, created_at) VALUES (?1, 'old', ?2)").bind(ws, now),
      ...destinations.map((id) =>
        db
          .prepare(
            `INSERT INTO destinations (id, workspace_uuid, name, method, url_template, secret_ciphertext, secret_hint, created_at, updated_at)
             VALUES (?1, ?2, 'old', 'POST', 'https://hooks.example.com/x', 'v1.unused.unused', 'xxxx', ?3, ?3)`,
          )
          .bind(id, ws, now),
      ),
    ]);
    // Each block makes its binds afresh (new ids, fresh deliveries to record).
    const time = (statements, makeBinds) => () =>
      postJson(`${old.url}/time-d1`, { statements, bindsList: makeBinds(), concurrency: IN_FLIGHT });
    const timed = (run) => block(old.pid, run);
    const hex = () =>
      Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => b.toString(16).padStart(2, "0")).join("");
    const ids = [];
    const write = (n) => {
      const at = Date.now();
      const eventId = `evt_${at.toString(16).padStart(12, "0")}${hex()}`;
      const rows = times(n, (i) => [
        `dlv_${at.toString(16).padStart(12, "0")}${hex()}`,
        destinations[i % FANOUT],
      ]);
      ids.push(...rows.map((r) => r[0]));
      const payload = JSON.stringify({
        event: { id: eventId, type: "contact.updated" },
        contact: nextContact(),
      });
      return [
        [ws, eventId, "contact.updated", payload, at],
        [ws, eventId, "contact.updated", at, JSON.stringify(rows)],
      ];
    };
    await time([OLD.event, OLD.deliveries], () => [write(FANOUT)])();
    const nothing = await timed(time(["SELECT 1"], () => times(500, () => [[]])));
    const ingest = minus(
      await timed(time([OLD.event, OLD.deliveries], () => times(200, () => write(FANOUT)))),
      nothing,
    );
    await time([OLD.event, OLD.deliveries], () => times(20, () => write(1000)))(); // deliveries for the records below
    const slice = (n) => (i) => [[JSON.stringify(ids.slice(i * n, i * n + n))]];
    const load10 = minus(await timed(time([OLD.load], () => times(500, slice(10)))), nothing);
    const load100 = minus(await timed(time([OLD.load], () => times(200, slice(100)))), nothing);
    let next = 0;
    const record = (n) => () => {
      next += n;
      const out = JSON.stringify(ids.slice(next - n, next).map((d) => ({ d, s: Date.now() })));
      return [
        [out, "https://hooks.example.com/x"],
        [Date.now(), out],
      ];
    };
    const record10 = minus(
      await timed(time([OLD.attempts, OLD.outcomes], () => times(300, record(10)))),
      nothing,
    );
    const record100 = minus(
      await timed(time([OLD.attempts, OLD.outcomes], () => times(50, record(100)))),
      nothing,
    );
    return {
      migrations: `${old.migrations[0]} … ${old.migrations[old.migrations.length - 1]}`,
      nothing,
      measured: { ingest, load10, load100, record10, record100 },
      ingest: { a: ingest.cpu, b: 0 }, // one event and its FANOUT deliveries
      load: linear(10, load10.cpu, 100, load100.cpu),
      record: linear(10, record10.cpu, 100, record100.cpu),
    };
  } finally {
    await old.mf.dispose();
  }
}

/** Service times of the new layout's calls (on the instrumented copy `p`) and of the old layout's. */
export async function serviceTimes(p, receiver, config) {
  return { new: await newLayout(p, receiver), old: await oldLayout(config) };
}
