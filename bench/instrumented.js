// Diagnostics, cost and the production model's inputs: wraps the built worker (dist/index.js, unchanged)
// to record, from inside workerd, what each request, queue batch and Durable Object does with storage.
// Not used for the headline throughput figures. bench/run.mjs loads it as the entry module next to the
// bundle, so `./index.js` is the real worker.
//
// - Each request's and batch's D1 round trips (statements, D1's own meta.rows_read / rows_written, read
//   where D1's client gets them: the session's `_sendOrThrow`, because `raw()` and `first()`, which drizzle
//   uses, drop `meta`), queue sends, acks and retries, and every RPC call it makes to a Durable Object
//   (binding, method, start, end): the sequence of storage calls the model replays (bench/model.mjs).
// - Inside each Durable Object (WorkspaceHistory, WorkspaceCoordinator, DestinationLane): every RPC method
//   call and alarm (each one a billed request), every `sql.exec` with its cursor's rowsRead / rowsWritten,
//   each setAlarm (billed as a row written), each synchronous KV put / get (rows in a hidden table), and
//   each deleteAll with the rows and bytes it removed. The objects' classes are the worker's own: the
//   subclasses below only patch their own `ctx.storage` before the worker's constructor runs.
//
// Times are workerd's Date.now(), which advances across I/O only: good for D1, RPC and fetch waits, blind
// to pure CPU. The DO-side counters are per object; a call's own counts are exact when no other call ran
// on its object meanwhile (`overlapped` false), and the totals are exact either way.
//
// GET /__bench/stats     returns (and clears) what was recorded; `?keep=1` leaves it
// POST /__bench/time     sequential RPC calls to an object, timed inside workerd (bench/model-inputs.mjs)
// POST /__bench/time-d1  sequential D1 round trips, timed inside workerd
import worker, {
  WorkspaceCoordinator as Coordinator,
  DevInbox,
  WorkspaceHistory as History,
  DestinationLane as Lane,
} from "./index.js";

export { DevInbox };

let requests = [];
let batches = [];
// What the objects themselves sent or called (D1, queues, other objects), and their own calls.
let objectIo = { d1: [], sends: [], rpc: [] };
let calls = [];
const meters = new Set(); // every live object's counters
const statements = new Map(); // "class|sql" → totals

const snippet = (sql) => sql.replace(/\s+/g, " ").trim().slice(0, 80);

// ---------------------------------------------------------------------------------------------------
// The worker's side: D1, queues, and RPC calls to objects

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

/** A stub whose method calls are recorded into `record.rpc` (binding, method, object name, times). */
function recordedStub(stub, binding, name, record) {
  return new Proxy(stub, {
    get(target, key) {
      const value = target[key];
      if (typeof key !== "string" || typeof value !== "function") return value;
      return (...args) => {
        const entry = { binding, method: key, name, start: Date.now(), end: null };
        record.rpc.push(entry);
        return Promise.resolve(target[key](...args)).finally(() => {
          entry.end = Date.now();
        });
      };
    },
  });
}

/** A Durable Object namespace whose stubs record their calls. */
function recordedNamespace(ns, binding, record) {
  return {
    getByName: (name) => recordedStub(ns.getByName(name), binding, name, record),
    get: (id, options) => recordedStub(ns.get(id, options), binding, id.name ?? String(id), record),
    idFromName: (name) => ns.idFromName(name),
    idFromString: (id) => ns.idFromString(id),
    newUniqueId: (options) => ns.newUniqueId(options),
    jurisdiction: (j) => recordedNamespace(ns.jurisdiction(j), binding, record),
  };
}

function instrumentedEnv(env, record) {
  const out = { ...env, DB: meteredDatabase(env.DB, record) };
  for (const [binding, name] of [
    ["DELIVERY_QUEUE", "leadpush-deliveries"],
    ["DEAD_LETTER_QUEUE", "leadpush-deliveries-dlq"],
  ])
    if (env[binding]) out[binding] = countedQueue(env[binding], name, record);
  for (const binding of ["HISTORY", "WORKSPACE", "LANES"])
    if (env[binding]) out[binding] = recordedNamespace(env[binding], binding, record);
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

// ---------------------------------------------------------------------------------------------------
// The objects' side: their storage, metered in place

/** Adds what the object's cursors counted since the last flush to its counters and to `statements`. */
function flush(m) {
  for (const { cursor, sql, method } of m.pending) {
    const w = cursor.rowsWritten ?? 0;
    const r = cursor.rowsRead ?? 0;
    m.rowsWritten += w;
    m.rowsRead += r;
    const key = `${m.cls}|${method}|${sql}`;
    const s = statements.get(key) ?? { cls: m.cls, method, sql, count: 0, rowsWritten: 0, rowsRead: 0 };
    s.count++;
    s.rowsWritten += w;
    s.rowsRead += r;
    statements.set(key, s);
  }
  m.pending = [];
}

/** Rows in the object's own tables (what a deleteAll removes; the hidden KV table is counted apart). */
function rowsHeld(sql) {
  let rows = 0;
  const tables = sql
    .exec(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
    )
    .toArray();
  for (const { name } of tables) rows += Number(sql.exec(`SELECT count(*) AS n FROM "${name}"`).one().n);
  return { rows, tables: tables.length };
}

/** Patches `ctx.storage` of a new object so everything it does is counted into a new meter. */
function meterStorage(ctx, cls) {
  const storage = ctx.storage;
  const sql = storage.sql;
  const m = {
    cls,
    name: ctx.id.name ?? String(ctx.id),
    pending: [],
    rowsWritten: 0,
    rowsRead: 0,
    statements: 0,
    alarmsSet: 0,
    kvPuts: 0,
    kvGets: 0,
    deleteAlls: [],
    active: 0,
    requests: 0,
    inside: false,
    current: null,
  };
  meters.add(m);
  const exec = sql.exec.bind(sql);
  m.rawExec = exec;
  sql.exec = (query, ...binds) => {
    const cursor = exec(query, ...binds);
    m.statements++;
    m.pending.push({ cursor, sql: snippet(query), method: m.current?.method ?? "(constructor)" });
    return cursor;
  };
  const setAlarm = storage.setAlarm.bind(storage);
  storage.setAlarm = (...args) => {
    m.alarmsSet++;
    return setAlarm(...args);
  };
  // Assumed billed like setAlarm (one row written): the pricing page names setAlarm only.
  const deleteAlarm = storage.deleteAlarm.bind(storage);
  storage.deleteAlarm = (...args) => {
    m.alarmsSet++;
    return deleteAlarm(...args);
  };
  const deleteAll = storage.deleteAll.bind(storage);
  storage.deleteAll = async (...args) => {
    flush(m);
    const held = rowsHeld({ exec });
    const kvEntries = [...storage.kv.list()].length;
    const bytes = sql.databaseSize;
    const out = await deleteAll(...args);
    m.deleteAlls.push({ ...held, kvEntries, bytes, bytesAfter: sql.databaseSize, at: Date.now() });
    return out;
  };
  const kv = storage.kv;
  if (kv) {
    const put = kv.put.bind(kv);
    const get = kv.get.bind(kv);
    kv.put = (...args) => {
      m.kvPuts++;
      return put(...args);
    };
    kv.get = (...args) => {
      m.kvGets++;
      return get(...args);
    };
  }
  return m;
}

/** Wraps every method of `Base` (RPC methods and alarm) on `Sub` so each call is recorded. */
function meterMethods(Sub, Base) {
  for (const name of Object.getOwnPropertyNames(Base.prototype)) {
    const desc = Object.getOwnPropertyDescriptor(Base.prototype, name);
    if (name === "constructor" || typeof desc?.value !== "function") continue;
    const original = desc.value;
    Object.defineProperty(Sub.prototype, name, {
      configurable: true,
      writable: true,
      value: function (...args) {
        const m = this.__meter;
        // A method the object calls on itself (synchronously, inside one of its calls) is no request.
        if (!m || m.inside) return original.apply(this, args);
        flush(m);
        const before = { w: m.rowsWritten, r: m.rowsRead, a: m.alarmsSet, k: m.kvPuts };
        const call = {
          cls: m.cls,
          method: name,
          object: m.name,
          start: Date.now(),
          overlapped: m.active > 0,
        };
        m.active++;
        m.requests++;
        m.current = call;
        const done = () => {
          m.active--;
          if (m.current === call) m.current = null;
          flush(m);
          if (m.active > 0) call.overlapped = true;
          call.end = Date.now();
          call.rowsWritten = m.rowsWritten - before.w;
          call.rowsRead = m.rowsRead - before.r;
          call.alarmsSet = m.alarmsSet - before.a;
          call.kvPuts = m.kvPuts - before.k;
          calls.push(call);
        };
        let out;
        m.inside = true;
        try {
          out = original.apply(this, args);
        } catch (error) {
          m.inside = false;
          done();
          throw error;
        }
        m.inside = false;
        if (out && typeof out.then === "function") return Promise.resolve(out).finally(done);
        done();
        return out;
      },
    });
  }
}

const objectEnv = (env) => instrumentedEnv(env, objectIo);

export class WorkspaceHistory extends History {
  constructor(ctx, env) {
    const meter = meterStorage(ctx, "WorkspaceHistory");
    super(ctx, objectEnv(env));
    this.__meter = meter;
  }

  /** Bench only: the object's database size in bytes (SQLite pages × page size). */
  __benchSize() {
    return { bytes: this.ctx.storage.sql.databaseSize, ...rowsHeld({ exec: this.__meter.rawExec }) };
  }
}
meterMethods(WorkspaceHistory, History);

export class WorkspaceCoordinator extends Coordinator {
  constructor(ctx, env) {
    const meter = meterStorage(ctx, "WorkspaceCoordinator");
    super(ctx, objectEnv(env));
    this.__meter = meter;
  }

  __benchSize() {
    return { bytes: this.ctx.storage.sql.databaseSize, ...rowsHeld({ exec: this.__meter.rawExec }) };
  }
}
meterMethods(WorkspaceCoordinator, Coordinator);

export class DestinationLane extends Lane {
  constructor(ctx, env) {
    const meter = meterStorage(ctx, "DestinationLane");
    super(ctx, objectEnv(env));
    this.__meter = meter;
  }
}
meterMethods(DestinationLane, Lane);

/** Every object's counters, summed per class. */
function objectTotals() {
  const byClass = {};
  for (const m of meters) {
    flush(m);
    byClass[m.cls] ??= {
      objects: 0,
      requests: 0,
      rowsWritten: 0,
      rowsRead: 0,
      statements: 0,
      alarmsSet: 0,
      kvPuts: 0,
      kvGets: 0,
      deleteAlls: [],
    };
    const t = byClass[m.cls];
    t.objects++;
    for (const k of ["requests", "rowsWritten", "rowsRead", "statements", "alarmsSet", "kvPuts", "kvGets"])
      t[k] += m[k];
    t.deleteAlls.push(...m.deleteAlls);
  }
  return byClass;
}

function resetObjects() {
  for (const m of meters) {
    for (const k of ["requests", "rowsWritten", "rowsRead", "statements", "alarmsSet", "kvPuts", "kvGets"])
      m[k] = 0;
    m.deleteAlls = [];
  }
  statements.clear();
  calls = [];
  objectIo = { d1: [], sends: [], rpc: [] };
}

/** Runs `call(item)` for every item, `concurrency` at a time; the elapsed ms (Date.now() moves across I/O). */
async function inFlight(items, concurrency, call) {
  let next = 0;
  const start = Date.now();
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await call(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return Date.now() - start;
}

/**
 * Bench only: one RPC call `env[binding].getByName(name)[method](...args)` per entry of `argsList`,
 * `concurrency` in flight, timed inside workerd. With calls in flight, the total over n is how long each
 * call holds the object, not counting the waits (a write's commit) it overlaps with the next call's work.
 * With `keep`, their answers (`"created"`: only what a `store` created).
 */
async function timeCalls(request, env) {
  const { binding, name, method, argsList, keep, concurrency = 1 } = await request.json();
  const stub = env[binding].getByName(name);
  const results = new Array(argsList.length);
  const ms = await inFlight(argsList, concurrency, async (args, i) => {
    const out = await stub[method](...args);
    if (keep === "created") results[i] = out.map((r) => r.created);
    else if (keep) results[i] = out;
  });
  return Response.json({ ms, n: argsList.length, results: keep ? results : [] });
}

/** Bench only: D1 round trips of `statements` (one, or a batch) per entry of `bindsList`, timed inside. */
async function timeD1(request, db) {
  const { statements, bindsList, concurrency = 1 } = await request.json();
  const ms = await inFlight(bindsList, concurrency, async (binds) => {
    const prepared = statements.map((sql, i) => db.prepare(sql).bind(...(binds[i] ?? [])));
    if (prepared.length === 1) await prepared[0].all();
    else await db.batch(prepared);
  });
  return Response.json({ ms, n: bindsList.length });
}

const newRecord = (fields) => ({ ...fields, start: Date.now(), d1: [], sends: [], rpc: [] });

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/stats") {
      const keep = url.searchParams.get("keep") === "1";
      const totals = objectTotals();
      const out = Response.json({
        requests,
        batches,
        objects: { totals, calls, statements: [...statements.values()], io: objectIo },
        // The lanes' own D1 round trips and queue sends (as bench/isolation.mjs reads them).
        lanes: { d1: objectIo.d1, sends: objectIo.sends },
      });
      if (!keep) {
        requests = [];
        batches = [];
        resetObjects();
      }
      return out;
    }
    if (url.pathname === "/__bench/time") return timeCalls(request, env);
    if (url.pathname === "/__bench/time-d1") return timeD1(request, env.DB);
    const record = newRecord({ method: request.method, path: url.pathname });
    const response = await worker.fetch(request, instrumentedEnv(env, record), ctx);
    record.end = Date.now();
    record.status = response.status;
    requests.push(record);
    return response;
  },

  async queue(batch, env, ctx) {
    const record = newRecord({
      queue: batch.queue,
      size: batch.messages.length,
      workspaces: [...new Set(batch.messages.map((m) => m.body?.workspaceUuid))].length,
      acked: 0,
      retried: 0,
    });
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
