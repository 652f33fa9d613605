// What a batch on the consumer's direct path says about its destinations' health: relative changes, so
// the direct path and each destination's lane can both count (the workspace's object applies them,
// src/lifecycle/transitions.ts). A healthy destination's successful batch changes nothing.
import type { ErrorClass } from "../db/history-schema";
import type { HealthChange } from "../lifecycle/transitions";
import { isReceiverFailure, leavesDirectPath } from "../rules/flow-control";

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
