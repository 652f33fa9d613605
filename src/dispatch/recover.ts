// The safety net under the queue: a pending delivery whose message was lost (an enqueue that failed
// after its row was committed, a message dropped by the platform) would wait forever. Every minute the
// cron trigger queues again each pending delivery that is well past its due time.
import { database } from "../db/client";
import { enqueueDeliveries } from "../queue";

// A message may legitimately arrive late under backlog; past this it is presumed lost. A delivery that
// was only late is still sent once: the consumer ignores the copy for an attempt already recorded.
export const STALLED_AFTER_MS = 15 * 60 * 1000;
const SWEEP_LIMIT = 500;

/** Claims the overdue deliveries (moving their due time to now, so the next sweep skips them). */
export const SWEEP_SQL = `
  UPDATE deliveries SET next_attempt_at = ?1, updated_at = ?1
  WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at < ?2
               ORDER BY next_attempt_at LIMIT ?3)
  RETURNING id, attempts_made`;

export async function recoverStalledDeliveries(env: Env, now = Date.now()): Promise<number> {
  const db = database(env.DB);
  const { results } = await db.$client
    .prepare(SWEEP_SQL)
    .bind(now, now - STALLED_AFTER_MS, SWEEP_LIMIT)
    .run<{ id: string; attempts_made: number }>();
  if (results.length) {
    await enqueueDeliveries(
      env.DELIVERY_QUEUE,
      results.map((r) => r.id),
      new Map(results.map((r) => [r.id, r.attempts_made])),
    );
  }
  return results.length;
}
