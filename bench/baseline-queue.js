// Baseline 2, the transport floor: the same queue settings as the pipeline, and nothing else.
// POST /produce?n=10&prefix=p sends one sendBatch of n `{ deliveryId }` JSON messages (the shape the
// pipeline's ingest enqueues); the consumer fetches the receiver once per message with the id in
// X-Leadpush-Id, reads the response, and acks. No D1, no rendering, no signing.
//
// With the binding D1_SHAPE = "true" (a second instance, baseline 2b) it also makes the pipeline's D1
// round trips with trivial SQL: per produce request one read and one 2-statement write batch (as
// POST /events does: the key lookup, then the event insert + fan-out), per consumer batch one read and one 2-statement write batch (as the consumer
// does). GET /d1?n=500 times n sequential `SELECT ?1` round trips (the driver times it from outside).
// Loaded by bench/run.mjs as an inline Miniflare `script`.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const params = url.searchParams;
    const n = Number(params.get("n"));
    if (url.pathname === "/d1") {
      for (let i = 0; i < n; i++) await env.DB.prepare("SELECT ?1 AS x").bind(i).first();
      return Response.json({ n });
    }
    const prefix = params.get("prefix") ?? "b2";
    const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    if (env.D1_SHAPE === "true") {
      await env.DB.prepare("SELECT ?1 AS x").bind(prefix).first();
      await env.DB.batch([
        env.DB.prepare("INSERT INTO ev (id) VALUES (?1)").bind(prefix),
        env.DB.prepare("INSERT INTO dl (id, s) SELECT value, 0 FROM json_each(?1)").bind(JSON.stringify(ids)),
      ]);
    }
    await env.QUEUE.sendBatch(ids.map((deliveryId) => ({ body: { deliveryId }, contentType: "json" })));
    return Response.json({ queued: n }, { status: 202 });
  },

  async queue(batch, env) {
    const ids = JSON.stringify(batch.messages.map((m) => m.body.deliveryId));
    if (env.D1_SHAPE === "true") await env.DB.prepare("SELECT value FROM json_each(?1)").bind(ids).all();
    await Promise.all(
      batch.messages.map(async (message) => {
        const response = await fetch(env.RECEIVER_URL, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Leadpush-Id": message.body.deliveryId },
          body: JSON.stringify(message.body),
          redirect: "manual",
        });
        await response.arrayBuffer();
      }),
    );
    if (env.D1_SHAPE === "true")
      await env.DB.batch([
        env.DB.prepare("INSERT INTO at (id) SELECT value FROM json_each(?1)").bind(ids),
        env.DB.prepare("UPDATE dl SET s = 1 WHERE id IN (SELECT value FROM json_each(?1))").bind(ids),
      ]);
    for (const message of batch.messages) message.ack();
  },
};
