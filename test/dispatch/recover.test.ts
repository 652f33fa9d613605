// The recovery sweep, which each history partition runs from its own alarm: pending deliveries whose
// queue message was lost are queued again (docs/storage.md, "Each object looks after itself").
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { partitionName } from "../../src/history/ids";
import worker from "../../src/index";
import { STALLED_AFTER_MS } from "../../src/limits";
import type { DeliveryMessage } from "../../src/queue";
import {
  call,
  contactEvent,
  createDestination,
  createWorkspace,
  type DeliveryWithAttemptsJson,
  ingest,
  json,
  receiver,
  type Workspace,
} from "../support/helpers";
import { objectRow, objectSql, partitionsOf, seedDeliveries } from "../support/history";

afterEach(() => {
  vi.restoreAllMocks();
});

let events = 0;

/**
 * A pending delivery stored `ageMs` ago and on no queue, `attemptsMade` attempts in; a retry (attempts
 * made) was due `dueAgoMs` ago, a first try was due when it was made.
 */
async function strandedDelivery(
  ws: Workspace,
  destinationId: string,
  attemptsMade: number,
  dueAgoMs: number,
) {
  const now = Date.now();
  const createdAt = attemptsMade ? now - dueAgoMs - 3_600_000 : now - dueAgoMs;
  const [id] = await seedDeliveries(ws.uuid, destinationId, { id: `evt-stranded-${++events}` }, [
    { createdAt, attemptsMade, nextAttemptAt: now - dueAgoMs },
  ]);
  return id as string;
}

/** Runs the alarm of every history partition of the workspace now, as the platform would when it is due. */
async function sweep(ws: Workspace) {
  for (const p of await partitionsOf(ws.uuid))
    await runDurableObjectAlarm(env.HISTORY.getByName(partitionName(p)));
}

const read = async (ws: Workspace, id: string) =>
  json<DeliveryWithAttemptsJson>(await call(`/v1/workspaces/${ws.uuid}/deliveries/${id}`, { auth: ws.auth }));

async function until(ws: Workspace, id: string, check: (d: DeliveryWithAttemptsJson) => boolean) {
  await vi.waitFor(async () => expect(check(await read(ws, id))).toBe(true), { timeout: 5000, interval: 25 });
  return read(ws, id);
}

/** The messages sent to the delivery queue, as the spy saw them. */
const sentMessages = (send: { mock: { calls: unknown[][] } }) =>
  send.mock.calls.flatMap(([messages]) => [...(messages as { body: DeliveryMessage }[])].map((m) => m.body));

describe("recovering stalled deliveries", () => {
  it("queues again a delivery whose message was lost, continuing its attempt numbers", async () => {
    const { requests, fetcher } = receiver();
    vi.spyOn(globalThis, "fetch").mockImplementation(fetcher);
    const send = vi.spyOn(env.DELIVERY_QUEUE, "sendBatch");
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const fresh = await strandedDelivery(ws, dest.id, 0, STALLED_AFTER_MS + 60_000);
    const midway = await strandedDelivery(ws, dest.id, 3, STALLED_AFTER_MS + 60_000);
    const notYet = await strandedDelivery(ws, dest.id, 0, STALLED_AFTER_MS - 60_000);

    await sweep(ws);
    expect(
      sentMessages(send)
        .map((m) => m.deliveryId)
        .sort(),
    ).toEqual([fresh, midway].sort());
    const first = await until(ws, fresh, (d) => d.status === "succeeded");
    expect(first.attempts.map((a) => a.number)).toEqual([1]);
    const later = await until(ws, midway, (d) => d.status === "succeeded");
    expect(later.attempts.map((a) => a.number)).toEqual([4]);
    expect((await read(ws, notYet)).status).toBe("pending");
    expect(requests.map((r) => r.headers.get("x-leadpush-id")).sort()).toEqual([fresh, midway].sort());
    // Queued once: the sweep moved their due time, so the next sweep leaves them alone.
    send.mockClear();
    await sweep(ws);
    expect(sentMessages(send)).toEqual([]);
  });

  it("never queues a second copy while the one it queued may still be in flight", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const send = vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const id = await strandedDelivery(ws, dest.id, 2, STALLED_AFTER_MS + 60_000);
    const copies = () => sentMessages(send).filter((b) => b.deliveryId === id);
    await sweep(ws);
    expect(copies()).toHaveLength(1);
    const claimed = await objectRow<{ due: number }>(
      "SELECT next_attempt_at AS due FROM deliveries WHERE id = ?",
      [id],
    );
    // Its copy is in flight (here: never consumed). Time passing is its due time moving back: sweeps a
    // minute, a stall window and more later leave it alone; only once the copy is itself a whole window
    // overdue is it presumed lost.
    const minutesLater = async (minutes: number) => {
      await objectSql("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?", [
        (claimed?.due ?? 0) - minutes * 60_000,
        id,
      ]);
      await sweep(ws);
    };
    for (const minutes of [1, 15, 29]) await minutesLater(minutes);
    expect(copies()).toHaveLength(1);
    await minutesLater(31);
    expect(copies()).toEqual([
      { deliveryId: id, workspaceUuid: ws.uuid, destinationId: dest.id, attemptsBefore: 2 },
      { deliveryId: id, workspaceUuid: ws.uuid, destinationId: dest.id, attemptsBefore: 2 },
    ]);
  });

  it("a recovered delivery on its last attempt fails into the dead-letter queue", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 500 }));
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const id = await strandedDelivery(ws, dest.id, 7, STALLED_AFTER_MS + 60_000);
    await sweep(ws);
    const done = await until(ws, id, (d) => d.dead_lettered_at !== null);
    expect(done.status).toBe("failed");
    expect(done.attempts.map((a) => a.number)).toEqual([8]);
  });

  it("is set going by the store itself: a partition that stores deliveries has its alarm set to look for them", async () => {
    vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const ws = await createWorkspace();
    await createDestination(ws);
    const before = Date.now();
    expect((await ingest(ws, contactEvent())).status).toBe(202);
    const [p] = await partitionsOf(ws.uuid);
    const alarm = await runInDurableObject(env.HISTORY.getByName(partitionName(p as never)), (_i, state) =>
      state.storage.getAlarm(),
    );
    // Within a minute of the stall window: the message just sent (here: dropped) is looked for then.
    expect(alarm).toBeGreaterThanOrEqual(before + STALLED_AFTER_MS);
    expect(alarm).toBeLessThanOrEqual(Date.now() + STALLED_AFTER_MS + 60_000);
  });

  it("a late original and its recovered copy send the attempt once", async () => {
    const { requests, fetcher } = receiver();
    vi.spyOn(globalThis, "fetch").mockImplementation(fetcher);
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const id = await strandedDelivery(ws, dest.id, 0, STALLED_AFTER_MS + 60_000);
    await sweep(ws);
    await until(ws, id, (d) => d.status === "succeeded");
    // The original message turns up after all: the consumer acknowledges it without sending.
    const batch = createMessageBatch<DeliveryMessage>("leadpush-deliveries", [
      {
        id: "late-original",
        timestamp: new Date(),
        attempts: 1,
        body: { deliveryId: id, workspaceUuid: ws.uuid, destinationId: dest.id },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["late-original"]);
    expect(result.retryMessages).toEqual([]);
    expect(requests).toHaveLength(1);
    expect((await read(ws, id)).attempts).toHaveLength(1);
  });
});
