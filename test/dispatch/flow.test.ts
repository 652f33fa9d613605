// Flow control inside workerd: the rules (pure, with explicit time), then a real destination lane (the
// Durable Object) with its receiver spied on: isolation from the consumer, the failing state and its
// probes, release on recovery, the rate limit, Retry-After and disabled destinations.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DestinationLane } from "../../src/flow/lane";
import { FAILING_AFTER, LANE_SLOTS } from "../../src/limits";
import {
  allowance,
  type Bucket,
  laneAllowance,
  probeDelayMs,
  refill,
  sendsDirect,
} from "../../src/rules/flow-control";
import { consume, pendingDelivery } from "../support/consumer-helpers";
import {
  type Captured,
  call,
  countRows,
  createDestination,
  createWorkspace,
  json,
  receiver,
  validDestination,
} from "../support/helpers";
import { healthOf, objectRow, setHealth } from "../support/history";

afterEach(() => vi.restoreAllMocks());

describe("rate_limit_per_second and the failing state in the API", () => {
  it.each([0, 1001, 2.5, "10"])(
    "refuses a rate limit of %j, naming the field, and creates nothing",
    async (rate) => {
      const ws = await createWorkspace();
      const res = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
        method: "POST",
        auth: ws.auth,
        body: validDestination({ rate_limit_per_second: rate }),
      });
      expect(res.status).toBe(400);
      const problem = await json<{ errors: { field: string; detail: string }[] }>(res);
      expect(problem.errors[0]?.field).toBe("rate_limit_per_second");
      expect(await countRows("destinations", "workspace_uuid = ?", ws.uuid)).toBe(0);
    },
  );

  it("takes a limit on create and update, clears it with null, and shows no failing state by default", async () => {
    const ws = await createWorkspace();
    const created = await createDestination(ws, { rate_limit_per_second: 1000 });
    expect(created.rate_limit_per_second).toBe(1000);
    expect(created.failing_since).toBeNull();
    expect(created.consecutive_failures).toBe(0);
    const path = `/v1/workspaces/${ws.uuid}/destinations/${created.id}`;
    const patched = await json(
      await call(path, { method: "PATCH", auth: ws.auth, body: { rate_limit_per_second: 7 } }),
    );
    expect(patched.rate_limit_per_second).toBe(7);
    const cleared = await json(
      await call(path, { method: "PATCH", auth: ws.auth, body: { rate_limit_per_second: null } }),
    );
    expect(cleared.rate_limit_per_second).toBeNull();
    expect((await createDestination(ws)).rate_limit_per_second).toBeNull();
  });

  it("is in the OpenAPI document", async () => {
    const doc = await json<{
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    }>(await call("/openapi.json"));
    expect(Object.keys(doc.components.schemas.DestinationCreate?.properties ?? {})).toContain(
      "rate_limit_per_second",
    );
    expect(Object.keys(doc.components.schemas.Destination?.properties ?? {})).toEqual(
      expect.arrayContaining([
        "rate_limit_per_second",
        "failing_since",
        "consecutive_failures",
        "next_probe_at",
      ]),
    );
  });
});

describe("the rules", () => {
  const healthy = { consecutiveFailures: 0, failedProbes: 0, lastProbeAt: null, pausedUntil: null };
  const full: Bucket = { tokens: 0, at: 0 };

  it("sends directly only to a quick destination with no rate limit that is not failing", () => {
    const quick = { sendPath: "direct" as const, rateLimitPerSecond: null, consecutiveFailures: 0 };
    expect(sendsDirect(quick)).toBe(true);
    expect(sendsDirect({ ...quick, sendPath: "lane" })).toBe(false);
    expect(sendsDirect({ ...quick, rateLimitPerSecond: 10 })).toBe(false);
    expect(sendsDirect({ ...quick, consecutiveFailures: FAILING_AFTER })).toBe(false);
    expect(sendsDirect({ ...quick, consecutiveFailures: FAILING_AFTER - 1 })).toBe(true);
  });

  it("probes a failing destination after 30 s, then backs off to every 10 minutes", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((n) => probeDelayMs(n) / 1000)).toEqual([
      30, 60, 120, 240, 480, 600, 600, 600,
    ]);
  });

  it("lets a failing destination have one request, and only when its probe is due", () => {
    const failing = { ...healthy, consecutiveFailures: FAILING_AFTER, lastProbeAt: 1_000_000 };
    expect(laneAllowance(failing, full, null, 1_000_000 + 29_999)).toEqual({
      count: 0,
      wakeAt: 1_030_000,
    });
    expect(laneAllowance(failing, full, null, 1_030_000)).toEqual({ count: 1, wakeAt: null });
    const twice = { ...failing, failedProbes: 2 };
    expect(laneAllowance(twice, full, null, 1_000_000 + 119_000).count).toBe(0);
    expect(laneAllowance(twice, full, null, 1_000_000 + 120_000).count).toBe(1);
    expect(laneAllowance(healthy, full, null, 5).count).toBe(LANE_SLOTS);
  });

  it("sends nothing while a receiver's Retry-After runs", () => {
    const paused = { ...healthy, pausedUntil: 10_000 };
    expect(laneAllowance(paused, full, null, 9_000)).toEqual({ count: 0, wakeAt: 10_000 });
    expect(laneAllowance(paused, full, null, 10_001).count).toBe(LANE_SLOTS);
  });

  it("starts at most limit × (t + 1) requests in any t seconds, however they are asked for", () => {
    for (const limit of [1, 3, 7, 50, 1000]) {
      let bucket: Bucket = { tokens: limit, at: 0 };
      const starts: number[] = [];
      // Ask every 7 ms for 20 s, taking whatever is allowed.
      for (let now = 0; now < 20_000; now += 7) {
        bucket = refill(bucket, limit, now);
        const { count } = allowance(bucket, limit);
        const take = Math.min(count, 100);
        for (let i = 0; i < take; i++) starts.push(now);
        bucket.tokens -= take;
      }
      for (let from = 0; from <= 10_000; from += 250) {
        const inWindow = starts.filter((t) => t >= from && t < from + 10_000).length;
        expect(inWindow).toBeLessThanOrEqual(limit * 11);
      }
      // And it is not starved: over 20 s it reaches the limit's rate.
      expect(starts.length).toBeGreaterThanOrEqual(limit * 19);
    }
  });
});

const lane = (destinationId: string) => env.LANES.getByName(destinationId);
/** A destination's health, as its workspace's object keeps it. */
async function destinationRow(id: string) {
  const h = await healthOf(id);
  return (
    h && {
      sendPath: h.sendPath,
      failures: h.consecutiveFailures,
      since: h.failuresSince,
      nextProbeAt: h.nextProbeAt,
    }
  );
}
const attemptsOf = (deliveryId: string) => countRows("attempts", "delivery_id = ?", deliveryId);
const deliveryRow = <T>(columns: string, deliveryId: string) =>
  objectRow<T>(`SELECT ${columns} FROM deliveries WHERE id = ?`, [deliveryId]);
const statusOf = async (deliveryId: string) =>
  (await deliveryRow<{ status: string }>("status", deliveryId))?.status;

/** Stored deliveries to a destination, as the consumer would hand them over (not on its direct path). */
async function waitingDeliveries(
  wsUuid: Awaited<ReturnType<typeof createWorkspace>>,
  destinationId: string,
  n: number,
) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await pendingDelivery(wsUuid, destinationId));
  // pendingDelivery puts the destination on the direct path for the consumer tests; a lane test wants it off.
  await setHealth(destinationId, { send_path: "lane" });
  return ids;
}

/** Spies the receivers the lane reaches (the lane sends with the global fetch). */
function spyReceiver(respond: (request: Captured, n: number) => Response | Promise<Response>) {
  const r = receiver(respond);
  vi.spyOn(globalThis, "fetch").mockImplementation(r.fetcher);
  return r;
}

/** Spies a receiver that never answers: each request ends only when its attempt's timeout aborts it. */
function spyHangingReceiver() {
  const requests: string[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const request = new Request(input, init);
    requests.push(request.url);
    const signal = init?.signal ?? request.signal;
    return new Promise<Response>((_, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  });
  return { requests };
}

/** Makes the lane's next probe due now, as if its interval had passed. */
async function probeIntervalPassed(destinationId: string) {
  await runInDurableObject(lane(destinationId), async (_instance: DestinationLane, state) => {
    const current = (await state.storage.get<Record<string, unknown>>("state")) ?? {};
    await state.storage.put("state", { ...current, lastProbeAt: 0 });
  });
}

describe("the consumer's direct path", () => {
  it("moves a destination to its lane as soon as a direct send goes unanswered for a second, not when it ends", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { name: "Went quiet", timeout_seconds: 4 });
    const id = await pendingDelivery(ws, dest.id);
    let release: (() => void) | undefined;
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = receiver(async () => {
      await answered;
      return new Response("ok");
    });
    const batch = consume(slow.fetcher, [{ deliveryId: id, attempts: 1 }]);
    // While the send is still open, the watcher has already moved the destination off the direct path.
    await vi.waitFor(async () => expect((await destinationRow(dest.id))?.sendPath).toBe("lane"), {
      timeout: 2_500,
      interval: 100,
    });
    expect(slow.requests).toHaveLength(1);
    expect(await statusOf(id)).toBe("pending");
    release?.();
    await batch;
    expect(await statusOf(id)).toBe("succeeded");
    expect((await destinationRow(dest.id))?.sendPath).toBe("lane");
  }, 10_000);

  it("leaves a destination that answers within a second on the direct path", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const id = await pendingDelivery(ws, dest.id);
    const quick = receiver(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return new Response("ok");
    });
    await consume(quick.fetcher, [{ deliveryId: id, attempts: 1 }]);
    expect(await statusOf(id)).toBe("succeeded");
    expect((await destinationRow(dest.id))?.sendPath).toBe("direct");
  });
});

describe("a destination's lane", () => {
  it("takes a batch from the consumer at once while its receiver hangs, and sends it itself", async () => {
    const ws = await createWorkspace();
    const dead = await createDestination(ws, { name: "Dead", timeout_seconds: 2 });
    const ids = await waitingDeliveries(ws, dead.id, 3);
    const hanging = spyHangingReceiver();
    const direct = receiver();
    const started = Date.now();
    const result = await consume(
      direct.fetcher,
      ids.map((deliveryId) => ({ deliveryId, attempts: 1 })),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.explicitAcks).toHaveLength(3);
    expect(direct.requests).toHaveLength(0);
    // The lane sends them, times them out on the destination's own timeout, and keeps them for a retry.
    await vi.waitFor(async () => expect(await attemptsOf(ids[2] as string)).toBe(1), { timeout: 5_000 });
    expect(hanging.requests).toHaveLength(3);
    const attempt = await objectRow<{ e: string }>(
      "SELECT error_class AS e FROM attempts WHERE delivery_id = ?",
      [ids[0]],
    );
    expect(attempt?.e).toBe("timeout");
    expect(await statusOf(ids[0] as string)).toBe("pending");
    expect((await destinationRow(dead.id))?.failures).toBe(3);
    expect(await lane(dead.id).waitingCount()).toBe(3);
  }, 15_000);

  it("moves a destination that answers quickly onto the consumer's direct path", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const [id] = await waitingDeliveries(ws, dest.id, 1);
    spyReceiver(() => new Response("ok"));
    await lane(dest.id).accept(dest.id, ws.uuid, [id as string]);
    await vi.waitFor(async () => expect(await statusOf(id as string)).toBe("succeeded"));
    expect((await destinationRow(dest.id))?.sendPath).toBe("direct");
    expect(await lane(dest.id).waitingCount()).toBe(0);
  });

  it("fails 10 times, then probes once per interval while the rest wait without attempts, and releases them on success", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const ids = await waitingDeliveries(ws, dest.id, 16);
    let up = false;
    const r = spyReceiver(() => new Response(up ? "ok" : "down", { status: up ? 200 : 500 }));
    const stub = lane(dest.id);
    // Ten failures on first attempts: 6, then 4 more as their slots free (retries are due later).
    await stub.accept(dest.id, ws.uuid, ids.slice(0, 10));
    await vi.waitFor(async () => expect((await destinationRow(dest.id))?.failures).toBe(10));
    const failing = await destinationRow(dest.id);
    expect(failing?.since).not.toBeNull();
    expect(failing?.nextProbeAt).toBeGreaterThan(Date.now() + 20_000);
    const json = await (
      await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, { auth: ws.auth })
    ).json<Record<string, unknown>>();
    expect(json.consecutive_failures).toBe(10);
    expect(typeof json.failing_since).toBe("string");

    // Six more arrive while it is failing: nothing is sent before the probe is due.
    const before = r.requests.length;
    await stub.accept(dest.id, ws.uuid, ids.slice(10));
    expect(await stub.pump(200)).toEqual([]);
    expect(r.requests.length).toBe(before);
    for (const id of ids.slice(10)) expect(await attemptsOf(id)).toBe(0);

    // The probe: exactly one request, which fails; the next probe waits 60 s.
    await probeIntervalPassed(dest.id);
    const probe = await stub.pump(200);
    expect(probe.map((w) => w.sent)).toEqual([1]);
    expect(r.requests.length).toBe(before + 1);
    const afterProbe = await destinationRow(dest.id);
    expect(afterProbe?.failures).toBe(11);
    expect(afterProbe?.nextProbeAt).toBeGreaterThan(Date.now() + 50_000);
    expect(await stub.pump(200)).toEqual([]);

    // It comes back: the next probe succeeds and every waiting delivery goes at once.
    up = true;
    await probeIntervalPassed(dest.id);
    const waves = await stub.pump(5_000);
    expect(waves[0]?.recovered).toBe(true);
    expect(waves[0]?.released).toBe(15);
    for (const id of ids) expect(await statusOf(id)).toBe("succeeded");
    const recovered = await destinationRow(dest.id);
    expect(recovered?.failures).toBe(0);
    expect(recovered?.since).toBeNull();
    // Each delivery sent while failing was sent once: 10 failures, 1 failed probe, 1 good probe + 15.
    expect(r.requests.length).toBe(10 + 1 + 16);
  });

  it("holds a rate-limited destination to its limit, oldest first, without spending attempts", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { rate_limit_per_second: 4 });
    const ids = await waitingDeliveries(ws, dest.id, 12);
    const starts: { at: number; id: string | null }[] = [];
    spyReceiver((req) => {
      starts.push({ at: Date.now(), id: req.headers.get("x-leadpush-id") });
      return new Response("ok");
    });
    const began = Date.now();
    await lane(dest.id).accept(dest.id, ws.uuid, ids);
    await vi.waitFor(
      async () =>
        expect(await countRows("deliveries", "destination_id = ? AND status = 'succeeded'", dest.id)).toBe(
          12,
        ),
      {
        timeout: 6_000,
      },
    );
    // 4 at once (one second's burst), then 4 a second: in any second at most 8, and the 12th no
    // sooner than 2 s in.
    expect(starts.filter((s) => s.at - began < 100)).toHaveLength(4);
    for (const { at } of starts)
      expect(starts.filter((s) => s.at >= at && s.at < at + 1_000).length).toBeLessThanOrEqual(8);
    expect((starts[11]?.at ?? 0) - began).toBeGreaterThanOrEqual(1_900);
    expect(starts.map((s) => s.id)).toEqual(ids);
    for (const id of ids) expect(await attemptsOf(id)).toBe(1);
    // A rate-limited destination never moves to the direct path.
    expect((await destinationRow(dest.id))?.sendPath).toBe("lane");
  });

  it("pauses every delivery of a destination for a receiver's Retry-After", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const ids = await waitingDeliveries(ws, dest.id, 3);
    const r = spyReceiver(
      () => new Response("slow down", { status: 429, headers: { "retry-after": "120" } }),
    );
    const stub = lane(dest.id);
    await stub.accept(dest.id, ws.uuid, [ids[0] as string]);
    await vi.waitFor(async () => expect(await attemptsOf(ids[0] as string)).toBe(1));
    await stub.accept(dest.id, ws.uuid, ids.slice(1));
    expect(await stub.pump(300)).toEqual([]);
    expect(r.requests).toHaveLength(1);
    for (const id of ids.slice(1)) expect(await attemptsOf(id)).toBe(0);
  });

  it("keeps what waits as skipped when its destination is disabled", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const ids = await waitingDeliveries(ws, dest.id, 3);
    const r = spyReceiver(() => new Response("ok"));
    await env.DB.prepare("UPDATE destinations SET enabled = 0 WHERE id = ?").bind(dest.id).run();
    await lane(dest.id).accept(dest.id, ws.uuid, ids);
    await vi.waitFor(async () => {
      for (const id of ids) expect(await statusOf(id)).toBe("skipped");
    });
    expect(r.requests).toHaveLength(0);
    expect(await lane(dest.id).waitingCount()).toBe(0);
  });

  it("parks what it holds out of the recovery sweep's sight, and takes a delivery twice as once", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { timeout_seconds: 1 });
    const [id] = await waitingDeliveries(ws, dest.id, 1);
    spyHangingReceiver();
    // Failing since just now (a run older than AUTO_DISABLE_AFTER_HOURS would be disabled instead).
    await setHealth(dest.id, { consecutive_failures: 10, failures_since: Date.now() });
    await lane(dest.id).accept(dest.id, ws.uuid, [id as string]);
    await lane(dest.id).accept(dest.id, ws.uuid, [id as string]);
    const row = await deliveryRow<{ t: number | null }>("next_attempt_at AS t", id as string);
    expect(row?.t).toBeNull();
    expect(await lane(dest.id).waitingCount()).toBe(1);
  });
});

describe("a retry its lane holds", () => {
  it("shows its due time in the API while the recovery sweep cannot see it", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const [id] = await waitingDeliveries(ws, dest.id, 1);
    spyReceiver(() => new Response("down", { status: 500 }));
    const sent = Date.now();
    await lane(dest.id).accept(dest.id, ws.uuid, [id as string]);
    await vi.waitFor(async () => expect(await attemptsOf(id as string)).toBe(1));
    const row = await deliveryRow<{ t: number | null; h: number | null }>(
      "next_attempt_at AS t, lane_due_at AS h",
      id as string,
    );
    expect(row?.t).toBeNull();
    const body = await (await call(`/v1/workspaces/${ws.uuid}/deliveries/${id}`, { auth: ws.auth })).json<{
      status: string;
      next_attempt_at: string | null;
    }>();
    expect(body.status).toBe("pending");
    expect(body.next_attempt_at).not.toBeNull();
    // The first retry is due about 5 s after the failed attempt (docs/deliveries.md).
    const due = Date.parse(body.next_attempt_at as string) - sent;
    expect(due).toBeGreaterThan(3_000);
    expect(due).toBeLessThan(8_000);
    expect(row?.h).toBe(Date.parse(body.next_attempt_at as string));
  });
});
