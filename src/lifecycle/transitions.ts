// The failure lifecycle's announcements (docs/lifecycle.md), each a guard on the destination's row in
// D1 — the state it announces, not yet announced — so they fire on state changes only: a destination
// that keeps failing, or a consumer and a lane that both saw the change, announce nothing twice.
import { EXHAUSTED_EVERY_MS, FAILING_AFTER } from "../limits";
import { type Announcement, Announcements, isoSql } from "./announce";

const FAILING = `d.consecutive_failures >= ${FAILING_AFTER}`;

/**
 * destination.failing. Rows: [id, workspace, last status, last error class, last attempt's start];
 * ?3 is the auto-disable delay, for `disables_at`.
 */
export const failingAnnouncement = (autoDisableMs: number): Announcement => ({
  type: "destination.failing",
  guard: `d.enabled = 1 AND ${FAILING} AND d.failing_announced_since IS NULL`,
  fields: `'failing_since', ${isoSql("d.failures_since")},
    'consecutive_failures', d.consecutive_failures,
    'last_attempt', json_object('status', p.value ->> 3, 'error_class', p.value ->> 4,
                                'at', ${isoSql("p.value ->> 5")}),
    'disables_at', ${isoSql("d.failures_since + ?3")}`,
  settle: { set: "failing_announced_since = d.failures_since", guarded: true },
  third: autoDisableMs,
});

/** destination.recovered. Rows: [id, workspace]. `released`: its deliveries that waited and go now. */
export const recoveredAnnouncement: Announcement = {
  type: "destination.recovered",
  guard: `d.consecutive_failures < ${FAILING_AFTER} AND d.failing_announced_since IS NOT NULL`,
  fields: `'failing_since', ${isoSql("d.failing_announced_since")},
    'recovered_at', ${isoSql("?1")},
    'released', (SELECT count(*) FROM deliveries AS w WHERE w.destination_id = d.id AND w.status = 'pending')`,
  settle: { set: "failing_announced_since = NULL", guarded: true },
};

const EXHAUSTED_DUE = `(d.exhausted_announced_at IS NULL OR d.exhausted_announced_at <= ?1 - ${EXHAUSTED_EVERY_MS})`;

/**
 * delivery.exhausted. Rows: [id, workspace, deliveries that failed for good in this transaction, then
 * the first one's id, event id, event type and attempts]. Held back within the hour, they are counted.
 */
export const exhaustedAnnouncement: Announcement = {
  type: "delivery.exhausted",
  guard: EXHAUSTED_DUE,
  fields: `'delivery', json_object('id', p.value ->> 4, 'event_id', p.value ->> 5, 'event_type', p.value ->> 6,
                                   'attempts', p.value ->> 7),
    'exhausted_count', d.exhausted_unannounced + (p.value ->> 3),
    'counting_since', ${isoSql("d.exhausted_announced_at")}`,
  settle: {
    set: `exhausted_unannounced = CASE WHEN ${EXHAUSTED_DUE} THEN 0 ELSE d.exhausted_unannounced + (p.value ->> 3) END,
      exhausted_announced_at = CASE WHEN ${EXHAUSTED_DUE} THEN ?1 ELSE d.exhausted_announced_at END`,
    guarded: false,
  },
};

export type DisableReason = "gone" | "failing" | "manual";

const disabledFields = (reason: DisableReason, text: string) => `'reason', '${reason}',
    'disabled_reason', ${text},
    'failing_since', ${isoSql("d.failures_since")}`;

/** destination.disabled after a 410 Gone: disables it too. Rows: [id, workspace, the reason in words]. */
export const goneAnnouncement: Announcement = {
  type: "destination.disabled",
  guard: "d.enabled = 1",
  fields: disabledFields("gone", "p.value ->> 3"),
  settle: { set: "enabled = 0, disabled_reason = p.value ->> 3, updated_at = ?1", guarded: true },
};

/** destination.disabled by hand: the update that disables it follows in the transaction. Rows: [id, workspace]. */
export const manualDisableAnnouncement: Announcement = {
  type: "destination.disabled",
  guard: "d.enabled = 1",
  fields: disabledFields("manual", "NULL"),
};

const AUTO_DISABLED_TEXT = `printf('Disabled automatically on %s: every attempt failed since %s (%d in a row).',
  ${isoSql("?1")}, ${isoSql("d.failures_since")}, d.consecutive_failures)`;

/**
 * destination.disabled for failing too long (AUTO_DISABLE_AFTER_HOURS, ?3 in ms): disables it, saying
 * since when. Rows: [id, workspace].
 */
export const autoDisableAnnouncement = (autoDisableMs: number): Announcement => ({
  type: "destination.disabled",
  guard: `d.enabled = 1 AND ${FAILING} AND d.failures_since <= ?1 - ?3`,
  fields: disabledFields("failing", AUTO_DISABLED_TEXT),
  settle: { set: `enabled = 0, disabled_reason = ${AUTO_DISABLED_TEXT}, updated_at = ?1`, guarded: true },
  third: autoDisableMs,
});

/** One attempt's part in a batch, as the lifecycle reads it. */
export type LifecycleAttempt = {
  destinationId: string;
  workspaceUuid: string;
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

/**
 * A batch's announcements: failing / recovered for the destinations whose run of failures it changed
 * (`healthChanged`), delivery.exhausted for those with a delivery that failed for good, and a 410's
 * disable. The failing and recovered guards read the run as the batch's own health update left it, so
 * they must come after it in the transaction.
 */
export function batchAnnouncements(
  d1: D1Database,
  attempts: readonly LifecycleAttempt[],
  healthChanged: ReadonlySet<string>,
  autoDisableMs: number,
  now = Date.now(),
): Announcements {
  const announcements = new Announcements(d1, now);
  const last = new Map<string, LifecycleAttempt>();
  const exhausted = new Map<string, { first: LifecycleAttempt; count: number }>();
  const gone = new Map<string, LifecycleAttempt>();
  for (const a of attempts) {
    if (healthChanged.has(a.destinationId)) {
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
  const changed = [...last.values()];
  announcements.add(
    failingAnnouncement(autoDisableMs),
    changed.map((a) => [a.destinationId, a.workspaceUuid, a.responseStatus, a.errorClass, a.startedAt]),
  );
  announcements.add(
    recoveredAnnouncement,
    changed.map((a) => [a.destinationId, a.workspaceUuid]),
  );
  announcements.add(
    exhaustedAnnouncement,
    [...exhausted.values()].map(({ first: a, count }) => [
      a.destinationId,
      a.workspaceUuid,
      count,
      a.deliveryId,
      a.eventId,
      a.eventType,
      a.number,
    ]),
  );
  announcements.add(
    goneAnnouncement,
    [...gone.values()].map((a) => [
      a.destinationId,
      a.workspaceUuid,
      `The receiver answered 410 Gone on ${new Date(now).toISOString()}; deliveries stopped.`,
    ]),
  );
  return announcements;
}
