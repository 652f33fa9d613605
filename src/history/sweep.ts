// The safety net under the queue, run by each history object from its own alarm: a pending delivery
// whose message was lost (an enqueue that failed after its row was committed, a message dropped by the
// platform) would wait forever, so the object claims each one well past its due time and queues it again.
// Claiming moves its due time a stall window ahead, so the copy queued now is the only one in flight.
import { STALLED_AFTER_MS, SWEEP_LIMIT } from "../limits";
import { firstIdAt, timeOfId } from "./ids";

/** A delivery claimed by the sweep, to queue again (its attempt numbers continue from attemptsMade). */
export type Claimed = { destinationId: string; id: string; attemptsMade: number };

// Attempted (or claimed, or handed over) and overdue: the deliveries_due index.
const CLAIM_OVERDUE = `
  UPDATE deliveries SET next_attempt_at = ?1, updated_at = ?2
  WHERE (destination_id, id) IN (
    SELECT destination_id, id FROM deliveries
    WHERE status = 'pending' AND next_attempt_at <> created_at AND next_attempt_at < ?3
    ORDER BY next_attempt_at LIMIT ?4)
  RETURNING destination_id AS destinationId, id, attempts_made AS attemptsMade`;

// Never attempted and created in [?1, ?2): each destination's ids in that range (two seeks to find the
// next destination), so a first-try delivery costs no index entry.
const FIRST_TRIES = `
  WITH RECURSIVE walk(destination) AS (
    SELECT min(destination_id) FROM deliveries
    UNION ALL
    SELECT (SELECT min(destination_id) FROM deliveries WHERE destination_id > walk.destination)
    FROM walk WHERE walk.destination IS NOT NULL
  )
  SELECT d.destination_id AS destinationId, d.id FROM walk
  JOIN deliveries AS d ON d.destination_id = walk.destination AND d.id >= ?1 AND d.id < ?2
  WHERE d.status = 'pending' AND d.attempts_made = 0 AND d.next_attempt_at = d.created_at
  LIMIT ?3`;

const CLAIM_ONE = `
  UPDATE deliveries SET next_attempt_at = ?1, updated_at = ?2
  WHERE destination_id = ?3 AND id = ?4 AND status = 'pending' AND next_attempt_at = created_at
  RETURNING destination_id AS destinationId, id, attempts_made AS attemptsMade`;

/**
 * Claims what is stalled: overdue retries, and first tries created in [sweptTo, now − STALLED_AFTER_MS).
 * Returns them and how far first tries are now swept (it stays put when the limit cut the run short, so
 * the next run looks again; what was claimed here no longer matches).
 */
export function claimStalled(
  sql: SqlStorage,
  now: number,
  sweptTo: number,
): { claimed: Claimed[]; sweptTo: number } {
  const again = now + STALLED_AFTER_MS;
  const stalledBefore = now - STALLED_AFTER_MS;
  const claimed = sql
    .exec(CLAIM_OVERDUE, again, now, stalledBefore, SWEEP_LIMIT)
    .toArray() as unknown as Claimed[];
  let swept = sweptTo;
  if (stalledBefore > sweptTo) {
    const room = SWEEP_LIMIT - claimed.length;
    const found = sql
      .exec(FIRST_TRIES, firstIdAt("dlv", sweptTo), firstIdAt("dlv", stalledBefore), room + 1)
      .toArray();
    for (const row of found.slice(0, room))
      claimed.push(
        ...(sql.exec(CLAIM_ONE, again, now, row.destinationId, row.id).toArray() as unknown as Claimed[]),
      );
    if (found.length <= room) swept = stalledBefore;
  }
  return { claimed, sweptTo: swept };
}

/**
 * When the sweep must look next (ms), or null when nothing here can stall: the oldest first try not yet
 * swept becomes stalled, or the earliest pending retry does.
 */
export function nextSweepAt(sql: SqlStorage, sweptTo: number): number | null {
  const [due] = sql
    .exec(
      "SELECT min(next_attempt_at) AS at FROM deliveries WHERE status = 'pending' AND next_attempt_at <> created_at",
    )
    .toArray();
  const [unswept] = sql
    .exec(
      `WITH RECURSIVE walk(destination) AS (
         SELECT min(destination_id) FROM deliveries
         UNION ALL
         SELECT (SELECT min(destination_id) FROM deliveries WHERE destination_id > walk.destination)
         FROM walk WHERE walk.destination IS NOT NULL)
       SELECT min((SELECT min(d.id) FROM deliveries AS d
                   WHERE d.destination_id = walk.destination AND d.id >= ?1)) AS id FROM walk`,
      firstIdAt("dlv", sweptTo),
    )
    .toArray();
  const oldest = typeof unswept?.id === "string" ? timeOfId(unswept.id) : null;
  const times = [due?.at, oldest].filter((t) => t !== null && t !== undefined).map(Number);
  return times.length ? Math.min(...times) + STALLED_AFTER_MS : null;
}
