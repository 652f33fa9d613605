// A history object recording what happened to its deliveries: attempts and their outcomes, skips, the
// hand-over to a lane (parking) or to the sweep, the dead-letter mark, a recovery re-opening them, and a
// deleted destination's deliveries going. Each statement finds its row by the primary key
// (destination, id), so a first-try delivery's outcome is one row written (docs/storage.md).
import type { AttemptRow, DeliveryStatus } from "../db/history-schema";
import { storedAttempt } from "../db/history-schema";
import { ATTEMPTS_KEPT_CHARS } from "../limits";

/** A delivery as its destination and id name it: how every write finds its row. */
export type DeliveryRef = { destinationId: string; id: string };

/** One attempt and the delivery's state after it (src/dispatch/record.ts decides it). */
export type OutcomeToRecord = {
  destinationId: string;
  attempt: AttemptRow;
  status: Exclude<DeliveryStatus, "skipped">;
  nextAttemptAt: number | null;
  laneDueAt: number | null;
  reason: string | null;
};

// The (destination, id, attempts_made < n) guard makes a replayed message's record a no-op: one attempt
// record per attempt number, and nothing recorded on a delivery that finished.
const RECORD = `
  UPDATE deliveries SET status = ?1, attempts_made = ?2, next_attempt_at = ?3, lane_due_at = ?4,
    status_reason = ?5, updated_at = ?6, attempts = json_insert(attempts, '$[#]', json(?7))
  WHERE destination_id = ?8 AND id = ?9 AND status = 'pending' AND attempts_made < ?2
  RETURNING length(attempts) AS size`;

/** Records each outcome, in the caller's transaction; returns how many were recorded (not duplicates). */
export function recordOutcomes(sql: SqlStorage, outcomes: readonly OutcomeToRecord[], now: number): number {
  let recorded = 0;
  for (const o of outcomes) {
    const stored = JSON.stringify(storedAttempt(o.attempt));
    const [row] = sql
      .exec(
        RECORD,
        o.status,
        o.attempt.number,
        o.nextAttemptAt,
        o.laneDueAt,
        o.reason,
        now,
        stored,
        o.destinationId,
        o.attempt.deliveryId,
      )
      .toArray();
    if (!row) continue;
    recorded++;
    if (Number(row.size) > ATTEMPTS_KEPT_CHARS)
      trimAttempts(sql, { destinationId: o.destinationId, id: o.attempt.deliveryId });
  }
  return recorded;
}

/**
 * Keeps a delivery's attempts within ATTEMPTS_KEPT_CHARS (a delivery recovered again and again): the
 * oldest attempts lose their response excerpt first; their number, time, request and outcome stay.
 */
function trimAttempts(sql: SqlStorage, ref: DeliveryRef): void {
  const [row] = sql
    .exec("SELECT attempts FROM deliveries WHERE destination_id = ? AND id = ?", ref.destinationId, ref.id)
    .toArray();
  if (!row) return;
  const attempts = JSON.parse(String(row.attempts)) as unknown[][];
  let size = String(row.attempts).length;
  for (const attempt of attempts) {
    if (size <= ATTEMPTS_KEPT_CHARS) break;
    size -= JSON.stringify(attempt[6] ?? null).length - 4;
    attempt[6] = null;
  }
  sql.exec(
    "UPDATE deliveries SET attempts = ? WHERE destination_id = ? AND id = ?",
    JSON.stringify(attempts),
    ref.destinationId,
    ref.id,
  );
}

/** Marks pending deliveries skipped (their destination was disabled), saying why. */
export function skipDeliveries(
  sql: SqlStorage,
  refs: readonly DeliveryRef[],
  reason: string,
  now: number,
): void {
  for (const r of refs)
    sql.exec(
      `UPDATE deliveries SET status = 'skipped', next_attempt_at = NULL, lane_due_at = NULL, updated_at = ?,
         status_reason = ? WHERE destination_id = ? AND id = ? AND status = 'pending'`,
      now,
      reason,
      r.destinationId,
      r.id,
    );
}

/** A lane took these: due in lane_due_at from now on, so the sweep leaves them alone (not parked twice). */
export function parkDeliveries(sql: SqlStorage, refs: readonly DeliveryRef[], now: number): void {
  for (const r of refs)
    sql.exec(
      `UPDATE deliveries SET next_attempt_at = NULL, lane_due_at = ? WHERE destination_id = ? AND id = ?
         AND status = 'pending' AND next_attempt_at IS NOT NULL`,
      now,
      r.destinationId,
      r.id,
    );
}

/**
 * New deliveries the queue refused: due far enough in the past that the next sweep queues them, and
 * unequal to created_at, so they are in the sweep's index.
 */
export function handOverToSweep(sql: SqlStorage, refs: readonly DeliveryRef[], overdue: number): void {
  for (const r of refs)
    sql.exec(
      `UPDATE deliveries SET next_attempt_at = ? WHERE destination_id = ? AND id = ?
         AND status = 'pending' AND attempts_made = 0`,
      overdue,
      r.destinationId,
      r.id,
    );
}

/** The dead-letter queue's mark; a delivery still pending there failed before an attempt was recorded. */
export function markDeadLettered(sql: SqlStorage, refs: readonly DeliveryRef[], now: number): void {
  for (const r of refs)
    sql.exec(
      `UPDATE deliveries SET dead_lettered_at = ?1, updated_at = ?1,
         status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
         status_reason = CASE WHEN status = 'pending'
           THEN 'moved to the dead-letter queue before an attempt could be recorded' ELSE status_reason END
       WHERE destination_id = ?2 AND id = ?3`,
      now,
      r.destinationId,
      r.id,
    );
}

/** Deletes up to `limit` of a deleted destination's deliveries; returns how many went. */
export function forgetDestination(sql: SqlStorage, destinationId: string, limit: number): number {
  const cursor = sql.exec(
    `DELETE FROM deliveries WHERE destination_id = ?1 AND id IN (
       SELECT id FROM deliveries WHERE destination_id = ?1 ORDER BY id LIMIT ?2) RETURNING 1`,
    destinationId,
    limit,
  );
  return cursor.toArray().length;
}
