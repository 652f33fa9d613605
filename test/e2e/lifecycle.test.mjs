// End to end: the failure lifecycle on the real worker bundle with real receivers on 127.0.0.1, and
// AUTO_DISABLE_AFTER_HOURS small enough to watch it in seconds (docs/lifecycle.md).
//
// An alert destination subscribes to the operational events. Receiver A fails and comes back; receiver B
// never comes back. At the alert receiver, signed and once per state change: A failing, A recovered, B
// failing, B disabled (auto). Then B's owner fixes it, re-enables it and recovers what was skipped and
// failed: each of B's deliveries arrives once more under its own id, none twice; and a stored event
// replayed arrives as a new delivery.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { startWorker } from "./harness.mjs";
import { startReceiver } from "./receiver.mjs";

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const started = [];
after(async () => {
  for (const close of started.reverse()) await close();
});

async function until(probe, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// A workspace's history lives in its Durable Objects (src/history): one per workspace and time partition,
// named `${workspace}/${start}/${seconds}` (src/history/ids.ts partitionName). The harness sets no
// HISTORY_PARTITION_HOURS, so partitions span a day (src/limits.ts DEFAULT_PARTITION_HOURS).
const PARTITION_SECONDS = 86_400;

/**
 * The history objects of one workspace, through Miniflare's proxy. Stubs are kept: each new one costs
 * synchronous round trips through the proxy; calls on a stub are async. RPC answers that are arrays
 * come back whole (an object would come back as a remote stub, read a property at a time).
 */
async function historyOf(worker, uuid) {
  const history = await worker.miniflare.getDurableObjectNamespace("HISTORY");
  const workspace = (await worker.miniflare.getDurableObjectNamespace("WORKSPACE")).getByName(uuid);
  const stubs = new Map();
  const stub = (p) => {
    const name = `${p.workspaceUuid}/${p.start}/${p.seconds}`;
    if (!stubs.has(name)) stubs.set(name, history.getByName(name));
    return stubs.get(name);
  };
  return {
    /** The partition that takes what is created at `at`. */
    partitionAt(at) {
      const length = PARTITION_SECONDS * 1000;
      return { workspaceUuid: uuid, start: Math.floor(at / length) * length, seconds: PARTITION_SECONDS };
    },
    stub,
    /** Every partition's deliveries and attempts (its census, src/history/object.ts), concatenated. */
    async census() {
      const partitions = (await workspace.partitions()).map((p) => ({ workspaceUuid: uuid, ...p }));
      const parts = await Promise.all(partitions.map((p) => stub(p).census(p)));
      return {
        deliveries: parts.flatMap(([, deliveries]) => deliveries),
        attempts: parts.flatMap(([, , attempts]) => attempts),
      };
    },
  };
}

/** A failed attempt as the pipeline records it (src/db/history-schema.ts AttemptRow). */
const failedAttempt = (deliveryId, number, startedAt, url) => ({
  deliveryId,
  number,
  startedAt,
  method: "POST",
  url,
  requestHeaders: [],
  responseStatus: 503,
  responseBody: null,
  durationMs: 5,
  errorClass: "http_status",
  errorMessage: null,
});

const verified = (secret, request) => {
  try {
    new Webhook(secret).verify(
      request.body,
      {
        "webhook-id": request.headers["x-leadpush-id"],
        "webhook-timestamp": request.headers["x-leadpush-timestamp"],
        "webhook-signature": request.headers["x-leadpush-signature"],
      },
      { jsonParse: false },
    );
    return true;
  } catch {
    return false;
  }
};

test("failing, recovered, auto-disabled: told once per change, signed; then recovered and replayed", {
  timeout: 120_000,
}, async () => {
  // Retries and probes 100× sooner; disabled after 8 s of failing without a break.
  const w = await startWorker({
    vars: { DEV_RETRY_SPEEDUP: "100", AUTO_DISABLE_AFTER_HOURS: String(8 / 3600) },
  });
  started.push(() => w.dispose());
  let aUp = false;
  let bUp = false;
  const a = await startReceiver(() => ({ status: aUp ? 200 : 503 }));
  const b = await startReceiver(() => ({ status: bUp ? 200 : 500 }));
  const alerts = await startReceiver({ status: 200 });
  for (const r of [a, b, alerts]) started.push(() => r.close());

  const { uuid, apiKey } = await w.createWorkspace("lifecycle");
  const api = async (method, path, body, status) => {
    const res = await w.fetch(`/v1/workspaces/${uuid}${path}`, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (status !== undefined) assert.equal(res.status, status, `${method} ${path}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const destination = (fields) =>
    api("POST", "/destinations", { method: "POST", event_types: ["contact.updated"], ...fields }, 201);
  const alert = await destination({
    name: "Team chat",
    url_template: `${alerts.url}/chat`,
    event_types: [
      "destination.failing",
      "destination.recovered",
      "destination.disabled",
      "delivery.exhausted",
    ],
    body_template: '{"text": "{{ destination.name }}: {{ event.type }} (failing since {{ failing_since }})"}',
  });
  const destA = await destination({ name: "A", url_template: `${a.url}/a` });
  const destB = await destination({ name: "B", url_template: `${b.url}/b` });
  const ingest = (id) =>
    api(
      "POST",
      "/events",
      { id, type: "contact.updated", contact: { _id: `ct_${id}`, attributes: {} } },
      202,
    );
  for (let i = 0; i < 12; i++) await ingest(`e-${i}`);

  const alertsOf = (type, name) =>
    alerts.requests.filter((q) => {
      const body = JSON.parse(q.body);
      return q.headers["x-leadpush-event"] === type && body.text.startsWith(`${name}:`);
    });
  await until(
    () => alertsOf("destination.failing", "A").length && alertsOf("destination.failing", "B").length,
    "both failing",
  );
  aUp = true;
  await until(() => alertsOf("destination.recovered", "A").length, "A recovered", 30_000);
  await until(() => alertsOf("destination.disabled", "B").length, "B auto-disabled", 30_000);
  const bRow = await api("GET", `/destinations/${destB.id}`, undefined, 200);
  assert.equal(bRow.enabled, false);
  assert.match(bRow.disabled_reason, /^Disabled automatically on .*: every attempt failed since /);
  // A's deliveries all went out once it answered.
  await until(async () => {
    const list = (await api("GET", `/destinations/${destA.id}/deliveries?limit=100`, undefined, 200)).data;
    return list.length === 12 && list.every((d) => d.status === "succeeded");
  }, "A's backlog delivered");

  // Quiet for a while: no alert storm while B stays down, and A stays fine.
  await sleep(2_000);
  const counts = Object.fromEntries(
    ["destination.failing", "destination.recovered", "destination.disabled"].flatMap((type) =>
      ["A", "B"].map((name) => [`${type} ${name}`, alertsOf(type, name).length]),
    ),
  );
  assert.deepEqual(counts, {
    "destination.failing A": 1,
    "destination.failing B": 1,
    "destination.recovered A": 1,
    "destination.recovered B": 0,
    "destination.disabled A": 0,
    "destination.disabled B": 1,
  });
  for (const q of alerts.requests) assert.ok(verified(alert.secret, q), "every alert is signed");
  assert.equal(new Set(alerts.requests.map((q) => q.headers["x-leadpush-id"])).size, alerts.requests.length);
  assert.equal(a.requests.filter((q) => q.path !== "/a").length, 0);
  assert.equal(b.requests.filter((q) => q.path === "/chat").length, 0, "no alert about B went to B");

  // The morning after: B is fixed, re-enabled, and what it missed recovered in bulk.
  bUp = true;
  await api("PATCH", `/destinations/${destB.id}`, { enabled: true }, 200);
  const bDeliveries = (await api("GET", `/destinations/${destB.id}/deliveries?limit=100`, undefined, 200))
    .data;
  assert.equal(bDeliveries.length, 12);
  assert.ok(bDeliveries.every((d) => d.status === "failed" || d.status === "skipped"));
  const before = b.requests.length;
  const since = new Date(Date.now() - 10 * 60_000).toISOString();
  const recovery = await api("POST", `/destinations/${destB.id}/recover`, { since }, 202);
  assert.equal(recovery.total, 12);
  await until(
    async () =>
      (await api("GET", `/destinations/${destB.id}/recoveries/${recovery.id}`, undefined, 200)).status ===
      "finished",
    "the recovery finished",
  );
  await until(() => b.requests.length - before >= 12, "B's recovered deliveries arrived");
  await sleep(1_000);
  const recovered = b.requests.slice(before);
  const ids = recovered.map((q) => q.headers["x-leadpush-id"]);
  assert.equal(recovered.length, 12, "each once");
  assert.deepEqual(new Set(ids), new Set(bDeliveries.map((d) => d.id)), "under their own ids");
  for (const q of recovered) assert.ok(verified(destB.secret, q));

  // Replay one stored event to B: a new delivery, a new id.
  const replayed = await api("POST", "/events/e-3/replay", { destination_ids: [destB.id] }, 202);
  await until(() => b.requests.length - before === 13, "the replay arrived");
  const last = b.requests.at(-1);
  assert.equal(last.headers["x-leadpush-id"], replayed.deliveries[0].id);
  assert.equal(JSON.parse(last.body).event.id, "e-3");
  // And the event says who got it.
  const why = await api("GET", "/events/e-3", undefined, 200);
  const byName = Object.fromEntries(why.destinations.map((d) => [d.name, d]));
  assert.equal(byName.A.deliveries.length, 1);
  assert.equal(byName.B.deliveries.length, 2);
  assert.equal(byName["Team chat"].reason, "not_subscribed");
});

test("recovers thousands of deliveries at a real receiver, each exactly once, under its own id", {
  timeout: 120_000,
}, async () => {
  const COUNT = 5_000;
  const w = await startWorker();
  started.push(() => w.dispose());
  const r = await startReceiver({ status: 200 });
  started.push(() => r.close());
  const { uuid, apiKey } = await w.createWorkspace("volume");
  const call = async (method, path, body) => {
    const res = await w.fetch(`/v1/workspaces/${uuid}${path}`, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const { body: dest } = await call("POST", "/destinations", {
    name: "warehouse",
    method: "POST",
    url_template: `${r.url}/w`,
    event_types: ["contact.updated"],
  });
  // An outage's worth of failed deliveries, each after its 8 attempts, stored through the history
  // object's own writes: the event and its deliveries, then their attempts and outcome.
  const history = await historyOf(w, uuid);
  const created = Date.now() - 3_600_000;
  const p = history.partitionAt(Date.now());
  const payload = JSON.stringify({
    event: { id: "outage", type: "contact.updated" },
    contact: { _id: "ct" },
  });
  const rows = await history.stub(p).addDeliveries(
    p,
    { id: "outage", type: "contact.updated", payload, createdAt: created, copyOf: null },
    Array.from({ length: COUNT }, () => dest.id),
  );
  assert.equal(rows.length, COUNT);
  // In chunks, so no one call carries tens of thousands of attempts.
  for (let i = 0; i < rows.length; i += 1_000) {
    const outcomes = rows.slice(i, i + 1_000).flatMap((row) =>
      Array.from({ length: 8 }, (_, a) => ({
        destinationId: dest.id,
        attempt: failedAttempt(row.id, a + 1, created + a * 60_000, `${r.url}/w`),
        status: a === 7 ? "failed" : "pending",
        nextAttemptAt: null,
        laneDueAt: null,
        reason: a === 7 ? "gave up after 8 attempts" : null,
      })),
    );
    assert.equal(await history.stub(p).record(p, outcomes, [], ""), outcomes.length);
  }
  const since = new Date(created - 60_000).toISOString();
  const t0 = Date.now();
  const { status, body: recovery } = await call("POST", `/destinations/${dest.id}/recover`, { since });
  assert.equal(status, 202);
  assert.equal(recovery.total, COUNT);
  // Overlapping requests while it runs are refused: nothing is taken twice.
  assert.equal((await call("POST", `/destinations/${dest.id}/recover`, { since })).status, 409);
  await r.waitFor(COUNT, 90_000);
  const seconds = (Date.now() - t0) / 1000;
  await sleep(1_000);
  const ids = r.requests.map((q) => q.headers["x-leadpush-id"]);
  assert.equal(ids.length, COUNT, "none sent twice");
  assert.equal(new Set(ids).size, COUNT, "none lost");
  const stored = await history.census();
  const mine = stored.deliveries.filter((d) => d.destinationId === dest.id);
  const byStatus = {};
  for (const d of mine) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
  assert.deepEqual(byStatus, { succeeded: COUNT });
  const ours = new Set(mine.map((d) => d.id));
  const ninth = stored.attempts.filter((a) => a.number === 9 && ours.has(a.deliveryId)).length;
  assert.equal(ninth, COUNT, "each attempt numbered after the eight before");
  const done = (await call("GET", `/destinations/${dest.id}/recoveries/${recovery.id}`)).body;
  assert.equal(done.status, "finished");
  assert.equal(done.sent, COUNT);
  console.log(`recovered ${COUNT} deliveries at a real receiver in ${seconds.toFixed(1)} s`);
});
