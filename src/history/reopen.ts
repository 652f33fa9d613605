// A history object's part in a recovery in bulk (src/lifecycle/recovery.ts): counting what a window
// selects here, re-opening it in chunks, and how much of a chunk still waits unsent. The selection is a
// walk of the primary key: one destination, ids in the window (ids begin with their creation time).
/** Which deliveries: one destination's, with ids in (after, before), in these statuses, last changed by then. */
export type Selection = {
  destinationId: string;
  after: string;
  before: string;
  statuses: readonly string[];
  changedBy: number;
};

const WHERE = `destination_id = ?1 AND id > ?2 AND id < ?3 AND status IN (SELECT value FROM json_each(?4))
  AND updated_at <= ?5`;

const binds = (s: Selection) => [s.destinationId, s.after, s.before, JSON.stringify(s.statuses), s.changedBy];

export function countSelected(sql: SqlStorage, s: Selection): number {
  const [row] = sql.exec(`SELECT count(*) AS n FROM deliveries WHERE ${WHERE}`, ...binds(s)).toArray();
  return Number(row?.n ?? 0);
}

/**
 * Re-opens up to `limit` of the selection, oldest first: status pending, due now (not created_at, so the
 * sweep queues it again should its message be lost); attempts_made stays, so attempts number on. Guarded
 * by the status, so two recoveries never take one delivery. Returns [id, attempts made] of each.
 */
/** A delivery a recovery re-opened, with the attempts it had made (its next message numbers on). */
export type Reopened = { id: string; attemptsMade: number };

export function reopen(sql: SqlStorage, s: Selection, limit: number, now: number): Reopened[] {
  const rows = sql
    .exec(
      `UPDATE deliveries SET status = 'pending', status_reason = NULL, next_attempt_at = ?7, lane_due_at = NULL,
         updated_at = ?7
       WHERE destination_id = ?1 AND id IN (SELECT id FROM deliveries WHERE ${WHERE} ORDER BY id LIMIT ?6)
       RETURNING id, attempts_made AS attemptsMade`,
      ...binds(s),
      limit,
      now,
    )
    .toArray();
  return rows
    .map((r) => ({ id: String(r.id), attemptsMade: Number(r.attemptsMade) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** How many of a re-opened chunk are still pending with no attempt since. */
export function countUnsent(sql: SqlStorage, destinationId: string, chunk: readonly Reopened[]): number {
  const [row] = sql
    .exec(
      `SELECT count(*) AS n FROM json_each(?2) AS c
       CROSS JOIN deliveries AS d ON d.destination_id = ?1 AND d.id = c.value ->> '$.id'
       WHERE d.status = 'pending' AND d.attempts_made = c.value ->> '$.attemptsMade'`,
      destinationId,
      JSON.stringify(chunk),
    )
    .toArray();
  return Number(row?.n ?? 0);
}
