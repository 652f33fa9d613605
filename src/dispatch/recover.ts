// The safety net under the queue: a pending delivery whose message was lost (an enqueue that failed
// after its row was committed, a message dropped by the platform) would wait forever. Every minute the
// cron trigger queues again each pending delivery that is well past its due time.
import { database } from "../db/client";
import { STALLED_AFTER_MS, SWEEP_LIMIT } from "../limits";
import { enqueueDeliveries } from "../queue";

// A lost first message is looked for among deliveries made this long before the stall window: the
// sweep runs every minute, so each such delivery is looked at ten times before it ages out of view.
const FIRST_TRY_WINDOW_MS = 10 * 60 * 1000;

/**
 * Claims the overdue deliveries: those attempted or claimed before and due long ago (the deliveries_due
 * index), and those never attempted, found by their age in the primary key (ids begin with their
 * creation time), so a first-try delivery costs the index nothing. Their due time moves a stall window
 * ahead, so the copy queued now is the only one while it is in flight: no later sweep queues another
 * unless that copy, too, is a full window overdue.
 * Binds: ?1 now, ?2 overdue before, ?3 limit, ?4 the new due time, ?5–?6 the id range of never-attempted ones.
 */
export const SWEEP_SQL = `
  UPDATE deliveries SET next_attempt_at = ?4, updated_at = ?1
  WHERE id IN (SELECT id FROM deliveries
               WHERE status = 'pending' AND next_attempt_at <> created_at AND next_attempt_at < ?2
               ORDER BY next_attempt_at LIMIT ?3)
     OR id IN (SELECT id FROM deliveries
               WHERE id >= ?5 AND id < ?6 AND status = 'pending' AND next_attempt_at = created_at LIMIT ?3)
  RETURNING id, attempts_made`;

/** The smallest delivery id made at `ms` (ids are `dlv_` + 12 hex digits of milliseconds + random). */
const firstIdAt = (ms: number) => `dlv_${Math.max(0, ms).toString(16).padStart(12, "0")}`;

export async function recoverStalledDeliveries(env: Env, now = Date.now()): Promise<number> {
  const db = database(env.DB);
  const { results } = await db.$client
    .prepare(SWEEP_SQL)
    .bind(
      now,
      now - STALLED_AFTER_MS,
      SWEEP_LIMIT,
      now + STALLED_AFTER_MS,
      firstIdAt(now - STALLED_AFTER_MS - FIRST_TRY_WINDOW_MS),
      firstIdAt(now - STALLED_AFTER_MS),
    )
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
