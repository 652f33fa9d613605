// A destination's run of failures, as D1 keeps it: one relative UPDATE per destination and batch, in the
// batch's own transaction, so the consumer's direct path and the destination's lane can both count.
// A healthy destination's successful batch writes nothing here.
import type { ErrorClass } from "../db/schema";
import { isReceiverFailure, leavesDirectPath } from "../rules/flow-control";

/** What one batch of attempts says about one destination. */
export type HealthChange = {
  destinationId: string;
  /** A success ends the run of failures (the batch's failures beside it ran concurrently with it). */
  succeeded: boolean;
  failures: number;
  /** When the batch's first failure started: the run's start if the run starts here. */
  firstFailureAt: number | null;
  /** Set the send path: the lane after trouble on the direct path, direct after a quick lane. */
  sendPath: "direct" | "lane" | null;
  /** While failing: when the next probe goes (or null to clear it). */
  nextProbeAt?: number | null;
};

// Binds: ?1 id, ?2 succeeded (0/1), ?3 failures, ?4 first failure's start, ?5 send path or null,
// ?6 whether to set next_probe_at, ?7 its value.
export const HEALTH_SQL = `
  UPDATE destinations SET
    consecutive_failures = CASE WHEN ?2 THEN 0 ELSE consecutive_failures + ?3 END,
    failures_since = CASE WHEN ?2 THEN NULL ELSE coalesce(failures_since, ?4) END,
    next_probe_at = CASE WHEN ?2 THEN NULL WHEN ?6 THEN ?7 ELSE next_probe_at END,
    send_path = coalesce(?5, send_path)
  WHERE id = ?1`;

export function healthStatement(d1: D1Database, change: HealthChange): D1PreparedStatement {
  return d1
    .prepare(HEALTH_SQL)
    .bind(
      change.destinationId,
      change.succeeded ? 1 : 0,
      change.failures,
      change.firstFailureAt,
      change.sendPath,
      change.nextProbeAt === undefined ? 0 : 1,
      change.nextProbeAt ?? null,
    );
}

type Attempted = {
  destinationId: string;
  record: { startedAt: number; durationMs: number; errorClass: ErrorClass | null };
};

/**
 * The direct path's changes: for each destination of the batch that failed, answered slowly, or
 * succeeded after a run of failures. A quick, successful destination with no run gets nothing.
 */
export function directPathChanges(
  settled: readonly Attempted[],
  failuresBefore: (destinationId: string) => number,
): HealthChange[] {
  const byDestination = new Map<string, HealthChange>();
  for (const { destinationId, record } of settled) {
    let change = byDestination.get(destinationId);
    if (!change) {
      change = { destinationId, succeeded: false, failures: 0, firstFailureAt: null, sendPath: null };
      byDestination.set(destinationId, change);
    }
    if (record.errorClass === null) change.succeeded = true;
    if (isReceiverFailure(record.errorClass)) {
      change.failures++;
      change.firstFailureAt = Math.min(change.firstFailureAt ?? record.startedAt, record.startedAt);
    }
    if (leavesDirectPath(record)) change.sendPath = "lane";
  }
  return [...byDestination.values()].filter(
    (c) => c.failures > 0 || c.sendPath !== null || (c.succeeded && failuresBefore(c.destinationId) > 0),
  );
}
