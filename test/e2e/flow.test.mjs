// End to end: flow control on the real worker bundle (programmatic Miniflare, which, like `wrangler dev`,
// runs one queue batch at a time) with real receivers on 127.0.0.1, every time measured at a receiver.
//
// - A noisy neighbour: workspace S has 12 destinations whose receiver never answers (5 s timeout), or
//   answers in 4 s, or answers 429 with Retry-After; workspace H has one healthy destination. Sixteen
//   rounds, 250 ms apart, each ingest one S event (12 deliveries) and then one H event: every H delivery
//   arrives within 2 s of its ingest, and S's deliveries are attempted and recorded, none sent twice.
// - A rate-limited destination beside an unlimited one, arrival times counted per window.
// - A receiver that fails, is probed while failing, and comes back: the backlog arrives at once.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { startWorker } from "./harness.mjs";
import { startReceiver } from "./receiver.mjs";

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const LIMIT = { timeout: 90_000 };
const ISOLATION_BOUND_MS = 2_000;

const started = [];
after(async () => {
  for (const close of started.reverse()) await close();
});

async function worker(vars) {
  const w = await startWorker({ vars });
  started.push(() => w.dispose());
  return w;
}

async function receiver(handler) {
  const r = await startReceiver(handler);
  started.push(() => r.close());
  return r;
}

/** A workspace of `w` and calls scoped to it; fails the test on an unexpected status. */
async function workspace(w, name) {
  const { uuid, apiKey } = await w.createWorkspace(name);
  async function api(method, path, body, status) {
    const res = await w.fetch(`/v1/workspaces/${uuid}${path}`, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (status !== undefined) assert.equal(res.status, status, `${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }
  return {
    uuid,
    api,
    destination: (fields) =>
      api(
        "POST",
        "/destinations",
        { name: "d", method: "POST", event_types: ["contact.updated"], ...fields },
        201,
      ),
    ingest: (id) =>
      api(
        "POST",
        "/events",
        { id, type: "contact.updated", contact: { _id: `ct_${id}`, attributes: {} } },
        202,
      ),
    deliveries: async (destinationId) =>
      (await api("GET", `/destinations/${destinationId}/deliveries?limit=100`, undefined, 200)).data,
    delivery: (id) => api("GET", `/deliveries/${id}`, undefined, 200),
  };
}

const eventIdOf = (request) => JSON.parse(request.body).event.id;

/**
 * The scenario: S's 12 destinations at `sReceiver`, H's one at a healthy receiver, 16 rounds of one S
 * event then one H event. Returns each H delivery's latency (receiver arrival − ingest start).
 */
async function noisyNeighbour(sHandler, { timeout = 5 } = {}) {
  const w = await worker();
  const dead = await receiver(sHandler);
  const healthy = await receiver();
  const S = await workspace(w, "S");
  const H = await workspace(w, "H");
  const sDestinations = [];
  for (let i = 0; i < 12; i++)
    sDestinations.push(
      await S.destination({ name: `S${i}`, url_template: `${dead.url}/s/${i}`, timeout_seconds: timeout }),
    );
  await H.destination({ name: "H", url_template: `${healthy.url}/h` });

  const ingestedAt = new Map();
  for (let round = 0; round < 16; round++) {
    await S.ingest(`s-${round}`);
    ingestedAt.set(`h-${round}`, Date.now());
    await H.ingest(`h-${round}`);
    await sleep(250);
  }
  const arrivals = await healthy.waitFor(16, 10_000);
  const latencies = arrivals.map((r) => r.receivedAt - ingestedAt.get(eventIdOf(r)));
  return { w, dead, S, sDestinations, latencies };
}

function assertIsolated(latencies) {
  assert.equal(latencies.length, 16);
  const worst = Math.max(...latencies);
  assert.ok(
    worst <= ISOLATION_BOUND_MS,
    `every H delivery within ${ISOLATION_BOUND_MS} ms of its ingest; got ${latencies.join(", ")} ms`,
  );
}

/**
 * S's side: every delivery still exists and is pending or succeeded (none lost), and the receiver got
 * each delivery exactly as often as attempts were recorded, give or take one still in flight (none sent
 * twice, none sent without a record).
 */
async function assertNothingLostOrDoubled(S, sDestinations, dead, expectedStatus) {
  const sent = new Map();
  for (const r of dead.requests) {
    const id = r.headers["x-leadpush-id"];
    sent.set(id, (sent.get(id) ?? 0) + 1);
  }
  let total = 0;
  let attempted = 0;
  for (const d of sDestinations) {
    const list = await S.deliveries(d.id);
    assert.equal(list.length, 16, "16 deliveries per S destination");
    let inFlight = 0;
    for (const summary of list) {
      total++;
      assert.ok(expectedStatus.includes(summary.status), `status ${summary.status}`);
      const { attempts } = await S.delivery(summary.id);
      const received = sent.get(summary.id) ?? 0;
      assert.ok(
        received >= attempts.length,
        `${summary.id}: ${attempts.length} attempts recorded, ${received} received`,
      );
      assert.ok(
        received - attempts.length <= 1,
        `${summary.id}: received ${received}, recorded ${attempts.length}`,
      );
      inFlight += received - attempts.length;
      if (attempts.length) attempted++;
      for (const [i, a] of attempts.entries()) assert.equal(a.number, i + 1);
    }
    assert.ok(inFlight <= 6, `at most 6 in flight per destination, saw ${inFlight}`);
  }
  assert.equal(total, 192);
  return { attempted };
}

describe("one workspace's trouble never holds up another's deliveries", () => {
  test("12 destinations that never answer (5 s timeout): every H delivery within 2 s", LIMIT, async () => {
    const { S, sDestinations, dead, latencies } = await noisyNeighbour({ hang: true });
    assertIsolated(latencies);
    // Let the lanes' first waves time out and be recorded.
    await sleep(6_000);
    const { attempted } = await assertNothingLostOrDoubled(S, sDestinations, dead, ["pending"]);
    assert.ok(attempted >= 12 * 6, `each S destination's lane attempted its first wave (${attempted})`);
    const { attempts } = await S.delivery((await S.deliveries(sDestinations[0].id)).at(-1).id);
    assert.equal(attempts[0].error_class, "timeout");
  });

  test(
    "12 destinations that answer in 4 s: every H delivery within 2 s, S's all delivered",
    LIMIT,
    async () => {
      const { S, sDestinations, dead, latencies } = await noisyNeighbour({ delayMs: 4_000, status: 200 });
      assertIsolated(latencies);
      // 16 deliveries per lane, 6 at a time, 4 s each: three waves.
      await dead.waitFor(192, 20_000);
      await sleep(4_500);
      await assertNothingLostOrDoubled(S, sDestinations, dead, ["succeeded"]);
    },
  );

  test(
    "12 destinations answering 429 with Retry-After: every H delivery within 2 s, S paused",
    LIMIT,
    async () => {
      const { S, sDestinations, dead, latencies } = await noisyNeighbour({
        status: 429,
        headers: { "Retry-After": "30" },
      });
      assertIsolated(latencies);
      await sleep(300);
      await assertNothingLostOrDoubled(S, sDestinations, dead, ["pending"]);
      // Each lane sent one wave and then honoured the pause: no second wave within the 30 s.
      assert.ok(dead.requests.length <= 12 * 6, `${dead.requests.length} requests while paused`);
    },
  );
});

describe("a rate-limited destination", () => {
  test(
    "gets at most its rate (plus a second's burst), oldest first, and slows no other destination",
    LIMIT,
    async () => {
      const w = await worker();
      const limited = await receiver();
      const free = await receiver();
      const ws = await workspace(w, "rate");
      await ws.destination({ name: "limited", url_template: `${limited.url}/l`, rate_limit_per_second: 5 });
      await ws.destination({ name: "free", url_template: `${free.url}/f` });
      const began = Date.now();
      for (let i = 0; i < 30; i++) await ws.ingest(`r-${String(i).padStart(2, "0")}`);
      const freeArrivals = await free.waitFor(30, 10_000);
      const arrivals = await limited.waitFor(30, 15_000);
      // The unlimited one is not held behind the limited one.
      assert.ok(Math.max(...freeArrivals.map((r) => r.receivedAt)) - began < 4_000);
      const times = arrivals.map((r) => r.receivedAt);
      for (const t of times) {
        const inSecond = times.filter((u) => u >= t && u < t + 1_000).length;
        assert.ok(inSecond <= 10, `at most 5 + a second's burst of 5 in any second; got ${inSecond}`);
      }
      // 30 at 5 a second with a burst of 5: no sooner than 5 s for the last.
      assert.ok(Math.max(...times) - Math.min(...times) >= 4_500, "spread over at least 5 s");
      // Oldest first: the events arrive in the order they were ingested.
      assert.deepEqual(arrivals.map(eventIdOf), arrivals.map(eventIdOf).toSorted());
    },
  );
});

describe("a failing destination", () => {
  test(
    "is probed one request at a time while it fails, and its backlog arrives as soon as it recovers",
    LIMIT,
    async () => {
      // Retry delays and probe intervals divided by 60: the first probe 0.5 s after it becomes failing.
      const w = await worker({ DEV_RETRY_SPEEDUP: "60" });
      let up = false;
      const r = await receiver(() => (up ? { status: 200 } : { status: 503 }));
      const ws = await workspace(w, "failing");
      const dest = await ws.destination({ name: "flaky", url_template: `${r.url}/f` });
      for (let i = 0; i < 10; i++) await ws.ingest(`f-${i}`);
      // Ten failed attempts make it failing.
      for (;;) {
        const d = await ws.api("GET", `/destinations/${dest.id}`, undefined, 200);
        if (d.failing_since !== null) break;
        await sleep(50);
      }
      const failingAt = Date.now();
      const before = r.requests.length;
      for (let i = 10; i < 40; i++) await ws.ingest(`f-${i}`);
      await sleep(4_000);
      const whileFailing = r.requests.filter((q) => q.receivedAt > failingAt);
      // 0.5 s, then 1 s, 2 s … between probes: a handful in 4 s, never two at once.
      assert.ok(whileFailing.length <= 5, `${whileFailing.length} probes in 4 s while failing`);
      assert.ok(whileFailing.length >= 2, "it is still probed");
      assert.ok(r.requests.length - before === whileFailing.length);
      const waiting = (await ws.deliveries(dest.id)).filter((d) => d.status === "pending");
      assert.ok(waiting.length >= 25, "the new deliveries wait");
      // Those that waited have no attempt of their own.
      const untouched = waiting.filter((d) => !r.requests.some((q) => q.headers["x-leadpush-id"] === d.id));
      for (const d of untouched.slice(0, 5)) assert.equal((await ws.delivery(d.id)).attempts.length, 0);

      up = true;
      const recoveredFrom = Date.now();
      await r.waitFor(r.requests.length + 40, 15_000).catch(() => undefined);
      const arrived = new Set(
        r.requests.filter((q) => q.receivedAt >= recoveredFrom).map((q) => q.headers["x-leadpush-id"]),
      );
      assert.equal(arrived.size, 40, "every delivery arrives once the receiver is back");
      const list = await ws.deliveries(dest.id);
      assert.deepEqual([...new Set(list.map((d) => d.status))], ["succeeded"]);
      const lastArrival = Math.max(...r.requests.map((q) => q.receivedAt));
      // The next probe is at most 8 s away (the backed-off interval), then the backlog goes at once.
      assert.ok(
        lastArrival - recoveredFrom < 12_000,
        `backlog arrived ${lastArrival - recoveredFrom} ms after recovery`,
      );
      const d = await ws.api("GET", `/destinations/${dest.id}`, undefined, 200);
      assert.equal(d.failing_since, null);
      assert.equal(d.consecutive_failures, 0);
    },
  );
});
