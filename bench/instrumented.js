// Diagnostics only: wraps the built worker (dist/index.js, unchanged) to time, from inside workerd,
// every D1 call of each request and each queue batch. Not used for the headline figures.
// bench/run.mjs loads it as the entry module next to the bundle, so `./index.js` is the real worker.
// GET /__bench/stats returns (and clears) what was recorded. Times are workerd's Date.now(), which
// advances across I/O: good for D1 and fetch waits, blind to pure CPU between them.
import worker from "./index.js";

export { WorkspaceCoordinator } from "./index.js";

let requests = [];
let batches = [];

/** A D1Database whose statements and batches record [start, end] of each call into `record.d1`. */
function timedDatabase(db, record) {
  const timed =
    (what, call, sql = "") =>
    async (...args) => {
      const start = Date.now();
      try {
        return await call(...args);
      } finally {
        record.d1.push({ what, sql: sql.replace(/\s+/g, " ").slice(0, 60), start, end: Date.now() });
      }
    };
  const wrap = (statement, sql) => {
    for (const method of ["all", "raw", "run", "first"]) {
      const original = statement[method].bind(statement);
      statement[method] = timed(method, original, sql);
    }
    const bind = statement.bind.bind(statement);
    statement.bind = (...params) => wrap(bind(...params), sql);
    return statement;
  };
  return {
    prepare: (sql) => wrap(db.prepare(sql), sql),
    batch: timed("batch", (statements) => db.batch(statements)),
    exec: (sql) => db.exec(sql),
    dump: () => db.dump(),
    withSession: (...args) => db.withSession(...args),
  };
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/stats") {
      const out = Response.json({ requests, batches });
      requests = [];
      batches = [];
      return out;
    }
    const record = { method: request.method, path: url.pathname, start: Date.now(), d1: [] };
    const response = await worker.fetch(request, { ...env, DB: timedDatabase(env.DB, record) }, ctx);
    record.end = Date.now();
    record.status = response.status;
    requests.push(record);
    return response;
  },

  async queue(batch, env, ctx) {
    const record = { queue: batch.queue, size: batch.messages.length, start: Date.now(), d1: [] };
    try {
      await worker.queue(batch, { ...env, DB: timedDatabase(env.DB, record) }, ctx);
    } finally {
      record.end = Date.now();
      batches.push(record);
    }
  },
};
