// The dead-letter queue. The consumer hands it exhausted deliveries (already recorded `failed`), so they
// can be inspected and replayed in bulk; a message whose consumer kept throwing reaches it by itself,
// through max_retries. Its own consumer marks each delivery, so nothing vanishes.
import { sql } from "drizzle-orm";
import { database } from "../db/client";
import type { DeliveryMessage } from "../queue";

/** A failure to enqueue loses nothing that D1 does not already hold, so it is logged, not thrown. */
export async function sendToDeadLetter(env: Env, deliveryIds: string[]): Promise<void> {
  if (!deliveryIds.length) return;
  try {
    await env.DEAD_LETTER_QUEUE.sendBatch(
      deliveryIds.map((deliveryId) => ({ body: { deliveryId }, contentType: "json" })),
    );
  } catch (error) {
    console.error(
      "could not enqueue to the dead-letter queue",
      error instanceof Error ? error.message : String(error),
    );
  }
}

export async function recordDeadLetters(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const ids = batch.messages.map((m) => m.body?.deliveryId).filter((id) => typeof id === "string");
  if (ids.length) {
    const now = Date.now();
    await database(env.DB).run(sql`
      UPDATE deliveries
      SET dead_lettered_at = ${now}, updated_at = ${now},
          status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
          status_reason = CASE WHEN status = 'pending'
            THEN 'moved to the dead-letter queue before an attempt could be recorded' ELSE status_reason END
      WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
  }
  batch.ackAll();
}
