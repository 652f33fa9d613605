// The contract floor: the least work any implementation of the delivery contract can do, on the same D1
// schema (the project's migrations), the same queue settings and the same receiver as the pipeline.
// No auth, no validation, no rendering, no signing. Loaded by bench/run.mjs as an inline Miniflare script.
//
// POST /events[?fanout=n]   one D1 batch: the event row and its n delivery rows (the rows as one JSON
//                           parameter read with json_each, as src/events/store.ts passes them), then one
//                           sendBatch of n messages carrying ids only. Answers 202 with the ids.
//                           `&queue=0`: the D1 batch only (what an ingest's D1 work costs a bare worker).
// GET /ping                 204 at once: a bare worker's round trip, the reference for the D1 time.
// queue(batch)              one D1 read (the batch's deliveries joined to their events), the fetches
//                           (concurrently), one D1 batch (the attempt rows, the delivery outcomes), ack.
//
// Bindings: WORKSPACE (a seeded workspace), DESTINATIONS (JSON array of seeded destination ids, fan-out
// to all unless ?fanout=), RECEIVER_URL.
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
/** The UUIDv7 layout the worker's ids use: 12 hex digits of milliseconds, then random. */
const newId = (prefix, now) =>
  `${prefix}_${now.toString(16).padStart(12, "0")}${hex(crypto.getRandomValues(new Uint8Array(10)))}`;

const INSERT_EVENT = `
  INSERT INTO events (workspace_uuid, id, type, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)`;
const INSERT_DELIVERIES = `
  INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
                          next_attempt_at, created_at, updated_at)
  SELECT value ->> 0, ?1, value ->> 1, ?2, ?3, 'pending', 0, ?4, ?4, ?4 FROM json_each(?5)`;
const LOAD = `
  SELECT d.id, d.event_type, e.payload FROM deliveries AS d
  JOIN events AS e ON e.workspace_uuid = d.workspace_uuid AND e.id = d.event_id
  WHERE d.id IN (SELECT value FROM json_each(?1))`;
const RECORD_ATTEMPTS = `
  INSERT INTO attempts (delivery_id, number, started_at, method, url, request_headers, response_status,
                        response_body, duration_ms, error_class, error_message)
  SELECT value ->> 'd', 1, value ->> 's', 'POST', ?2, '[]', value ->> 'rs', value ->> 'rb', value ->> 'ms',
         NULL, NULL
  FROM json_each(?1)`;
const RECORD_OUTCOMES = `
  UPDATE deliveries SET status = 'succeeded', attempts_made = 1, next_attempt_at = NULL, updated_at = ?1
  FROM json_each(?2) AS u WHERE deliveries.id = u.value ->> 'd'`;

let destinations;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/ping") return new Response(null, { status: 204 });
    if (request.method !== "POST" || url.pathname !== "/events") return new Response(null, { status: 404 });
    destinations ??= JSON.parse(env.DESTINATIONS);
    const fanout = Number(url.searchParams.get("fanout") ?? destinations.length);
    const payload = await request.text();
    const type = "contact.updated";
    const now = Date.now();
    const eventId = newId("evt", now);
    const rows = destinations.slice(0, fanout).map((destinationId) => [newId("dlv", now), destinationId]);
    await env.DB.batch([
      env.DB.prepare(INSERT_EVENT).bind(env.WORKSPACE, eventId, type, payload, now),
      env.DB.prepare(INSERT_DELIVERIES).bind(env.WORKSPACE, eventId, type, now, JSON.stringify(rows)),
    ]);
    if (url.searchParams.get("queue") !== "0")
      await env.QUEUE.sendBatch(rows.map(([deliveryId]) => ({ body: { deliveryId }, contentType: "json" })));
    return Response.json({ event_id: eventId, deliveries: rows.map(([id]) => ({ id })) }, { status: 202 });
  },

  async queue(batch, env) {
    const ids = batch.messages.map((m) => m.body.deliveryId);
    const { results } = await env.DB.prepare(LOAD).bind(JSON.stringify(ids)).all();
    const outcomes = await Promise.all(
      results.map(async (row) => {
        const started = Date.now();
        const response = await fetch(env.RECEIVER_URL, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Leadpush-Id": row.id },
          body: row.payload,
          redirect: "manual",
        });
        const text = await response.text();
        return { d: row.id, s: started, rs: response.status, rb: text, ms: Date.now() - started };
      }),
    );
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare(RECORD_ATTEMPTS).bind(JSON.stringify(outcomes), env.RECEIVER_URL),
      env.DB.prepare(RECORD_OUTCOMES).bind(now, JSON.stringify(outcomes)),
    ]);
    for (const message of batch.messages) message.ack();
  },
};
