// The contract floor: the least work any implementation of the delivery contract can do on the storage the
// worker uses, a SQLite-backed Durable Object per workspace holding the project's own history tables
// (src/db/history-migrations, applied as they are), with the same queue settings and the same receiver as
// the pipeline. No auth, no validation, no control-plane read, no rendering, no signing. Loaded by
// bench/run.mjs as an inline Miniflare script (and by bench/alone.js beside the worker).
//
// POST /events[?fanout=n]   one RPC to the workspace's object: the event row and its n delivery rows in
//                           one transaction (the rows as one JSON parameter read with json_each, as
//                           src/history/writes.ts passes them), then one sendBatch of n messages carrying
//                           ids only. Answers 202 with the ids. `&queue=0`: the object's write only.
// GET /ping                 204 at once: a bare worker's round trip, the reference for the storage time.
// GET /rpc?n=               n sequential RPC calls to a method of the object that does nothing.
// POST /settled             { ids } → counts by status and attempts (the bench's check after a run).
// queue(batch)              one RPC load (the batch's deliveries joined to their events), the fetches
//                           (concurrently), one RPC record (every attempt and outcome in one statement), ack.
//
// Bindings: FLOOR_HISTORY (the FloorHistory namespace), SCHEMA (the history tables' SQL, statements split
// by drizzle's breakpoints; FLOOR_SCHEMA beside the worker, bench/alone.js), WORKSPACE (a workspace uuid), DESTINATIONS (JSON array of destination ids,
// fan-out to all unless ?fanout=), QUEUE, RECEIVER_URL.
import { DurableObject } from "cloudflare:workers";

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
/** The id layout the worker's ids use: 12 hex digits of milliseconds, then random. */
const newId = (prefix, now) =>
  `${prefix}_${now.toString(16).padStart(12, "0")}${hex(crypto.getRandomValues(new Uint8Array(10)))}`;

const INSERT_EVENT = `
  INSERT INTO events (workspace_uuid, id, type, created_at, payload, fan_out_count, deliveries)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`;
const INSERT_DELIVERIES = `
  INSERT INTO deliveries (destination_id, id, workspace_uuid, event_id, event_type, status, attempts_made,
                          next_attempt_at, created_at, updated_at)
  SELECT value ->> 1, value ->> 0, ?1, ?2, ?3, 'pending', 0, ?4, ?4, ?4 FROM json_each(?5)`;
const LOAD = `
  SELECT d.id, d.destination_id AS destinationId, e.payload FROM json_each(?1) AS j
  CROSS JOIN deliveries AS d ON d.destination_id = j.value ->> 1 AND d.id = j.value ->> 0
  JOIN events AS e ON e.workspace_uuid = d.workspace_uuid AND e.id = d.event_id`;
const RECORD = `
  UPDATE deliveries SET status = 'succeeded', attempts_made = 1, next_attempt_at = NULL, updated_at = ?1,
    attempts = json_insert(attempts, '$[#]', json(u.value ->> 'a'))
  FROM json_each(?2) AS u WHERE deliveries.destination_id = u.value ->> 't' AND deliveries.id = u.value ->> 'd'`;

export class FloorHistory extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    if (!sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'deliveries'").toArray().length)
      for (const statement of JSON.parse(env.SCHEMA ?? env.FLOOR_SCHEMA)) sql.exec(statement);
  }

  store(workspace, eventId, type, payload, rows, now) {
    const sql = this.ctx.storage.sql;
    const pairs = JSON.stringify(rows);
    this.ctx.storage.transactionSync(() => {
      sql.exec(INSERT_EVENT, workspace, eventId, type, now, payload, rows.length, pairs);
      if (rows.length) sql.exec(INSERT_DELIVERIES, workspace, eventId, type, now, pairs);
    });
  }

  load(refs) {
    return this.ctx.storage.sql.exec(LOAD, JSON.stringify(refs)).toArray();
  }

  record(outcomes, now) {
    this.ctx.storage.sql.exec(RECORD, now, JSON.stringify(outcomes));
  }

  ping() {
    return 1;
  }

  settled(ids) {
    const rows = this.ctx.storage.sql
      .exec(
        `SELECT status, count(*) AS n, sum(attempts_made) AS a FROM deliveries
         WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY status`,
        JSON.stringify(ids),
      )
      .toArray();
    return {
      byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
      attempts: rows.reduce((n, r) => n + r.a, 0),
    };
  }
}

let destinations;
const stubOf = (env) => env.FLOOR_HISTORY.get(env.FLOOR_HISTORY.idFromName(env.WORKSPACE));

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/ping") return new Response(null, { status: 204 });
    if (url.pathname === "/rpc") {
      const stub = stubOf(env);
      for (let i = Number(url.searchParams.get("n")); i > 0; i--) await stub.ping();
      return Response.json({ ok: true });
    }
    if (request.method === "POST" && url.pathname === "/settled")
      return Response.json(await stubOf(env).settled((await request.json()).ids));
    if (request.method !== "POST" || url.pathname !== "/events") return new Response(null, { status: 404 });
    destinations ??= JSON.parse(env.DESTINATIONS);
    const fanout = Number(url.searchParams.get("fanout") ?? destinations.length);
    const payload = await request.text();
    const type = "contact.updated";
    const now = Date.now();
    const eventId = newId("evt", now);
    const rows = destinations.slice(0, fanout).map((destinationId) => [newId("dlv", now), destinationId]);
    await stubOf(env).store(env.WORKSPACE, eventId, type, payload, rows, now);
    if (url.searchParams.get("queue") !== "0")
      await env.QUEUE.sendBatch(
        rows.map(([deliveryId, destinationId]) => ({
          body: { deliveryId, destinationId },
          contentType: "json",
        })),
      );
    return Response.json(
      { event_id: eventId, deliveries: rows.map(([id, destination_id]) => ({ id, destination_id })) },
      { status: 202 },
    );
  },

  async queue(batch, env) {
    const stub = stubOf(env);
    const refs = batch.messages.map((m) => [m.body.deliveryId, m.body.destinationId]);
    const rows = await stub.load(refs);
    const outcomes = await Promise.all(
      rows.map(async (row) => {
        const started = Date.now();
        const response = await fetch(env.RECEIVER_URL, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Leadpush-Id": row.id },
          body: row.payload,
          redirect: "manual",
        });
        const text = await response.text();
        const attempt = [
          1,
          started,
          "POST",
          env.RECEIVER_URL,
          [],
          response.status,
          text,
          Date.now() - started,
        ];
        return { d: row.id, t: row.destinationId, a: JSON.stringify([...attempt, null, null]) };
      }),
    );
    await stub.record(outcomes, Date.now());
    for (const message of batch.messages) message.ack();
  },
};
