// The consumer and the ingest each alone, next to the contract floor's, in one workerd. bench/run.mjs
// loads it as the entry module in front of the unchanged bundle (`./index.js`) and the floor
// (`./__bench_floor.js`, bench/baseline-floor.js, with its object class), on a Miniflare whose queue has
// no consumer, so deliveries stay pending until a route below hands them over.
//
// POST /__bench/consume?kind=pipeline|floor|against[&ws=]  body: the deliveries' messages ({ deliveryId,
//                                          workspaceUuid, destinationId }); hands them as one queue batch
//                                          to the worker's queue handler, the floor's (its object of `ws`),
//                                          or that of another checkout's bundle
//                                          (`./__bench_against.js`, BENCH_AGAINST; `export default null`
//                                          without it); answers the count
// POST /__bench/floor-events?ws=&d=[ids]     the floor's POST /events for this workspace and destinations
// /__bench/against/<path>                    <path> served by the other checkout's bundle (its API)
// GET /__bench/api-layer?app=&mode=&n=       n requests made in this isolate and answered by the worker's
//                                          fetch (app=worker, or app=against for the other bundle), with D1,
//                                          the history objects and the queue answered in memory (layerEnv):
//                                          the API layer's own work, which storage round trips hide
//                                          elsewhere. mode=ingest is POST /events, healthz GET /healthz, none
//                                          only makes the request; app=bare answers POST /events with the
//                                          least any handler does
import against from "./__bench_against.js";
import floor from "./__bench_floor.js";
import worker from "./index.js";

export { FloorHistory } from "./__bench_floor.js";
export { DestinationLane, DevInbox, WorkspaceCoordinator, WorkspaceHistory } from "./index.js";

// ---------------------------------------------------------------------------------------------------
// The API layer alone: D1, the history objects and the queue answered in memory, so the handler's own
// CPU is what is timed.

const LAYER_WS = "0190f3a1-b2c3-7d4e-8f60-718293a4b5c6";
const LAYER_KEY = `lpk_${"a".repeat(40)}`;
const LAYER_EVENT = JSON.stringify({
  type: "contact.updated",
  contact: { _id: "ct_00000001", attributes: { email: "ada@example.com", first_name: "Ada" } },
});

/**
 * A D1 binding that answers the control-plane reads of POST /events: the API key's lookup (a drizzle
 * select, read with raw()) and the workspace's subscriptions (one destination, no filter; the isolate
 * caches them). Any other statement throws, so a change to what the ingest reads shows here instead of
 * passing unmeasured.
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
    async all() {
      if (!/FROM destination_event_types/.test(sql))
        throw new Error(`api-layer D1 stand-in: unexpected ${sql}`);
      return {
        results: [{ id: "dst_1", type: "contact.updated", kind: 0, path: null, value: null, filter: null }],
        meta: {},
      };
    },
  });
  return {
    prepare: statement,
    async batch(list) {
      throw new Error(`api-layer D1 stand-in: unexpected batch ${list.map((s) => s.sql).join("; ")}`);
    },
  };
}

/** A history namespace whose partitions store in memory: each event accepted, its deliveries made. */
function inMemoryHistory() {
  const stub = {
    async store(_p, events) {
      return events.map((e) => {
        const created = e.targets.map((destinationId, i) => ({
          id: `dlv_${e.id.slice(4)}${i}`,
          destinationId,
        }));
        return { eventId: e.id, status: "accepted", deliveryCount: created.length, deliveries: [], created };
      });
    },
    async answers(_p, ids) {
      return ids.map(() => null);
    },
  };
  return { getByName: () => stub };
}

const layerEnv = (env) => ({
  ...env,
  DB: inMemoryDb(),
  HISTORY: inMemoryHistory(),
  DELIVERY_QUEUE: { async sendBatch() {} },
});

/** The least a POST /events handler does: parse, make ids and the payload, one store, one sendBatch. */
async function bareIngest(request, env) {
  const input = await request.json();
  const id = `evt_${crypto.randomUUID()}`;
  const payload = JSON.stringify({ event: { id, type: input.type }, contact: input.contact });
  const [stored] = await env.HISTORY.getByName(LAYER_WS).store(null, [
    { id, type: input.type, payload, targets: ["dst_1"] },
  ]);
  await env.DELIVERY_QUEUE.sendBatch(stored.created.map((r) => ({ body: { deliveryId: r.id } })));
  return Response.json({ event_id: id, deliveries: stored.created }, { status: 202 });
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
const batchOf = (bodies) => ({
  queue: "leadpush-deliveries",
  messages: bodies.map((body) => ({
    id: `bench-${++sequence}`,
    timestamp: new Date(),
    attempts: 1,
    body,
    ack() {},
    retry() {},
  })),
  ackAll() {},
  retryAll() {},
});

/** The floor's bindings inside this worker: its object class, its schema, the worker's queue. */
const floorEnv = (env, url) => ({
  FLOOR_HISTORY: env.FLOOR_HISTORY,
  SCHEMA: env.FLOOR_SCHEMA,
  QUEUE: env.DELIVERY_QUEUE,
  RECEIVER_URL: env.RECEIVER_URL,
  WORKSPACE: url.searchParams.get("ws"),
  DESTINATIONS: url.searchParams.get("d"),
});

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/consume") {
      const bodies = await request.json();
      const batch = batchOf(bodies);
      const kind = url.searchParams.get("kind");
      if (kind === "floor") await floor.queue(batch, floorEnv(env, url));
      else if (kind === "against") await against.queue(batch, env, ctx);
      else await worker.queue(batch, env, ctx);
      return Response.json({ count: bodies.length });
    }
    if (url.pathname.startsWith("/__bench/against/")) {
      const path = url.pathname.slice("/__bench/against".length) + url.search;
      return against.fetch(new Request(new URL(path, url), request), env, ctx);
    }
    if (url.pathname === "/__bench/api-layer") return apiLayer(url.searchParams, env, ctx);
    if (url.pathname === "/__bench/floor-events") {
      const events = new Request(new URL("/events", url), { method: "POST", body: request.body });
      return floor.fetch(events, floorEnv(env, url));
    }
    return worker.fetch(request, env, ctx);
  },
  async queue() {},
};
