// Recording a batch: every attempt and outcome in its delivery's history partition, one call (one
// transaction) per partition the batch touches; then each workspace's object hears what the batch says
// about its destinations' health, and announces what changed (src/lifecycle/workspace-object.ts).
import type { AttemptRow } from "../db/history-schema";
import { byPartition, historyStub } from "../history/client";
import { partitionOfId } from "../history/ids";
import type { OutcomeToRecord } from "../history/outcomes";
import type { HealthChange, LifecycleAttempt } from "../lifecycle/transitions";
import type { OutcomeReport } from "../lifecycle/workspace-object";
import type { DeliveryRef, LoadedDelivery } from "./load";
import type { AttemptOutcome } from "./retry";

export type Settled = {
  record: AttemptRow;
  outcome: AttemptOutcome;
  destinationId: string;
  /** The delivery's workspace and event, for its partition and the failure lifecycle's announcements. */
  delivery: { workspaceUuid: string; eventId: string; eventType: string };
  /** The receiver asked for this pause (429/503 with Retry-After); its lane holds every delivery for it. */
  pauseSeconds?: number;
};

/**
 * The delivery's new state after an attempt: status, next due time, and why in words. A retry its
 * destination's lane holds is due in lane_due_at, not next_attempt_at, so the recovery sweep leaves it be.
 */
export function outcomeToRecord(
  { record, outcome, destinationId }: Settled,
  now: number,
  heldByLane: boolean,
): OutcomeToRecord {
  const status = outcome.kind === "succeeded" ? "succeeded" : outcome.kind === "retry" ? "pending" : "failed";
  let reason: string | null = null;
  if (outcome.kind === "failed")
    reason = `${outcome.reason}${record.errorMessage ? ` (last: ${record.errorMessage})` : ""}`;
  else if (outcome.kind === "retry") reason = record.errorMessage;
  const due = outcome.kind === "retry" ? now + outcome.delaySeconds * 1000 : null;
  return {
    destinationId,
    attempt: record,
    status,
    nextAttemptAt: heldByLane ? null : due,
    laneDueAt: heldByLane ? due : null,
    reason,
  };
}

const toLifecycle = ({ record, outcome, destinationId, delivery }: Settled): LifecycleAttempt => ({
  destinationId,
  eventId: delivery.eventId,
  eventType: delivery.eventType,
  deliveryId: record.deliveryId,
  number: record.number,
  startedAt: record.startedAt,
  responseStatus: record.responseStatus,
  errorClass: record.errorClass,
  exhausted: outcome.kind === "failed",
  gone: outcome.kind === "failed" && outcome.disableDestination === true,
});

export type RecordOptions = {
  /** The destinations' health changes (src/dispatch/health.ts, or the lane's own). */
  changes?: HealthChange[];
  /** The attempts were made by a destination's lane, which keeps the retries (src/flow/lane.ts). */
  heldByLane?: boolean;
  /** Why the skipped ones were skipped. */
  skipReason?: string;
  /** For destination.recovered: how many waiting deliveries go now. */
  released?: number;
};

/**
 * Records a batch. Returns the ids whose partition could not record them (their messages are retried);
 * the rest are recorded, and their workspaces told.
 */
export async function recordOutcomes(
  env: Env,
  loaded: ReadonlyMap<string, LoadedDelivery>,
  settled: readonly Settled[],
  skipped: readonly DeliveryRef[],
  options: RecordOptions = {},
): Promise<Set<string>> {
  const now = Date.now();
  const reason = options.skipReason ?? "the destination was disabled when this delivery was due";
  type Item = { outcome?: OutcomeToRecord; skip?: DeliveryRef; ws: string; id: string };
  const items: Item[] = [
    ...settled.map((s) => ({
      outcome: outcomeToRecord(s, now, options.heldByLane ?? false),
      ws: s.delivery.workspaceUuid,
      id: s.record.deliveryId,
    })),
    ...skipped.map((r) => ({ skip: r, ws: r.workspaceUuid, id: r.id })),
  ];
  const failed = new Set<string>();
  await Promise.all(
    byPartition(items, (i) => partitionOfId(i.ws, i.id)).map(async ({ p, items: group }) => {
      const outcomes = group.flatMap((i) => (i.outcome ? [i.outcome] : []));
      const skips = group.flatMap((i) =>
        i.skip ? [{ destinationId: i.skip.destinationId, id: i.skip.id }] : [],
      );
      try {
        await historyStub(env, p).record(p, outcomes, skips, reason);
      } catch (error) {
        console.error("a history partition did not record its outcomes", String(error));
        for (const i of group) failed.add(i.id);
      }
    }),
  );
  await reportToWorkspaces(
    env,
    loaded,
    settled.filter((s) => !failed.has(s.record.deliveryId)),
    options,
  );
  return failed;
}

/** Each workspace of the batch hears its destinations' health changes and attempts. */
async function reportToWorkspaces(
  env: Env,
  loaded: ReadonlyMap<string, LoadedDelivery>,
  settled: readonly Settled[],
  options: RecordOptions,
) {
  const reports = new Map<string, OutcomeReport>();
  const reportOf = (ws: string) => {
    const report = reports.get(ws) ?? {
      changes: [],
      attempts: [],
      destinations: {},
      released: options.released,
    };
    reports.set(ws, report);
    return report;
  };

  const workspaceOf = new Map<string, string>();
  for (const row of loaded.values()) workspaceOf.set(row.destinationId, row.workspaceUuid);
  for (const s of settled) {
    const report = reportOf(s.delivery.workspaceUuid);
    report.attempts.push(toLifecycle(s));
    const row = loaded.get(s.record.deliveryId);
    if (row)
      report.destinations[s.destinationId] = {
        name: row.name,
        urlTemplate: row.urlTemplate,
        enabled: row.enabled,
      };
  }
  for (const change of options.changes ?? []) {
    const ws = workspaceOf.get(change.destinationId);
    if (ws) reportOf(ws).changes.push(change);
  }
  await Promise.all(
    [...reports].map(([ws, report]) => {
      const worthTelling = report.changes.length || report.attempts.some((a) => a.exhausted);
      if (!worthTelling) return undefined;
      return env.WORKSPACE.getByName(ws)
        .reportOutcomes(report)
        .catch((error: unknown) => console.error("a workspace did not hear its outcomes", String(error)));
    }),
  );
}
