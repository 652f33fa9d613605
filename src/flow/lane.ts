// One Durable Object per destination: its lane. The consumer hands it every delivery it does not send
// itself (a new, slow, failing or rate-limited destination), and the lane sends them from its alarm with
// its own connections, so a receiver that hangs holds up its own deliveries and nobody else's: the
// consumer's batch is done as soon as the lane has taken its ids.
//
// The lane keeps only ids and due times (waiting.ts); their history partitions keep everything else, and
// a delivery it holds is due in lane_due_at rather than next_attempt_at, so the sweep leaves it alone. It
// sends in waves: pick what the rules allow now (src/rules/flow-control.ts: slots, rate limit, failing and
// probes, Retry-After), load, send, record, repeat; then sleep until the next delivery, token or probe.
import { DurableObject } from "cloudflare:workers";
import { configOf } from "../config";
import { attemptAndDecide } from "../dispatch/consume";
import { sendToDeadLetter } from "../dispatch/dead-letter";
import { type DeliveryRef, loadDeliveries } from "../dispatch/load";
import { recordOutcomes } from "../dispatch/record";
import { PUMP_BUDGET_MS } from "../limits";
import { type Bucket, isFailing, type LaneState, laneAllowance, refill } from "../rules/flow-control";
import { prepareRequest } from "../rules/prepare";
import { type Flow, inPartitions, readFlow, stepRecovery } from "./lane-io";
import { settleWave } from "./settle";
import { Waiting } from "./waiting";

/** A wait shorter than this is slept within the alarm; a longer one is a new alarm. */
const SHORT_WAIT_MS = 1_000;
/** Deliveries marked skipped per step when the destination turns out disabled. */
const SKIP_CHUNK = 500;
const SKIPPED_WHILE_WAITING = "the destination was disabled while this delivery waited";

const INITIAL_STATE: LaneState = {
  consecutiveFailures: 0,
  failedProbes: 0,
  lastProbeAt: null,
  pausedUntil: null,
};

/** What a wave did, for the tests and the failure lifecycle. */
export type WaveReport = { sent: number; released: number; becameFailing: boolean; recovered: boolean };
const NOTHING_SENT: WaveReport = { sent: 0, released: 0, becameFailing: false, recovered: false };

export class DestinationLane extends DurableObject<Env> {
  readonly #waiting: Waiting;
  #bucket: Bucket | null = null;
  // The input gate opens while a wave awaits its sends, so an alarm and a call could both pump: they
  // take turns here, so no delivery is picked by two waves.
  #tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#waiting = new Waiting(ctx.storage.sql);
  }

  #target(): { destinationId: string; workspaceUuid: string } | null {
    const destinationId = this.ctx.storage.kv.get<string>("destination");
    const workspaceUuid = this.ctx.storage.kv.get<string>("workspace");
    return destinationId && workspaceUuid ? { destinationId, workspaceUuid } : null;
  }

  #refs(ids: readonly string[]): DeliveryRef[] {
    const target = this.#target();
    return target ? ids.map((id) => ({ id, ...target })) : [];
  }

  /**
   * Takes deliveries of `destinationId` from the consumer. They wait here, in order, until the rules
   * let them go; taking one twice (a redelivered message) changes nothing.
   */
  async accept(destinationId: string, workspaceUuid: string, deliveryIds: string[]): Promise<void> {
    if (!deliveryIds.length) return;
    const now = Date.now();
    this.ctx.storage.kv.put("destination", destinationId);
    this.ctx.storage.kv.put("workspace", workspaceUuid);
    this.#waiting.add(deliveryIds, now);
    await inPartitions(this.env, workspaceUuid, this.#refs(deliveryIds), (stub, p, refs) =>
      stub.park(p, refs),
    );
    await this.#wakeAt(now);
  }

  /** How many deliveries wait here (tests and the dashboard's figures). */
  waitingCount(): number {
    return this.#waiting.count();
  }

  /** Drives a recovery of `destinationId` (src/lifecycle/recovery.ts) from this lane's alarm. */
  async recover(destinationId: string, workspaceUuid: string, recoveryId: string): Promise<void> {
    this.ctx.storage.kv.delete("recoveryChunk");
    this.ctx.storage.kv.put("destination", destinationId);
    this.ctx.storage.kv.put("workspace", workspaceUuid);
    this.ctx.storage.kv.put("recovery", recoveryId);
    await this.#wakeAt(Date.now());
  }

  override async alarm(): Promise<void> {
    try {
      // A recovery with more to do comes back after this alarm's sends, or after its pause.
      const target = this.#target();
      const again = target && (await stepRecovery(this.env, this.ctx.storage.kv, target.workspaceUuid));
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
    const target = this.#target();
    if (!target) return reports;
    while (Date.now() - started < budgetMs) {
      const step = await this.#wave(target.destinationId, target.workspaceUuid);
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

  /** One wave: what may go now is sent and recorded; or, when nothing may, when to look again. */
  async #wave(
    destinationId: string,
    ws: string,
  ): Promise<{ report: WaveReport } | { wakeAt: number | null }> {
    const now = Date.now();
    const flow = await readFlow(this.env, destinationId, ws);
    if (flow === null) {
      // Deleted: its deliveries went with it.
      this.#waiting.clear();
      return { wakeAt: null };
    }
    if (!flow.enabled) return this.#skipWaiting();
    // Failing for too long: disabled (and announced) instead of probed again; what waits is skipped.
    const disableAt =
      isFailing(flow.failures) && flow.failuresSince !== null
        ? flow.failuresSince + configOf(this.env).autoDisableAfterMs
        : null;
    if (disableAt !== null && disableAt <= now) {
      await this.env.WORKSPACE.getByName(ws).autoDisable([destinationId]);
      return { report: NOTHING_SENT };
    }
    const limit = flow.rateLimitPerSecond;
    this.#bucket = refill(this.#bucket ?? { tokens: limit ?? 0, at: now }, limit ?? 0, now);
    const state = {
      ...(this.ctx.storage.kv.get<LaneState>("state") ?? INITIAL_STATE),
      consecutiveFailures: flow.failures,
    };
    const allowed = laneAllowance(state, this.#bucket, limit, now, configOf(this.env).retrySpeedup);
    const earliest = this.#waiting.earliestDue();
    if (earliest === null) return { wakeAt: null };
    if (allowed.count < 1) {
      const wakeAt = Math.max(allowed.wakeAt ?? earliest, earliest);
      return { wakeAt: disableAt === null ? wakeAt : Math.min(wakeAt, disableAt) };
    }
    const ids = this.#waiting.due(now, allowed.count);
    if (!ids.length) return { wakeAt: earliest };
    return { report: await this.#send(destinationId, state, flow, ids, now) };
  }

  /** Sends the chosen deliveries, records them, and moves the lane's state. */
  async #send(destinationId: string, state: LaneState, flow: Flow, ids: string[], waveStart: number) {
    const rows = await loadDeliveries(this.env, this.#refs(ids));
    const due = rows.filter((r) => r.status === "pending" && r.enabled);
    const skipped = rows.filter((r) => r.status === "pending" && !r.enabled);
    // Gone (deleted), finished elsewhere, or skipped: nothing more to send for these.
    const dueIds = new Set(due.map((r) => r.id));
    this.#waiting.forget(ids.filter((id) => !dueIds.has(id)));
    if (flow.rateLimitPerSecond !== null && this.#bucket) this.#bucket.tokens -= due.length;
    const policy = configOf(this.env).urlPolicy;
    const settled = await Promise.all(
      due.map((row) =>
        attemptAndDecide(row, row.attemptsMade + 1, this.env, fetch, () =>
          prepareRequest(row, JSON.parse(row.payload) as Record<string, unknown>, policy),
        ),
      ),
    );
    const now = Date.now();
    const speedup = configOf(this.env).retrySpeedup;
    const base = {
      destinationId,
      state,
      failuresBefore: flow.failures,
      rateLimitPerSecond: flow.rateLimitPerSecond,
    };
    const { next, change, becameFailing, recovered } = settleWave(
      { ...base, waveStart, now, speedup },
      settled,
    );
    const finished = settled.filter((s) => s.outcome.kind !== "retry").map((s) => s.record.deliveryId);
    const released = recovered ? this.#waiting.count() - finished.length : 0;
    await recordOutcomes(this.env, new Map(rows.map((r) => [r.id, r])), settled, skipped, {
      changes: change ? [change] : [],
      heldByLane: true,
      skipReason: SKIPPED_WHILE_WAITING,
      released,
    });
    for (const s of settled)
      if (s.outcome.kind === "retry")
        this.#waiting.dueAt(s.record.deliveryId, now + s.outcome.delaySeconds * 1000);
    this.#waiting.forget(finished);
    const exhausted = settled.filter((s) => s.outcome.kind === "failed" && s.outcome.exhausted);
    await sendToDeadLetter(this.env, this.#refs(exhausted.map((s) => s.record.deliveryId)));
    // The first success after an outage: what waited goes now, not at each one's next retry slot.
    if (recovered) this.#waiting.releaseAll(now);
    this.ctx.storage.kv.put("state", next);
    return { sent: settled.length, released, becameFailing, recovered };
  }

  /** The destination is disabled: what waits here is kept as skipped, a chunk per step. */
  async #skipWaiting(): Promise<{ report: WaveReport } | { wakeAt: null }> {
    const ids = this.#waiting.first(SKIP_CHUNK);
    if (!ids.length) return { wakeAt: null };
    const target = this.#target();
    if (target)
      await inPartitions(this.env, target.workspaceUuid, this.#refs(ids), (stub, p, refs) =>
        stub.skip(p, refs, SKIPPED_WHILE_WAITING),
      );
    this.#waiting.forget(ids);
    return { report: NOTHING_SENT };
  }
}
