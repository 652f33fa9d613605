// A destination's health, and the failure lifecycle's announcements (docs/lifecycle.md), as pure
// functions of its state in the workspace's object: a batch's health changes move the run of failures,
// and each announcement fires on a state change only (its guard: the state it announces holds and was
// not announced), so a destination that keeps failing, or a consumer and a lane that both saw the
// change, announce nothing twice. The object applies these in one transaction with their outbox rows.
import type { HealthRow } from "../db/workspace-schema";
import { EXHAUSTED_EVERY_MS, FAILING_AFTER } from "../limits";
import { isoOrNull } from "../time";

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
  /** While failing: when the next probe goes (or null to clear it); absent leaves it. */
  nextProbeAt?: number | null;
};

/** One attempt's part in a batch, as the lifecycle reads it. */
export type LifecycleAttempt = {
  destinationId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  number: number;
  startedAt: number;
  responseStatus: number | null;
  errorClass: string | null;
  /** The delivery failed for good with this attempt. */
  exhausted: boolean;
  /** The receiver answered 410 Gone: the destination is disabled. */
  gone: boolean;
};

/** An announcement decided: what the outbox keeps until the event is stored (src/lifecycle/announce.ts). */
export type Decided = {
  type: "destination.failing" | "destination.recovered" | "destination.disabled" | "delivery.exhausted";
  destinationId: string;
  fields: Record<string, unknown>;
  /** Set for destination.disabled: the reason the destination is disabled in D1 first (guarded there). */
  disable?: string;
};

export const freshHealth = (destinationId: string): HealthRow => ({
  destinationId,
  sendPath: "lane",
  consecutiveFailures: 0,
  failuresSince: null,
  nextProbeAt: null,
  failingAnnouncedSince: null,
  exhaustedAnnouncedAt: null,
  exhaustedUnannounced: 0,
  disabledAt: null,
});

/** A destination's state after one batch's change (relative, so the direct path and the lane both count). */
export function applyChange(row: HealthRow, change: HealthChange): HealthRow {
  const next = { ...row, sendPath: change.sendPath ?? row.sendPath };
  if (change.succeeded) return { ...next, consecutiveFailures: 0, failuresSince: null, nextProbeAt: null };
  next.consecutiveFailures += change.failures;
  next.failuresSince = row.failuresSince ?? change.firstFailureAt;
  if (change.nextProbeAt !== undefined) next.nextProbeAt = change.nextProbeAt;
  return next;
}

const failing = (row: HealthRow) => row.consecutiveFailures >= FAILING_AFTER;

/** destination.disabled's own fields, for every reason. */
export const disabledFields = (
  reason: "gone" | "failing" | "manual",
  text: string | null,
  row: HealthRow,
) => ({
  reason,
  disabled_reason: text,
  failing_since: isoOrNull(row.failuresSince),
});

/** destination.failing or .recovered for a destination whose run the batch changed, if either is due. */
export function runAnnouncement(
  row: HealthRow,
  last: LifecycleAttempt,
  enabled: boolean,
  context: { autoDisableMs: number; released: number; now: number },
): Decided | null {
  const { destinationId } = row;
  if (enabled && failing(row) && row.failingAnnouncedSince === null && row.failuresSince !== null) {
    const fields = {
      failing_since: isoOrNull(row.failuresSince),
      consecutive_failures: row.consecutiveFailures,
      last_attempt: {
        status: last.responseStatus,
        error_class: last.errorClass,
        at: isoOrNull(last.startedAt),
      },
      disables_at: isoOrNull(row.failuresSince + context.autoDisableMs),
    };
    row.failingAnnouncedSince = row.failuresSince;
    return { type: "destination.failing", destinationId, fields };
  }
  if (!failing(row) && row.failingAnnouncedSince !== null) {
    const fields = {
      failing_since: isoOrNull(row.failingAnnouncedSince),
      recovered_at: isoOrNull(context.now),
      released: context.released,
    };
    row.failingAnnouncedSince = null;
    return { type: "destination.recovered", destinationId, fields };
  }
  return null;
}

/**
 * delivery.exhausted for a destination with `count` deliveries that failed for good in this batch (the
 * first one named); held back within the hour, they are counted in the next one.
 */
export function exhaustedAnnouncement(row: HealthRow, first: LifecycleAttempt, count: number, now: number) {
  const due = row.exhaustedAnnouncedAt === null || row.exhaustedAnnouncedAt <= now - EXHAUSTED_EVERY_MS;
  if (!due) {
    row.exhaustedUnannounced += count;
    return null;
  }
  const fields = {
    delivery: {
      id: first.deliveryId,
      event_id: first.eventId,
      event_type: first.eventType,
      attempts: first.number,
    },
    exhausted_count: row.exhaustedUnannounced + count,
    counting_since: isoOrNull(row.exhaustedAnnouncedAt),
  };
  row.exhaustedUnannounced = 0;
  row.exhaustedAnnouncedAt = now;
  return { type: "delivery.exhausted", destinationId: row.destinationId, fields } satisfies Decided;
}

/** destination.disabled after a 410 Gone: disables it too (in D1, guarded by `enabled`). */
export function goneAnnouncement(row: HealthRow, now: number): Decided {
  const text = `The receiver answered 410 Gone on ${new Date(now).toISOString()}; deliveries stopped.`;
  return {
    type: "destination.disabled",
    destinationId: row.destinationId,
    fields: disabledFields("gone", text, row),
    disable: text,
  };
}

/** destination.disabled for failing too long (AUTO_DISABLE_AFTER_HOURS), saying since when; null if not due. */
export function autoDisableAnnouncement(row: HealthRow, autoDisableMs: number, now: number): Decided | null {
  if (!failing(row) || row.failuresSince === null || row.failuresSince > now - autoDisableMs) return null;
  const text =
    `Disabled automatically on ${new Date(now).toISOString()}: every attempt failed since ` +
    `${new Date(row.failuresSince).toISOString()} (${row.consecutiveFailures} in a row).`;
  return {
    type: "destination.disabled",
    destinationId: row.destinationId,
    fields: disabledFields("failing", text, row),
    disable: text,
  };
}

/** The batch's announcements, in the order they are stored, and every row it changed. */
export function batchTransitions(
  rows: Map<string, HealthRow>,
  changes: readonly HealthChange[],
  attempts: readonly LifecycleAttempt[],
  context: { enabled: (id: string) => boolean; autoDisableMs: number; released: number; now: number },
): Decided[] {
  const changed = new Set(changes.map((c) => c.destinationId));
  const rowOf = (id: string) => {
    const row = rows.get(id) ?? freshHealth(id);
    rows.set(id, row);
    return row;
  };
  for (const c of changes) rows.set(c.destinationId, applyChange(rowOf(c.destinationId), c));
  const last = new Map<string, LifecycleAttempt>();
  const exhausted = new Map<string, { first: LifecycleAttempt; count: number }>();
  const gone = new Map<string, LifecycleAttempt>();
  for (const a of attempts) {
    if (changed.has(a.destinationId)) {
      const seen = last.get(a.destinationId);
      if (!seen || (a.errorClass !== null && a.startedAt >= seen.startedAt)) last.set(a.destinationId, a);
    }
    if (a.exhausted) {
      const entry = exhausted.get(a.destinationId);
      if (entry) entry.count++;
      else exhausted.set(a.destinationId, { first: a, count: 1 });
    }
    if (a.gone && !gone.has(a.destinationId)) gone.set(a.destinationId, a);
  }
  const decided: (Decided | null)[] = [];
  for (const a of last.values())
    decided.push(runAnnouncement(rowOf(a.destinationId), a, context.enabled(a.destinationId), context));
  for (const { first, count } of exhausted.values())
    decided.push(exhaustedAnnouncement(rowOf(first.destinationId), first, count, context.now));
  for (const a of gone.values()) decided.push(goneAnnouncement(rowOf(a.destinationId), context.now));
  return decided.filter((d) => d !== null);
}
