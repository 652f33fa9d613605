// The delivery queue's contract and its producer side, shared by everything that queues deliveries
// (ingest, test sends, redelivery, replay, recovery, announcements, the recovery sweep) and read by its
// consumers (src/dispatch/consume.ts, src/dispatch/dead-letter.ts).

/**
 * A queue message names a delivery and nothing else: the consumer reloads the rest. The workspace and
 * destination are ids too: with the delivery's id (which names its history partition, src/history/ids.ts)
 * they find its row without a lookup. `attemptsBefore` is set when a stalled delivery is queued again: its
 * attempt numbers continue from there, since the queue counts `message.attempts` from 1 for every message.
 */
export type DeliveryMessage = {
  deliveryId: string;
  workspaceUuid: string;
  destinationId: string;
  attemptsBefore?: number;
};

/** A delivery to queue: the ids its message carries. */
export type QueuedDelivery = {
  id: string;
  workspaceUuid: string;
  destinationId: string;
  attemptsBefore?: number;
};

/** The dead-letter queue's name, as wrangler.toml declares it: the worker consumes both queues. */
export const DEAD_LETTER_QUEUE = "leadpush-deliveries-dlq";

const SEND_BATCH_LIMIT = 100; // Queues' sendBatch limit.

/** Thrown when a sendBatch fails: `unsent` are the deliveries from that batch on (earlier batches went out). */
export class EnqueueError extends Error {
  constructor(
    readonly unsent: QueuedDelivery[],
    cause: unknown,
  ) {
    super(
      `could not queue ${unsent.length} deliveries: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

export const messageOf = (d: QueuedDelivery): DeliveryMessage => {
  const body: DeliveryMessage = {
    deliveryId: d.id,
    workspaceUuid: d.workspaceUuid,
    destinationId: d.destinationId,
  };
  if (d.attemptsBefore) body.attemptsBefore = d.attemptsBefore;
  return body;
};

/** Sends one message per delivery, 100 per sendBatch call; an EnqueueError says which were not sent. */
export async function enqueueDeliveries(
  queue: Queue<DeliveryMessage>,
  deliveries: readonly QueuedDelivery[],
): Promise<void> {
  for (let i = 0; i < deliveries.length; i += SEND_BATCH_LIMIT) {
    const chunk = deliveries.slice(i, i + SEND_BATCH_LIMIT);
    await queue
      .sendBatch(chunk.map((d) => ({ body: messageOf(d), contentType: "json" as const })))
      .catch((error: unknown) => {
        throw new EnqueueError(deliveries.slice(i), error);
      });
  }
}
