// The queue consumer on hand-made batches: stored deliveries that were never enqueued, handed to it.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { database } from "../../src/db/client";
import { consumeDeliveries } from "../../src/dispatch/consume";
import { buildPayload } from "../../src/events/payload";
import { insertEventWithDeliveries } from "../../src/events/store";
import { newId } from "../../src/ids";
import type { DeliveryMessage } from "../../src/queue";
import type { Workspace } from "./helpers";

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
  await env.DB.prepare("UPDATE destinations SET send_path = 'direct' WHERE id = ? AND send_path = 'lane'")
    .bind(destinationId)
    .run();
  const eventId = newId("evt");
  const payload = buildPayload(eventId, type, ws.uuid, contact, new Date().toISOString());
  const [row] = await insertEventWithDeliveries(
    database(env.DB),
    { id: eventId, workspaceUuid: ws.uuid, type, payload: JSON.stringify(payload) },
    [destinationId],
  );
  return row?.id ?? "";
}

export let sequence = 0;
export async function consume(
  fetcher: typeof fetch,
  messages: { deliveryId: string; attempts: number; attemptsBefore?: number }[],
) {
  const batch = createMessageBatch<DeliveryMessage>(
    "leadpush-deliveries",
    messages.map(({ deliveryId, attempts, attemptsBefore }) => ({
      id: `msg-${++sequence}`,
      timestamp: new Date(),
      attempts,
      body: attemptsBefore === undefined ? { deliveryId } : { deliveryId, attemptsBefore },
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
