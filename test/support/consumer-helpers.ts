// The queue consumer on hand-made batches: stored deliveries that were never enqueued, handed to it.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { consumeDeliveries } from "../../src/dispatch/consume";
import { buildPayload } from "../../src/events/payload";
import { currentPartition, historyStub } from "../../src/history/client";
import { idIn } from "../../src/history/ids";
import type { DeliveryMessage } from "../../src/queue";
import type { Workspace } from "./helpers";
import { objectRow } from "./history";

/**
 * A stored pending delivery that was never enqueued: the tests hand its messages to the consumer. Its
 * destination is put on the consumer's direct path (as one that has answered quickly), since these tests
 * are about what the consumer itself sends; test/flow tests the lanes.
 */
export async function pendingDelivery(
  ws: Workspace,
  destinationId: string,
  type = "contact.created",
  contact: Record<string, unknown> = { _id: "ct_1", attributes: { email: "ada@example.com" } },
): Promise<string> {
  await env.WORKSPACE.getByName(ws.uuid).setSendPath([destinationId], "direct");
  const p = currentPartition(env, ws.uuid);
  const eventId = idIn("evt", p);
  const payload = buildPayload(eventId, type, ws.uuid, contact, new Date().toISOString());
  const [stored] = await historyStub(env, p).store(p, [
    { id: eventId, type, payload: JSON.stringify(payload), targets: [destinationId] },
  ]);
  const id = stored?.created[0]?.id ?? "";
  refs.set(id, { workspaceUuid: ws.uuid, destinationId });
  return id;
}

/** Each pending delivery's workspace and destination, which its queue message carries. */
const refs = new Map<string, { workspaceUuid: string; destinationId: string }>();

/** The message body the queue would carry for a delivery made here (or named with its ids). */
export function messageFor(deliveryId: string, attemptsBefore?: number): DeliveryMessage {
  const ref = refs.get(deliveryId) ?? { workspaceUuid: "", destinationId: "" };
  return attemptsBefore === undefined ? { deliveryId, ...ref } : { deliveryId, ...ref, attemptsBefore };
}

/** Finds a delivery made elsewhere (an ingest through the API) in the history, so messageFor names it. */
async function resolve(deliveryId: string): Promise<void> {
  const row = await objectRow<{ ws: string; dest: string }>(
    "SELECT workspace_uuid AS ws, destination_id AS dest FROM deliveries WHERE id = ?",
    [deliveryId],
  );
  if (row) refs.set(deliveryId, { workspaceUuid: row.ws, destinationId: row.dest });
}

/** Notes a delivery made elsewhere (an ingest through the API), so messageFor can name it. */
export function knowDelivery(delivery: { id: string; destination_id: string }, workspaceUuid: string) {
  refs.set(delivery.id, { workspaceUuid, destinationId: delivery.destination_id });
}

export let sequence = 0;
export async function consume(
  fetcher: typeof fetch,
  messages: { deliveryId: string; attempts: number; attemptsBefore?: number }[],
) {
  for (const { deliveryId } of messages) if (!refs.has(deliveryId)) await resolve(deliveryId);
  const batch = createMessageBatch<DeliveryMessage>(
    "leadpush-deliveries",
    messages.map(({ deliveryId, attempts, attemptsBefore }) => ({
      id: `msg-${++sequence}`,
      timestamp: new Date(),
      attempts,
      body: messageFor(deliveryId, attemptsBefore),
    })),
  );
  // The pool's mock batch drops retry()'s delaySeconds from getQueueResult, so read them off a spy.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options) => {
      delays.set(message.id, options?.delaySeconds);
      retry(options);
    });
  }
  const ctx = createExecutionContext();
  await consumeDeliveries(batch, env, fetcher);
  const result = await getQueueResult(batch, ctx);
  return {
    explicitAcks: result.explicitAcks,
    retryMessages: result.retryMessages.map(({ msgId }: { msgId: string }) => ({
      msgId,
      delaySeconds: delays.get(msgId),
    })),
  };
}
