// One Durable Object per workspace (docs/storage.md): what its history partitions share. It applies
// secret rotations one at a time, keeps its destinations' health and the announcements it decides
// (an outbox, drained into the history), lists the workspace's partitions, and drives auto-disable from
// its alarm. Its methods are named for what the caller wants; none takes SQL.
import { DurableObject } from "cloudflare:workers";
import { and, eq, gte, inArray, isNull, lt } from "drizzle-orm";
import { type DrizzleSqliteDODatabase, drizzle } from "drizzle-orm/durable-sqlite";
import { configOf } from "../config";
import { migrateObject, WORKSPACE_MIGRATIONS } from "../db/object-migrations";
import type { RecoveryRow } from "../db/workspace-schema";
import { destinationHealth, type HealthRow, outbox, partitions, type SendPath } from "../db/workspace-schema";
import { currentPartition } from "../history/client";
import { partitionEnd } from "../history/ids";
import { FAILING_AFTER } from "../limits";
import { rotateSecret } from "../workspaces/rotation";
import { carryOut, outboxRow } from "./announce";
import { OutboxDrain } from "./outbox-drain";
import * as recoveryStore from "./recovery-store";
import {
  autoDisableAnnouncement,
  batchTransitions,
  type Decided,
  disabledFields,
  freshHealth,
  type HealthChange,
  type LifecycleAttempt,
} from "./transitions";

/** What a batch of attempts reports to its workspace (src/dispatch/record.ts, src/flow/lane.ts). */
export type OutcomeReport = {
  changes: HealthChange[];
  attempts: LifecycleAttempt[];
  /** The destinations concerned, as the batch loaded them (their name and URL go into announcements). */
  destinations: Record<string, { name: string; urlTemplate: string; enabled: boolean }>;
  /** For destination.recovered: the deliveries that waited and go now (the lane's count). */
  released?: number;
};

/** An outbox that could not be drained is tried again this soon. */
const OUTBOX_RETRY_MS = 5_000;

/** Failing destinations that are not disabled yet: the auto-disable's candidates. */
const stillFailing = and(
  gte(destinationHealth.consecutiveFailures, FAILING_AFTER),
  isNull(destinationHealth.disabledAt),
);

export class WorkspaceCoordinator extends DurableObject<Env> {
  readonly #db: DrizzleSqliteDODatabase;
  #tail: Promise<unknown> = Promise.resolve();
  readonly #outbox: OutboxDrain;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#db = drizzle(ctx.storage);
    this.#outbox = new OutboxDrain(this.#db, (row) => carryOut(env, ctx.id.name ?? "", row));
    ctx.blockConcurrencyWhile(() => migrateObject(this.#db, WORKSPACE_MIGRATIONS));
  }

  /** Runs `task` after every task queued before it has settled. */
  #oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Rotates a destination's signing secret (src/workspaces/rotation.ts), one rotation at a time. */
  rotateSecret(workspaceUuid: string, destinationId: string, graceSeconds: number) {
    return this.#oneAtATime(() => rotateSecret(this.env, workspaceUuid, destinationId, graceSeconds));
  }

  /** A history partition's first write registers it here, so readers find it (src/history/client.ts). */
  registerPartition(start: number, seconds: number): void {
    this.#db
      .insert(partitions)
      .values({ start, seconds, registeredAt: Date.now() })
      .onConflictDoNothing()
      .run();
  }

  /** The partitions written and not past retention (the others are forgotten as they are met). */
  partitions(): { start: number; seconds: number }[] {
    const retention = configOf(this.env).retentionMs;
    const now = Date.now();
    const rows = this.#db.select().from(partitions).all();
    const live = rows.filter((p) => partitionEnd(p) + retention > now);
    if (live.length < rows.length)
      this.#db
        .delete(partitions)
        .where(lt(partitions.start, now - retention - 1))
        .run();
    return live.map(({ start, seconds }) => ({ start, seconds }));
  }

  /** The health of these destinations; one that has none on record is a fresh one. */
  health(destinationIds: string[]): Record<string, HealthRow> {
    const found = destinationIds.length
      ? this.#db
          .select()
          .from(destinationHealth)
          .where(inArray(destinationHealth.destinationId, destinationIds))
          .all()
      : [];
    const byId = new Map(found.map((r) => [r.destinationId, r]));
    return Object.fromEntries(destinationIds.map((id) => [id, byId.get(id) ?? freshHealth(id)]));
  }

  #rows(ids: Iterable<string>): Map<string, HealthRow> {
    return new Map(Object.entries(this.health([...new Set(ids)])));
  }

  #save(rows: Iterable<HealthRow>, decided: Decided[], destinations: OutcomeReport["destinations"]) {
    const p = currentPartition(this.env, this.ctx.id.name ?? "");
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const row of rows)
        this.#db
          .insert(destinationHealth)
          .values(row)
          .onConflictDoUpdate({ target: destinationHealth.destinationId, set: row })
          .run();
      for (const d of decided) {
        if (d.type === "destination.disabled")
          this.#db
            .insert(destinationHealth)
            .values({ ...freshHealth(d.destinationId), disabledAt: now })
            .onConflictDoUpdate({ target: destinationHealth.destinationId, set: { disabledAt: now } })
            .run();
        const shown = destinations[d.destinationId];
        const destination = shown && { name: shown.name, url_template: shown.urlTemplate };
        this.#db
          .insert(outbox)
          .values(outboxRow(d, p, destination, now))
          .run();
      }
    });
  }

  /** A batch's outcomes: the health changes, and what they announce (stored and queued before it returns). */
  async reportOutcomes(report: OutcomeReport): Promise<void> {
    const ids = [
      ...report.changes.map((c) => c.destinationId),
      ...report.attempts.map((a) => a.destinationId),
    ];
    const rows = this.#rows(ids);
    const decided = batchTransitions(rows, report.changes, report.attempts, {
      enabled: (id) => report.destinations[id]?.enabled ?? false,
      autoDisableMs: configOf(this.env).autoDisableAfterMs,
      released: report.released ?? 0,
      now: Date.now(),
    });
    this.#save(rows.values(), decided, report.destinations);
    await this.#afterChange();
  }

  /** The consumer's slow-send watch moves these destinations to their lanes. */
  setSendPath(destinationIds: string[], sendPath: SendPath): void {
    const rows = this.#rows(destinationIds);
    this.#save(
      [...rows.values()].map((r) => ({ ...r, sendPath })),
      [],
      {},
    );
  }

  /** Disabled by hand (PATCH enabled: false): destination.disabled, reason `manual`. */
  async announceDisabled(destinationId: string, shown: { name: string; urlTemplate: string }): Promise<void> {
    const row = this.#rows([destinationId]).get(destinationId) ?? freshHealth(destinationId);
    const decided: Decided = {
      type: "destination.disabled",
      destinationId,
      fields: disabledFields("manual", null, row),
    };
    this.#save([], [decided], { [destinationId]: { ...shown, enabled: false } });
    await this.#afterChange();
  }

  /** Enabled again: it starts afresh, with no run of failures and nothing announced. */
  restart(destinationId: string): void {
    this.#db.delete(destinationHealth).where(eq(destinationHealth.destinationId, destinationId)).run();
  }

  /** A deleted destination leaves nothing here. */
  forgetDestination(destinationId: string): void {
    this.restart(destinationId);
    recoveryStore.forgetRecoveries(this.#db, destinationId);
  }

  // Recoveries in bulk (src/lifecycle/recovery.ts drives them from the destination's lane).
  startRecovery(row: RecoveryRow) {
    return this.ctx.storage.transactionSync(() => recoveryStore.insertRecovery(this.#db, row));
  }
  runningRecovery(destinationId: string) {
    return recoveryStore.runningOf(this.#db, destinationId);
  }
  recovery(destinationId: string, id: string) {
    return recoveryStore.recoveryOf(this.#db, id, destinationId);
  }
  /** A recovery to step, with the partitions it walks (one call for the lane's step). */
  recoveryToStep(id: string) {
    return { recovery: recoveryStore.recoveryOf(this.#db, id), partitions: this.partitions() };
  }
  recoveries(destinationId: string, limit: number) {
    return recoveryStore.recoveriesOf(this.#db, destinationId, limit);
  }
  advanceRecovery(id: string, sent: number, cursor: string | null, done: boolean) {
    recoveryStore.advance(this.#db, id, sent, cursor, done);
  }
  cancelRecovery(id: string, reason: string) {
    recoveryStore.cancel(this.#db, id, reason);
  }

  /** Disables (and announces) those of these destinations that have failed for AUTO_DISABLE_AFTER_HOURS. */
  async autoDisable(destinationIds?: string[]): Promise<number> {
    const autoDisableMs = configOf(this.env).autoDisableAfterMs;
    const now = Date.now();
    const candidates = destinationIds
      ? [...this.#rows(destinationIds).values()]
      : this.#db.select().from(destinationHealth).where(stillFailing).all();
    const decided = candidates.flatMap((r) =>
      r.disabledAt === null ? (autoDisableAnnouncement(r, autoDisableMs, now) ?? []) : [],
    );
    if (decided.length) this.#save([], decided, {});
    await this.#afterChange();
    return decided.length;
  }

  /** After a change: drain the outbox, and wake for the next auto-disable or a retry of the outbox. */
  async #afterChange(): Promise<void> {
    await this.#outbox.drain();
    const autoDisableMs = configOf(this.env).autoDisableAfterMs;
    const failing = this.#db
      .select({ since: destinationHealth.failuresSince })
      .from(destinationHealth)
      .where(stillFailing)
      .all()
      .flatMap((r) => (r.since === null ? [] : [r.since + autoDisableMs]));
    const waiting = this.#db.select({ id: outbox.id }).from(outbox).limit(1).all().length > 0;
    const next = Math.min(...failing, waiting ? Date.now() + OUTBOX_RETRY_MS : Number.POSITIVE_INFINITY);
    if (Number.isFinite(next)) {
      const current = await this.ctx.storage.getAlarm();
      if (current === null || current > next) await this.ctx.storage.setAlarm(next);
    }
  }

  override async alarm(): Promise<void> {
    await this.autoDisable();
  }
}
