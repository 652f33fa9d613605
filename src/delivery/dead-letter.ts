// The dead-letter queue's consumer: a message lands here after its last attempt failed, or after
// the consumer itself kept failing on it. Either way the delivery is marked, so nothing vanishes.
import { sql } from "drizzle-orm";
import { database } from "../db/client";
import type { DeliveryMessage } from "../events/ingest";

export const DEAD_LETTER_QUEUE = "leadpush-deliveries-dlq";

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
