// The consumer and the ingest each alone, next to the contract floor's, on the same data in one workerd.
// bench/run.mjs loads it as the entry module in front of the unchanged bundle (`./index.js`) and the
// floor (`./__bench_floor.js`, bench/baseline-floor.js), on a Miniflare whose queue has no consumer, so
// deliveries stay pending until a route below hands them over.
//
// POST /__bench/consume?kind=pipeline|floor|against  the oldest 100 pending deliveries as one queue
//                                          batch, to the worker's queue handler, the floor's, or that of
//                                          another checkout's bundle (`./__bench_against.js`, BENCH_AGAINST;
//                                          `export default null` without it); answers the count
// POST /__bench/floor-events?ws=&d=[ids]     the floor's POST /events for this workspace and destinations
// /__bench/against/<path>                    <path> served by the other checkout's bundle (its API)
import against from "./__bench_against.js";
import floor from "./__bench_floor.js";
import worker from "./index.js";

export { WorkspaceCoordinator } from "./index.js";

const PENDING = "SELECT id FROM deliveries WHERE status = 'pending' ORDER BY id LIMIT 100";
let sequence = 0;

/** A batch as the queue hands one over; acks and retries are no-ops here (nothing is redelivered). */
const batchOf = (ids) => ({
  queue: "leadpush-deliveries",
  messages: ids.map((deliveryId) => ({
    id: `bench-${++sequence}`,
    timestamp: new Date(),
    attempts: 1,
    body: { deliveryId },
    ack() {},
    retry() {},
  })),
  ackAll() {},
  retryAll() {},
});

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/consume") {
      const { results } = await env.DB.prepare(PENDING).all();
      const batch = batchOf(results.map((r) => r.id));
      const kind = url.searchParams.get("kind");
      if (kind === "floor") await floor.queue(batch, env);
      else if (kind === "against") await against.queue(batch, env, ctx);
      else await worker.queue(batch, env, ctx);
      return Response.json({ count: results.length });
    }
    if (url.pathname.startsWith("/__bench/against/")) {
      const path = url.pathname.slice("/__bench/against".length) + url.search;
      return against.fetch(new Request(new URL(path, url), request), env, ctx);
    }
    if (url.pathname === "/__bench/floor-events") {
      const floorEnv = {
        DB: env.DB,
        QUEUE: env.DELIVERY_QUEUE,
        WORKSPACE: url.searchParams.get("ws"),
        DESTINATIONS: url.searchParams.get("d"),
      };
      const events = new Request(new URL("/events", url), { method: "POST", body: request.body });
      return floor.fetch(events, floorEnv);
    }
    return worker.fetch(request, env, ctx);
  },
  async queue() {},
};
