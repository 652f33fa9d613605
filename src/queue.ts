// The delivery queue's contract and its producer side, shared by everything that queues deliveries
// (ingest, test sends, redelivery, replay, recovery, announcements, the recovery sweep) and read by its
// consumers (src/dispatch/consume.ts, src/dispatch/dead-letter.ts).
import type { Database } from "./db/client";
import { STALLED_AFTER_MS } from "./limits";

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

// Due far enough in the past that the next sweep queues them; unequal to created_at, so in its index.
const HAND_OVER_SQL = `
  UPDATE deliveries SET next_attempt_at = ?1
  WHERE id IN (SELECT value FROM json_each(?2)) AND status = 'pending' AND attempts_made = 0`;

/**
 * Queues new deliveries. Their rows are committed already, so a queue that refuses them (an outage, or
 * its rate limit under a large fan-out) loses nothing: what was not sent is handed to the next sweep,
 * a minute away, instead of failing the request that made them.
 */
export async function queueNewDeliveries(
  db: Database,
  queue: Queue<DeliveryMessage>,
  ids: string[],
): Promise<void> {
  try {
    await enqueueDeliveries(queue, ids);
  } catch (error) {
    const unsent = error instanceof EnqueueError ? error.unsent : ids;
    console.error("new deliveries left to the recovery sweep:", unsent.length, String(error));
    const overdue = Date.now() - STALLED_AFTER_MS - 1;
    await db.$client.prepare(HAND_OVER_SQL).bind(overdue, JSON.stringify(unsent)).run();
  }
}
