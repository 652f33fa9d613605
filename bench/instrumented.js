// Diagnostics and cost: wraps the built worker (dist/index.js, unchanged) to record, from inside workerd,
// every D1 call, queue send and message acknowledgement of each request, queue batch and cron run.
// Not used for the headline throughput figures. bench/run.mjs loads it as the entry module next to the
// bundle, so `./index.js` is the real worker.
//
// For each D1 round trip it records when it started and ended (workerd's Date.now(), which advances
// across I/O: good for D1 and fetch waits, blind to pure CPU between them), its statements, and D1's own
// `meta.rows_read` / `meta.rows_written` of each statement. Those are read where D1's client gets them
// (the session's `_sendOrThrow`), because `raw()` and `first()`, which drizzle uses, drop `meta`. If a
// future workerd lacks that method, the wrapper still times calls but says it could not count rows.
//
// GET  /__bench/stats      returns (and clears) what was recorded
// POST /__bench/scheduled  runs the worker's cron handler (recovery sweep, retention purge) once, recorded
import worker, { DestinationLane as Lane } from "./index.js";

export { WorkspaceCoordinator } from "./index.js";

let requests = [];
let batches = [];
let crons = [];
// What the destinations' lanes did (Durable Objects of this same script): D1 round trips and queue sends.
let laneD1 = [];
let laneSends = [];
const laneRecord = {
  get d1() {
    return laneD1;
  },
  get sends() {
    return laneSends;
  },
};

/** The lane with its D1 and queues metered, into the module's lane record. */
export class DestinationLane extends Lane {
  constructor(ctx, env) {
    super(ctx, instrumentedEnv(env, laneRecord));
  }
}

const snippet = (sql) => sql.replace(/\s+/g, " ").trim().slice(0, 80);

/** A D1Database that records every round trip into `record.d1`. */
function meteredDatabase(db, record) {
  const session = db.alwaysPrimarySession;
  if (!session || typeof session._sendOrThrow !== "function") {
    record.unmetered = true;
    return db;
  }
  const metered = Object.create(session);
  metered._sendOrThrow = async (endpoint, query, params, ...rest) => {
    const start = Date.now();
    let results;
    try {
      results = await session._sendOrThrow(endpoint, query, params, ...rest);
      return results;
    } finally {
      const sqls = Array.isArray(query) ? query : [query];
      const list = Array.isArray(results) ? results : results ? [results] : [];
      const statements = sqls.map((sql, i) => ({
        sql: snippet(sql),
        rowsRead: list[i]?.meta?.rows_read ?? 0,
        rowsWritten: list[i]?.meta?.rows_written ?? 0,
      }));
      record.d1.push({
        what: Array.isArray(query) ? "batch" : "statement",
        sql: statements.length === 1 ? statements[0].sql : "",
        statements,
        rowsRead: statements.reduce((s, x) => s + x.rowsRead, 0),
        rowsWritten: statements.reduce((s, x) => s + x.rowsWritten, 0),
        failed: results === undefined,
        start,
        end: Date.now(),
      });
    }
  };
  return {
    prepare: (sql) => metered.prepare(sql),
    batch: (statements) => metered.batch(statements),
    exec: (sql) => db.exec(sql),
    dump: () => db.dump(),
    withSession: (...args) => db.withSession(...args),
  };
}

/** A queue producer binding that counts the messages written. */
function countedQueue(queue, name, record) {
  const timed = async (messages, call) => {
    const start = Date.now();
    try {
      return await call();
    } finally {
      record.sends.push({ queue: name, messages, start, end: Date.now() });
    }
  };
  return {
    send: (body, options) => timed(1, () => queue.send(body, options)),
    sendBatch: (messages, options) => timed(messages.length, () => queue.sendBatch(messages, options)),
  };
}

function instrumentedEnv(env, record) {
  const out = { ...env, DB: meteredDatabase(env.DB, record) };
  for (const [binding, name] of [
    ["DELIVERY_QUEUE", "leadpush-deliveries"],
    ["DEAD_LETTER_QUEUE", "leadpush-deliveries-dlq"],
  ])
    if (env[binding]) out[binding] = countedQueue(env[binding], name, record);
  return out;
}

/** The batch with each message's ack() and retry() counted (the Queues bill counts a delete per ack). */
function countedBatch(batch, record) {
  const settledIds = new Set();
  const count = (kind, id) => {
    if (settledIds.has(id)) return;
    settledIds.add(id);
    record[kind]++;
  };
  const messages = batch.messages.map((m) => ({
    get id() {
      return m.id;
    },
    get timestamp() {
      return m.timestamp;
    },
    get body() {
      return m.body;
    },
    get attempts() {
      return m.attempts;
    },
    ack() {
      count("acked", m.id);
      m.ack();
    },
    retry(options) {
      count("retried", m.id);
      m.retry(options);
    },
  }));
  return {
    queue: batch.queue,
    messages,
    ackAll() {
      for (const m of batch.messages) count("acked", m.id);
      batch.ackAll();
    },
    retryAll(options) {
      for (const m of batch.messages) count("retried", m.id);
      batch.retryAll(options);
    },
    settledIds,
  };
}

const newRecord = (fields) => ({ ...fields, start: Date.now(), d1: [], sends: [] });

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/stats") {
      const out = Response.json({ requests, batches, crons, lanes: { d1: laneD1, sends: laneSends } });
      requests = [];
      batches = [];
      crons = [];
      laneD1 = [];
      laneSends = [];
      return out;
    }
    if (url.pathname === "/__bench/scheduled" && request.method === "POST") {
      const record = newRecord({ cron: "* * * * *" });
      const controller = { cron: record.cron, scheduledTime: Date.now(), noRetry() {} };
      try {
        await worker.scheduled(controller, instrumentedEnv(env, record), ctx);
      } finally {
        record.end = Date.now();
        crons.push(record);
      }
      return Response.json({ ok: true });
    }
    const record = newRecord({ method: request.method, path: url.pathname });
    const response = await worker.fetch(request, instrumentedEnv(env, record), ctx);
    record.end = Date.now();
    record.status = response.status;
    requests.push(record);
    return response;
  },

  async queue(batch, env, ctx) {
    const record = newRecord({ queue: batch.queue, size: batch.messages.length, acked: 0, retried: 0 });
    const counted = countedBatch(batch, record);
    try {
      await worker.queue(counted, instrumentedEnv(env, record), ctx);
      // A message neither acked nor retried by a handler that returned is acknowledged by Queues.
      record.implicitlyAcked = batch.messages.length - counted.settledIds.size;
    } catch (error) {
      record.threw = String(error);
      throw error;
    } finally {
      record.end = Date.now();
      batches.push(record);
    }
  },
};
