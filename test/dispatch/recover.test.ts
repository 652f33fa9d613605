// The recovery sweep: pending deliveries whose queue message was lost are queued again.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { database } from "../../src/db/client";
import { recoverStalledDeliveries } from "../../src/dispatch/recover";
import { buildPayload } from "../../src/events/payload";
import { insertEventWithDeliveries } from "../../src/events/store";
import { newId } from "../../src/ids";
import worker from "../../src/index";
import { STALLED_AFTER_MS } from "../../src/limits";
import type { DeliveryMessage } from "../../src/queue";
import {
  call,
  createDestination,
  createWorkspace,
  type DeliveryWithAttemptsJson,
  json,
  receiver,
  type Workspace,
} from "../support/helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

/** A pending delivery that is in D1 but on no queue, `attemptsMade` attempts in, due `dueAgoMs` ago. */
async function strandedDelivery(
  ws: Workspace,
  destinationId: string,
  attemptsMade: number,
  dueAgoMs: number,
) {
  const eventId = newId("evt");
  const payload = buildPayload(
    eventId,
    "contact.created",
    ws.uuid,
    { _id: "ct_1" },
    new Date().toISOString(),
  );
  const [row] = await insertEventWithDeliveries(
    database(env.DB),
    {
      id: eventId,
      workspaceUuid: ws.uuid,
      type: "contact.created",
      payload: JSON.stringify(payload),
    },
    [destinationId],
  );
  await env.DB.prepare("UPDATE deliveries SET attempts_made = ?, next_attempt_at = ? WHERE id = ?")
    .bind(attemptsMade, Date.now() - dueAgoMs, row?.id)
    .run();
  return row?.id ?? "";
}

const read = async (ws: Workspace, id: string) =>
  json<DeliveryWithAttemptsJson>(await call(`/v1/workspaces/${ws.uuid}/deliveries/${id}`, { auth: ws.auth }));

async function until(ws: Workspace, id: string, check: (d: DeliveryWithAttemptsJson) => boolean) {
  await vi.waitFor(async () => expect(check(await read(ws, id))).toBe(true), { timeout: 5000, interval: 25 });
  return read(ws, id);
}

describe("recovering stalled deliveries", () => {
  it("queues again a delivery whose message was lost, continuing its attempt numbers", async () => {
    const { requests, fetcher } = receiver();
    vi.spyOn(globalThis, "fetch").mockImplementation(fetcher);
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const fresh = await strandedDelivery(ws, dest.id, 0, STALLED_AFTER_MS + 60_000);
    const midway = await strandedDelivery(ws, dest.id, 3, STALLED_AFTER_MS + 60_000);
    const notYet = await strandedDelivery(ws, dest.id, 0, STALLED_AFTER_MS - 60_000);

    expect(await recoverStalledDeliveries(env)).toBe(2);
    const first = await until(ws, fresh, (d) => d.status === "succeeded");
    expect(first.attempts.map((a) => a.number)).toEqual([1]);
    const later = await until(ws, midway, (d) => d.status === "succeeded");
    expect(later.attempts.map((a) => a.number)).toEqual([4]);
    expect((await read(ws, notYet)).status).toBe("pending");
    expect(requests.map((r) => r.headers.get("x-leadpush-id")).sort()).toEqual([fresh, midway].sort());
    // Queued once: the sweep moved their due time, so the next sweep leaves them alone.
    expect(await recoverStalledDeliveries(env)).toBe(0);
  });

  it("never queues a second copy while the one it queued may still be in flight", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const send = vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const id = await strandedDelivery(ws, dest.id, 2, STALLED_AFTER_MS + 60_000);
    // (Other tests of this file leave pending deliveries behind: count this one's copies only.)
    const copies = () =>
      send.mock.calls
        .flatMap(([messages]) => [...messages].map((m) => m.body as DeliveryMessage))
        .filter((b) => b.deliveryId === id);
    const start = Date.now();
    await recoverStalledDeliveries(env, start);
    expect(copies()).toHaveLength(1);
    // Its copy is in flight (here: never consumed). Sweeps every minute for a full stall window and more
    // leave it alone; only once the copy is itself a whole window overdue is it presumed lost.
    for (let minute = 1; minute <= 30; minute++) await recoverStalledDeliveries(env, start + minute * 60_000);
    expect(copies()).toHaveLength(1);
    await recoverStalledDeliveries(env, start + 31 * 60_000);
    expect(copies()).toEqual([
      { deliveryId: id, attemptsBefore: 2 },
      { deliveryId: id, attemptsBefore: 2 },
    ]);
  });

  it("a recovered delivery on its last attempt fails into the dead-letter queue", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 500 }));
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const id = await strandedDelivery(ws, dest.id, 7, STALLED_AFTER_MS + 60_000);
    await recoverStalledDeliveries(env);
    const done = await until(ws, id, (d) => d.dead_lettered_at !== null);
    expect(done.status).toBe("failed");
    expect(done.attempts.map((a) => a.number)).toEqual([8]);
  });

  it("runs from the worker's cron trigger", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const id = await strandedDelivery(ws, dest.id, 0, STALLED_AFTER_MS + 60_000);
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
    expect((await until(ws, id, (d) => d.status === "succeeded")).attempts).toHaveLength(1);
  });

  it("a late original and its recovered copy send the attempt once", async () => {
    const { requests, fetcher } = receiver();
    vi.spyOn(globalThis, "fetch").mockImplementation(fetcher);
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const id = await strandedDelivery(ws, dest.id, 0, STALLED_AFTER_MS + 60_000);
    await recoverStalledDeliveries(env);
    await until(ws, id, (d) => d.status === "succeeded");
    // The original message turns up after all: the consumer acknowledges it without sending.
    const batch = createMessageBatch<DeliveryMessage>("leadpush-deliveries", [
      { id: "late-original", timestamp: new Date(), attempts: 1, body: { deliveryId: id } },
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
