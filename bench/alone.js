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
// GET /__bench/api-layer?app=&mode=&n=       n requests made in this isolate and answered by the worker's
//                                          fetch (app=worker, or app=against for the other bundle), with D1
//                                          and the queue answered in memory (layerEnv): the API layer's
//                                          own work, which D1's round trips hide elsewhere. mode=ingest is
//                                          POST /events, healthz GET /healthz, none only makes the request;
//                                          app=bare answers POST /events with the least any handler does
import against from "./__bench_against.js";
import floor from "./__bench_floor.js";
import worker from "./index.js";

export { DestinationLane, WorkspaceCoordinator } from "./index.js";

const PENDING = "SELECT id FROM deliveries WHERE status = 'pending' ORDER BY id LIMIT 100";

// ---------------------------------------------------------------------------------------------------
// The API layer alone: D1 and the queue answered in memory, so the handler's own CPU is what is timed.

const LAYER_WS = "0190f3a1-b2c3-7d4e-8f60-718293a4b5c6";
const LAYER_KEY = `lpk_${"a".repeat(40)}`;
const LAYER_EVENT = JSON.stringify({
  type: "contact.updated",
  contact: { _id: "ct_00000001", attributes: { email: "ada@example.com", first_name: "Ada" } },
});

/**
 * A D1 binding that answers the statements of POST /events: the API key's lookup (a drizzle select, read
 * with raw()) and the ingest batch (the event insert, the filtered candidates: none, then the fan-out's
 * RETURNING: one delivery). Any
 * other statement throws, so a change to the ingest's SQL shows here instead of passing unmeasured.
 */
function inMemoryDb() {
  const statement = (sql) => ({
    sql,
    bind() {
      return this;
    },
    async raw() {
      if (!/from "api_keys"/.test(sql)) throw new Error(`api-layer D1 stand-in: unexpected ${sql}`);
      return [["key_bench", LAYER_WS]];
    },
  });
  return {
    prepare: statement,
    async batch(list) {
      return list.map(({ sql }) => {
        if (/^\s*INSERT INTO events/.test(sql)) return { results: [], meta: { changes: 1 } };
        // The filtered destinations' candidates (events/store.ts): none here, as none has a filter.
        if (/filter_kind = 1/.test(sql)) return { results: [], meta: {} };
        if (/RETURNING id, destination_id/.test(sql))
          return {
            results: [{ id: "dlv_0190f3a1b2c3aaaaaaaaaaaaaaaaaaaa", destination_id: "dst_1" }],
            meta: {},
          };
        throw new Error(`api-layer D1 stand-in: unexpected ${sql}`);
      });
    },
  };
}

const layerEnv = (env) => ({ ...env, DB: inMemoryDb(), DELIVERY_QUEUE: { async sendBatch() {} } });

/** The least a POST /events handler does: parse, make ids and the payload, one batch, one sendBatch. */
async function bareIngest(request, env) {
  const input = await request.json();
  const id = `evt_${crypto.randomUUID()}`;
  const payload = JSON.stringify({ event: { id, type: input.type }, contact: input.contact });
  const [, created] = await env.DB.batch([
    env.DB.prepare("INSERT INTO events (id, payload) VALUES (?1, ?2)").bind(id, payload),
    env.DB.prepare("INSERT INTO deliveries SELECT 1 RETURNING id, destination_id").bind(id),
  ]);
  await env.DELIVERY_QUEUE.sendBatch(created.results.map((r) => ({ body: { deliveryId: r.id } })));
  return Response.json(
    { event_id: id, deliveries: created.results.map((r) => ({ id: r.id })) },
    { status: 202 },
  );
}

function layerRequest(mode) {
  if (mode === "healthz") return new Request("http://bench/healthz");
  return new Request(`http://bench/v1/workspaces/${LAYER_WS}/events`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Content-Length": String(LAYER_EVENT.length),
      Authorization: `Bearer ${LAYER_KEY}`,
    },
    body: LAYER_EVENT,
  });
}

async function apiLayer(params, env, ctx) {
  const app = params.get("app");
  const mode = params.get("mode");
  const n = Number(params.get("n") ?? 0);
  const fakeEnv = layerEnv(env);
  const target = app === "bare" ? { fetch: bareIngest } : app === "against" ? against : worker;
  for (let i = 0; i < n; i++) {
    const request = layerRequest(mode);
    if (mode === "none") continue;
    const response = await target.fetch(request, fakeEnv, ctx);
    const expected = mode === "healthz" ? 200 : 202;
    if (response.status !== expected)
      throw new Error(`api-layer ${app} ${mode}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
  return Response.json({ n });
}

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
    if (url.pathname === "/__bench/api-layer") return apiLayer(url.searchParams, env, ctx);
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
