// The delivery queue's contract, shared by its producers (ingest, test sends, redelivery, the recovery
// sweep) and its consumers (src/dispatch/consume.ts, src/dispatch/dead-letter.ts).

/**
 * A queue message names a delivery and nothing else: the consumer reloads the rest from D1.
 * `attemptsBefore` is set when a stalled delivery is queued again: its attempt numbers continue from
 * there, since the queue counts `message.attempts` from 1 for every message.
 */
export type DeliveryMessage = { deliveryId: string; attemptsBefore?: number };

/** The dead-letter queue's name, as wrangler.toml declares it: the worker consumes both queues. */
export const DEAD_LETTER_QUEUE = "leadpush-deliveries-dlq";

const SEND_BATCH_LIMIT = 100; // Queues' sendBatch limit.

/** Thrown when a sendBatch fails: `unsent` are the ids from that batch on (earlier batches went out). */
export class EnqueueError extends Error {
  constructor(
    readonly unsent: string[],
    cause: unknown,
  ) {
    super(
      `could not queue ${unsent.length} deliveries: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** Sends one message per delivery, 100 per sendBatch call; an EnqueueError says which were not sent. */
export async function enqueueDeliveries(
  queue: Queue<DeliveryMessage>,
  deliveryIds: string[],
  attemptsBefore?: Map<string, number>,
): Promise<void> {
  for (let i = 0; i < deliveryIds.length; i += SEND_BATCH_LIMIT) {
    const chunk = deliveryIds.slice(i, i + SEND_BATCH_LIMIT);
    await queue
      .sendBatch(
        chunk.map((deliveryId) => {
          const before = attemptsBefore?.get(deliveryId);
          return {
            body: before ? { deliveryId, attemptsBefore: before } : { deliveryId },
            contentType: "json" as const,
          };
        }),
      )
      .catch((error: unknown) => {
        throw new EnqueueError(deliveryIds.slice(i), error);
      });
  }
}
