// The dead-letter queue. The consumer and the lanes hand it exhausted deliveries (already recorded
// `failed`), so they can be inspected and replayed in bulk; a message whose consumer kept throwing
// reaches it by itself, through max_retries. Its own consumer marks each delivery in its history
// partition, so nothing vanishes.
import { byPartition, historyStub } from "../history/client";
import { partitionOfId } from "../history/ids";
import { type DeliveryMessage, messageOf, type QueuedDelivery } from "../queue";

/** A failure to enqueue loses nothing that the history does not already hold, so it is logged, not thrown. */
export async function sendToDeadLetter(env: Env, deliveries: readonly (DeliveryMessage | QueuedDelivery)[]) {
  if (!deliveries.length) return;
  const body = (d: DeliveryMessage | QueuedDelivery) => ("deliveryId" in d ? d : messageOf(d));
  try {
    await env.DEAD_LETTER_QUEUE.sendBatch(deliveries.map((d) => ({ body: body(d), contentType: "json" })));
  } catch (error) {
    console.error(
      "could not enqueue to the dead-letter queue",
      error instanceof Error ? error.message : String(error),
    );
  }
}

export async function recordDeadLetters(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const bodies = batch.messages
    .map((m) => m.body)
    .filter((b) => typeof b?.deliveryId === "string" && typeof b.workspaceUuid === "string");
  await Promise.all(
    byPartition(bodies, (b) => partitionOfId(b.workspaceUuid, b.deliveryId)).map(({ p, items }) =>
      historyStub(env, p).deadLettered(
        p,
        items.map((b) => ({ destinationId: b.destinationId, id: b.deliveryId })),
      ),
    ),
  );
  batch.ackAll();
}
