// One Durable Object per destination: its lane. The consumer hands it every delivery it does not send
// itself (a new, slow, failing or rate-limited destination), and the lane sends them from its alarm with
// its own connections, so a receiver that hangs holds up its own deliveries and nobody else's: the
// consumer's batch is done as soon as the lane has taken its ids.
//
// The lane keeps only ids and due times (SQLite in the object); D1 keeps everything else, and a delivery
// it holds is due in lane_due_at rather than next_attempt_at, so the recovery sweep leaves it alone.
// It sends in waves: pick what the rules allow now (src/rules/flow-control.ts: slots, rate limit, failing and probes,
// Retry-After), load, send, record in one D1 transaction, repeat; then sleep until the next delivery,
// token or probe is due.

import { DurableObject } from "cloudflare:workers";
import { configOf } from "../config";
import { database } from "../db/client";
import { attemptAndDecide } from "../dispatch/consume";
import { sendToDeadLetter } from "../dispatch/dead-letter";
import { healthStatement } from "../dispatch/health";
import { loadDeliveries } from "../dispatch/load";
import { recordOutcomes, type Settled } from "../dispatch/record";
import { dispatchAnnounced } from "../lifecycle/announce";
import { autoDisable } from "../lifecycle/auto-disable";
import { type Chunk, recoveryStep } from "../lifecycle/recovery";
import { PUMP_BUDGET_MS, RECOVERY_PAUSE_MS, RECOVERY_STEPS_PER_ALARM, SLOW_ANSWER_MS } from "../limits";
import {
  type Bucket,
  isFailing,
  isReceiverFailure,
  type LaneState,
  laneAllowance,
  probeDelayMs,
  refill,
} from "../rules/flow-control";
import { prepareRequest } from "../rules/prepare";

/** A wait shorter than this is slept within the alarm; a longer one is a new alarm. */
const SHORT_WAIT_MS = 1_000;
/** Deliveries marked skipped per step when the destination turns out disabled. */
const SKIP_CHUNK = 500;

const INITIAL_STATE: LaneState = {
  consecutiveFailures: 0,
  failedProbes: 0,
  lastProbeAt: null,
  pausedUntil: null,
};

type FlowRow = {
  enabled: number;
  workspace: string;
  rateLimitPerSecond: number | null;
  consecutiveFailures: number;
  failuresSince: number | null;
};

const FLOW_SQL = `
  SELECT enabled, workspace_uuid AS workspace, rate_limit_per_second AS rateLimitPerSecond,
         consecutive_failures AS consecutiveFailures, failures_since AS failuresSince
  FROM destinations WHERE id = ?`;

// Binds: ?1 now, ?2 the delivery ids (JSON). Only rows not parked already are written.
const PARK_SQL = `
  UPDATE deliveries SET next_attempt_at = NULL, lane_due_at = ?1
  WHERE id IN (SELECT value FROM json_each(?2)) AND status = 'pending' AND next_attempt_at IS NOT NULL`;

const SKIPPED_SQL = `
  UPDATE deliveries SET status = 'skipped', next_attempt_at = NULL, lane_due_at = NULL, updated_at = ?1,
    status_reason = 'the destination was disabled while this delivery waited'
  WHERE id IN (SELECT value FROM json_each(?2)) AND +status = 'pending'`;

/** What a wave did, for the tests and the failure lifecycle. */
export type WaveReport = { sent: number; released: number; becameFailing: boolean; recovered: boolean };

export class DestinationLane extends DurableObject<Env> {
  #bucket: Bucket | null = null;
  // The input gate opens while a wave awaits its sends, so an alarm and a call could both pump: they
  // take turns here, so no delivery is picked by two waves.
  #tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS waiting (
        delivery_id TEXT PRIMARY KEY, due_at INTEGER NOT NULL) WITHOUT ROWID`);
      ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS waiting_due ON waiting (due_at, delivery_id)");
    });
  }

  /**
   * Takes deliveries of `destinationId` from the consumer. They wait here, in order, until the rules
   * let them go; taking one twice (a redelivered message) changes nothing.
   */
  async accept(destinationId: string, deliveryIds: string[]): Promise<void> {
    if (!deliveryIds.length) return;
    const now = Date.now();
    await this.ctx.storage.put("destination", destinationId);
    const json = JSON.stringify(deliveryIds);
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO waiting (delivery_id, due_at) SELECT value, ? FROM json_each(?)",
      now,
      json,
    );
    await this.env.DB.prepare(PARK_SQL).bind(now, json).run();
    await this.#wakeAt(now);
  }

  /** How many deliveries wait here (tests and the dashboard's figures). */
  waitingCount(): number {
    return Number(this.ctx.storage.sql.exec("SELECT count(*) AS n FROM waiting").one().n);
  }

  /**
   * Drives a recovery of `destinationId` (src/lifecycle/recovery.ts) from this lane's alarm, a bounded
   * number of chunks per alarm, until it finishes.
   */
  async recover(destinationId: string, recoveryId: string): Promise<void> {
    await this.ctx.storage.delete("recoveryChunk");
    await this.ctx.storage.put({ destination: destinationId, recovery: recoveryId });
    await this.#wakeAt(Date.now());
  }

  /** Steps the running recovery; when it has more to do, when to step again. */
  async #stepRecovery(): Promise<number | null> {
    const storage = this.ctx.storage;
    const id = await storage.get<string>("recovery");
    if (!id) return null;
    const db = database(this.env.DB);
    let chunk = (await storage.get<Chunk>("recoveryChunk")) ?? [];
    for (let step = 0; step < RECOVERY_STEPS_PER_ALARM; step++) {
      const next = await recoveryStep(this.env, db, id, chunk);
      if (!next.more) {
        await storage.delete(["recovery", "recoveryChunk"]);
        return null;
      }
      chunk = next.chunk;
      await storage.put("recoveryChunk", chunk);
      if (next.paused) return Date.now() + RECOVERY_PAUSE_MS;
    }
    return Date.now();
  }

  override async alarm(): Promise<void> {
    try {
      // A recovery with more to do comes back after this alarm's sends, or after its pause.
      const again = await this.#stepRecovery();
      if (again !== null) await this.ctx.storage.setAlarm(again);
      await this.pump();
    } catch (error) {
      // The rows are still here: look again shortly rather than let the alarm's retries run out.
      console.error("lane pump failed", error instanceof Error ? error.message : String(error));
      await this.ctx.storage.setAlarm(Date.now() + 5_000);
    }
  }

  /** Sends waves until nothing may go now or the budget is spent, then sets the next alarm. */
  pump(budgetMs = PUMP_BUDGET_MS): Promise<WaveReport[]> {
    const run = this.#tail.then(
      () => this.#pump(budgetMs),
      () => this.#pump(budgetMs),
    );
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #pump(budgetMs: number): Promise<WaveReport[]> {
    const started = Date.now();
    const reports: WaveReport[] = [];
    const destinationId = await this.ctx.storage.get<string>("destination");
    if (!destinationId) return reports;
    while (Date.now() - started < budgetMs) {
      const step = await this.#wave(destinationId);
      if ("report" in step) {
        reports.push(step.report);
        continue;
      }
      if (step.wakeAt === null) return reports;
      const wait = step.wakeAt - Date.now();
      if (wait > SHORT_WAIT_MS || Date.now() + wait - started >= budgetMs) {
        await this.#wakeAt(step.wakeAt);
        return reports;
      }
      await scheduler.wait(Math.max(1, wait));
    }
    await this.#wakeAt(Date.now());
    return reports;
  }

  async #wakeAt(at: number) {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  async #state(): Promise<LaneState> {
    return (await this.ctx.storage.get<LaneState>("state")) ?? INITIAL_STATE;
  }

  #earliestDue(): number | null {
    const row = this.ctx.storage.sql.exec("SELECT min(due_at) AS at FROM waiting").one();
    return row.at === null ? null : Number(row.at);
  }

  #forget(ids: string[]) {
    if (ids.length)
      this.ctx.storage.sql.exec(
        "DELETE FROM waiting WHERE delivery_id IN (SELECT value FROM json_each(?))",
        JSON.stringify(ids),
      );
  }

  /** One wave: what may go now is sent and recorded; or, when nothing may, when to look again. */
  async #wave(destinationId: string): Promise<{ report: WaveReport } | { wakeAt: number | null }> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const flow = await this.env.DB.prepare(FLOW_SQL).bind(destinationId).first<FlowRow>();
    if (flow === null) {
      // Deleted: its deliveries went with it.
      sql.exec("DELETE FROM waiting");
      return { wakeAt: null };
    }
    if (!flow.enabled) return this.#skipWaiting(now);
    // Failing for too long: disabled (and announced) instead of probed again; what waits is skipped.
    const disableAt =
      isFailing(flow.consecutiveFailures) && flow.failuresSince !== null
        ? flow.failuresSince + configOf(this.env).autoDisableAfterMs
        : null;
    if (disableAt !== null && disableAt <= now) {
      const db = database(this.env.DB);
      await autoDisable(
        db,
        this.env.DELIVERY_QUEUE,
        [{ id: destinationId, workspace: flow.workspace }],
        configOf(this.env).autoDisableAfterMs,
        now,
      );
      return { report: { sent: 0, released: 0, becameFailing: false, recovered: false } };
    }
    const limit = flow.rateLimitPerSecond;
    this.#bucket = refill(this.#bucket ?? { tokens: limit ?? 0, at: now }, limit ?? 0, now);
    const state = { ...(await this.#state()), consecutiveFailures: flow.consecutiveFailures };
    const speedup = configOf(this.env).retrySpeedup;
    const allowed = laneAllowance(state, this.#bucket, limit, now, speedup);
    const earliest = this.#earliestDue();
    if (earliest === null) return { wakeAt: null };
    if (allowed.count < 1) {
      const wakeAt = Math.max(allowed.wakeAt ?? earliest, earliest);
      return { wakeAt: disableAt === null ? wakeAt : Math.min(wakeAt, disableAt) };
    }
    const ids = sql
      .exec(
        "SELECT delivery_id FROM waiting WHERE due_at <= ? ORDER BY due_at, delivery_id LIMIT ?",
        now,
        allowed.count,
      )
      .toArray()
      .map((r) => String(r.delivery_id));
    if (!ids.length) return { wakeAt: earliest };

    const db = database(this.env.DB);
    const rows = await loadDeliveries(db, ids);
    const due = rows.filter((r) => r.status === "pending" && r.enabled);
    const skipped = rows.filter((r) => r.status === "pending" && !r.enabled).map((r) => r.id);
    // Gone (deleted), finished elsewhere, or skipped: nothing more to send for these.
    const dueIds = new Set(due.map((r) => r.id));
    this.#forget(ids.filter((id) => !dueIds.has(id)));
    if (limit !== null) this.#bucket.tokens -= due.length;

    const policy = configOf(this.env).urlPolicy;
    const settled = await Promise.all(
      due.map((row) =>
        attemptAndDecide(row, row.attemptsMade + 1, this.env, fetch, () =>
          prepareRequest(row, JSON.parse(row.payload) as Record<string, unknown>, policy),
        ),
      ),
    );
    const report = await this.#settle(destinationId, state, flow, settled, skipped, now, speedup);
    return { report };
  }

  /** Records a wave and moves the lane's state: failing, probes, recovery, Retry-After, the path. */
  async #settle(
    destinationId: string,
    state: LaneState,
    flow: FlowRow,
    settled: Settled[],
    skipped: string[],
    waveStart: number,
    speedup: number,
  ): Promise<WaveReport> {
    const now = Date.now();
    const succeeded = settled.some((s) => s.record.errorClass === null);
    const failures = settled.filter((s) => isReceiverFailure(s.record.errorClass));
    const before = flow.consecutiveFailures;
    const after = succeeded ? 0 : before + failures.length;
    const next: LaneState = { ...state, consecutiveFailures: after };
    const becameFailing = !isFailing(before) && isFailing(after);
    const recovered = isFailing(before) && !isFailing(after);
    let nextProbeAt: number | null | undefined;
    if (becameFailing) {
      next.failedProbes = 0;
      next.lastProbeAt = now;
      nextProbeAt = now + probeDelayMs(0, speedup);
    } else if (isFailing(before) && isFailing(after) && settled.length) {
      next.failedProbes = state.failedProbes + 1;
      next.lastProbeAt = waveStart;
      nextProbeAt = waveStart + probeDelayMs(next.failedProbes, speedup);
    } else if (recovered || succeeded) {
      next.failedProbes = 0;
      next.lastProbeAt = null;
    }
    // A receiver that asks for a pause (429/503 with Retry-After) gets it, for every delivery.
    for (const { pauseSeconds } of settled) {
      if (pauseSeconds !== undefined)
        next.pausedUntil = Math.max(next.pausedUntil ?? 0, now + pauseSeconds * 1000);
    }
    if (next.pausedUntil !== null && next.pausedUntil <= now) next.pausedUntil = null;

    // Quick, clean answers and no rate limit: the consumer may send to it itself from now on.
    const quick =
      succeeded &&
      failures.length === 0 &&
      flow.rateLimitPerSecond === null &&
      settled.every((s) => s.record.errorClass === null && s.record.durationMs <= SLOW_ANSWER_MS);
    const health =
      settled.length && (succeeded || failures.length || quick)
        ? [
            healthStatement(this.env.DB, {
              destinationId,
              succeeded,
              failures: failures.length,
              firstFailureAt: failures.length ? Math.min(...failures.map((f) => f.record.startedAt)) : null,
              sendPath: quick ? "direct" : failures.length ? "lane" : null,
              nextProbeAt,
            }),
          ]
        : [];
    const db = database(this.env.DB);
    const announced = await recordOutcomes(db, settled, skipped, {
      extra: health,
      heldByLane: true,
      healthChanged: new Set(health.length ? [destinationId] : []),
      autoDisableMs: configOf(this.env).autoDisableAfterMs,
    });
    await dispatchAnnounced(db, this.env.DELIVERY_QUEUE, announced);

    const sql = this.ctx.storage.sql;
    const done: string[] = [];
    for (const s of settled) {
      if (s.outcome.kind === "retry")
        sql.exec(
          "UPDATE waiting SET due_at = ? WHERE delivery_id = ?",
          now + s.outcome.delaySeconds * 1000,
          s.record.deliveryId,
        );
      else done.push(s.record.deliveryId);
    }
    this.#forget(done);
    await sendToDeadLetter(
      this.env,
      settled
        .filter((s) => s.outcome.kind === "failed" && s.outcome.exhausted)
        .map((s) => s.record.deliveryId),
    );
    let released = 0;
    if (recovered) {
      // The first success after an outage: what waited goes now, not at each one's next retry slot.
      released = Number(sql.exec("SELECT count(*) AS n FROM waiting").one().n);
      sql.exec("UPDATE waiting SET due_at = ? WHERE due_at > ?", now, now);
    }
    await this.ctx.storage.put("state", next);
    return { sent: settled.length, released, becameFailing, recovered };
  }

  /** The destination is disabled: what waits here is kept as skipped, a chunk per step. */
  async #skipWaiting(now: number): Promise<{ report: WaveReport } | { wakeAt: null }> {
    const ids = this.ctx.storage.sql
      .exec("SELECT delivery_id FROM waiting ORDER BY due_at, delivery_id LIMIT ?", SKIP_CHUNK)
      .toArray()
      .map((r) => String(r.delivery_id));
    if (!ids.length) return { wakeAt: null };
    await this.env.DB.prepare(SKIPPED_SQL).bind(now, JSON.stringify(ids)).run();
    this.#forget(ids);
    return { report: { sent: 0, released: 0, becameFailing: false, recovered: false } };
  }
}
