// One Durable Object per workspace and time partition: that workspace's events, deliveries and attempts
// created in the partition's span, in the object's own SQLite database (docs/storage.md). Its methods are
// named for what the caller wants; none takes SQL. It looks after itself from its alarm: the sweep for
// lost queue messages while something here can stall, and its own retirement, whole, once its newest
// record is older than RETENTION_DAYS.
//
// A new object creates its tables on its first write, not before: a read of a partition nobody wrote
// (another workspace's id, a retired partition) stores nothing and finds nothing.
import { DurableObject } from "cloudflare:workers";
import { type DrizzleSqliteDODatabase, drizzle } from "drizzle-orm/durable-sqlite";
import { configOf } from "../config";
import type { DeliveryRow } from "../db/history-schema";
import { HISTORY_MIGRATIONS, migrateObject } from "../db/object-migrations";
import { FORGET_CHUNK, STALLED_AFTER_MS } from "../limits";
import { enqueueDeliveries } from "../queue";
import { type Partition, partitionEnd } from "./ids";
import * as out from "./outcomes";
import * as reads from "./reads";
import * as reopening from "./reopen";
import { claimStalled, nextSweepAt } from "./sweep";
import * as writes from "./writes";

/** A first try is looked at by the sweep this long after it is due to stall, at the latest. */
const SWEEP_SLACK_MS = 60_000;

export class WorkspaceHistory extends DurableObject<Env> {
  readonly #db: DrizzleSqliteDODatabase;
  #migrated = false;
  #alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#db = drizzle(ctx.storage);
    ctx.blockConcurrencyWhile(async () => {
      // An object with tables brings them up to this release's schema as it wakes after a deploy.
      if (this.#hasTables()) await this.#migrate();
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  get #sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  #hasTables(): boolean {
    return (
      this.#sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'").toArray()
        .length > 0
    );
  }

  async #migrate() {
    await migrateObject(this.#db, HISTORY_MIGRATIONS);
    this.#migrated = true;
  }

  #retiresAt(p: Pick<Partition, "start" | "seconds">): number {
    return partitionEnd(p) + configOf(this.env).retentionMs;
  }

  /** Before a write: this release's tables, the partition on record, the workspace told, the alarm set. */
  async #writable(p: Partition): Promise<boolean> {
    if (Date.now() >= this.#retiresAt(p)) return false;
    if (!this.#migrated) await this.#migrate();
    if (this.ctx.storage.kv.get("partition") === undefined) {
      await this.env.WORKSPACE.getByName(p.workspaceUuid).registerPartition(p.start, p.seconds);
      this.ctx.storage.kv.put("partition", p);
      this.ctx.storage.kv.put("sweptTo", p.start);
    }
    await this.#alarmBy(this.#retiresAt(p));
    return true;
  }

  async #alarmBy(at: number) {
    if (this.#alarmAt === null || this.#alarmAt > at) {
      await this.ctx.storage.setAlarm(at);
      this.#alarmAt = at;
    }
  }

  /** Reads answer from an object nobody wrote as from an empty one. */
  #readable(p: Partition): boolean {
    return this.#migrated && Date.now() < this.#retiresAt(p);
  }

  /** Stores events with their fan-out in one transaction (docs/storage.md, "Batch ingest"). */
  async store(p: Partition, events: writes.EventToStore[]): Promise<writes.StoreResult[]> {
    if (!(await this.#writable(p))) throw new Error("this history partition is retired");
    const now = Date.now();
    const results = this.ctx.storage.transactionSync(() => writes.storeEvents(this.#sql, p, events, now));
    if (results.some((r) => r.status === "accepted" && r.deliveryCount > 0))
      await this.#alarmBy(now + STALLED_AFTER_MS + SWEEP_SLACK_MS);
    return results;
  }

  /** The first answers of events stored here, for a client retrying an id (null where unknown). */
  answers(p: Partition, eventIds: string[]): (writes.StoreResult | null)[] {
    if (!this.#readable(p)) return eventIds.map(() => null);
    return eventIds.map((id) => writes.firstAnswer(this.#sql, p.workspaceUuid, id));
  }

  /** New deliveries of an event (stored here first when it is another partition's). */
  async addDeliveries(
    p: Partition,
    event: writes.EventToCopy,
    destinationIds: string[],
  ): Promise<DeliveryRow[]> {
    if (!(await this.#writable(p))) throw new Error("this history partition is retired");
    const now = Date.now();
    const rows = this.ctx.storage.transactionSync(() =>
      writes.addDeliveries(this.#sql, p, event, destinationIds, now),
    );
    await this.#alarmBy(now + STALLED_AFTER_MS + SWEEP_SLACK_MS);
    return rows;
  }

  async noteCopy(p: Partition, eventId: string, holder: string): Promise<void> {
    if (await this.#writable(p)) writes.noteCopy(this.#sql, p.workspaceUuid, eventId, holder);
  }

  load(p: Partition, refs: out.DeliveryRef[]): reads.LoadedForSend {
    if (!this.#readable(p)) return { rows: [], payloads: {} };
    return reads.loadForSend(this.#sql, p.workspaceUuid, refs);
  }

  /** Records attempts and outcomes, and marks skipped ones, in one transaction; how many were new. */
  async record(p: Partition, outcomes: out.OutcomeToRecord[], skipped: out.DeliveryRef[], reason: string) {
    if (!(await this.#writable(p))) return 0;
    const now = Date.now();
    const recorded = this.ctx.storage.transactionSync(() => {
      out.skipDeliveries(this.#sql, skipped, reason, now);
      return out.recordOutcomes(this.#sql, outcomes, now);
    });
    const retries = outcomes.flatMap((o) => (o.nextAttemptAt === null ? [] : [o.nextAttemptAt]));
    if (retries.length) await this.#alarmBy(Math.min(...retries) + STALLED_AFTER_MS + SWEEP_SLACK_MS);
    return recorded;
  }

  async skip(p: Partition, refs: out.DeliveryRef[], reason: string): Promise<void> {
    if (await this.#writable(p)) out.skipDeliveries(this.#sql, refs, reason, Date.now());
  }

  async park(p: Partition, refs: out.DeliveryRef[]): Promise<void> {
    if (await this.#writable(p)) out.parkDeliveries(this.#sql, refs, Date.now());
  }

  /** New deliveries the queue refused: the sweep queues them within a minute of being overdue. */
  async handOver(p: Partition, refs: out.DeliveryRef[]): Promise<void> {
    if (!(await this.#writable(p))) return;
    const overdue = Date.now() - STALLED_AFTER_MS - 1;
    out.handOverToSweep(this.#sql, refs, overdue);
    await this.#alarmBy(Date.now() + SWEEP_SLACK_MS);
  }

  async deadLettered(p: Partition, refs: out.DeliveryRef[]): Promise<void> {
    if (await this.#writable(p)) out.markDeadLettered(this.#sql, refs, Date.now());
  }

  page(p: Partition, destinationId: string, limit: number, options: reads.PageOptions): DeliveryRow[] {
    return this.#readable(p) ? reads.historyPage(this.#sql, destinationId, limit, options) : [];
  }

  delivery(p: Partition, id: string, destinationId?: string): reads.DeliveryWithAttempts | null {
    return this.#readable(p) ? reads.deliveryWithAttempts(this.#sql, id, destinationId) : null;
  }

  event(p: Partition, id: string): reads.StoredEventRow | null {
    return this.#readable(p) ? reads.storedEvent(this.#sql, p.workspaceUuid, id) : null;
  }

  deliveriesOf(p: Partition, refs: out.DeliveryRef[]): DeliveryRow[] {
    return this.#readable(p) ? writes.deliveriesOfRefs(this.#sql, refs) : [];
  }

  activity(p: Partition, limit: number, options: { before?: string; destinationId?: string }) {
    return this.#readable(p) ? reads.activity(this.#sql, limit, options) : [];
  }

  healthSamples(p: Partition, destinationIds: string[], window: number) {
    return this.#readable(p) ? reads.healthSamples(this.#sql, destinationIds, window) : {};
  }

  /**
   * Everything here in brief, for checks run from outside the worker (scripts/soak.mjs, test/e2e): nothing
   * in the worker calls it, as it reads the partition whole. A tuple, not an object: Miniflare's proxy
   * hands an object result back as a remote stub, read a property at a time, and an array whole.
   */
  census(p: Partition): reads.Census {
    return this.#readable(p) ? reads.census(this.#sql) : [[], [], []];
  }

  countSelected(p: Partition, s: reopening.Selection): number {
    return this.#readable(p) ? reopening.countSelected(this.#sql, s) : 0;
  }

  async reopen(p: Partition, s: reopening.Selection, limit: number): Promise<reopening.Reopened[]> {
    if (!(await this.#writable(p))) return [];
    const now = Date.now();
    const reopened = this.ctx.storage.transactionSync(() => reopening.reopen(this.#sql, s, limit, now));
    if (reopened.length) await this.#alarmBy(now + STALLED_AFTER_MS + SWEEP_SLACK_MS);
    return reopened;
  }

  countUnsent(p: Partition, destinationId: string, chunk: reopening.Reopened[]): number {
    return this.#readable(p) ? reopening.countUnsent(this.#sql, destinationId, chunk) : 0;
  }

  /** A deleted destination's deliveries go, a chunk at a time; true when none is left here. */
  async forgetDestination(p: Partition, destinationId: string): Promise<boolean> {
    if (!this.#readable(p)) return true;
    return out.forgetDestination(this.#sql, destinationId, FORGET_CHUNK) < FORGET_CHUNK;
  }

  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    const p = this.ctx.storage.kv.get<Partition>("partition");
    if (!p) return;
    const now = Date.now();
    if (now >= this.#retiresAt(p)) return this.#retire();
    try {
      await this.#sweep(p, now);
    } catch (error) {
      console.error("history sweep failed", error instanceof Error ? error.message : String(error));
      await this.#alarmBy(now + SWEEP_SLACK_MS);
    }
  }

  async #sweep(p: Partition, now: number) {
    const sweptTo = this.ctx.storage.kv.get<number>("sweptTo") ?? p.start;
    const swept = this.ctx.storage.transactionSync(() => claimStalled(this.#sql, now, sweptTo));
    if (swept.sweptTo !== sweptTo) this.ctx.storage.kv.put("sweptTo", swept.sweptTo);
    const next = nextSweepAt(this.#sql, swept.sweptTo);
    await this.#alarmBy(
      Math.min(this.#retiresAt(p), Math.max(next ?? Number.POSITIVE_INFINITY, now + SWEEP_SLACK_MS)),
    );
    if (swept.claimed.length)
      await enqueueDeliveries(
        this.env.DELIVERY_QUEUE,
        swept.claimed.map((c) => ({ ...c, workspaceUuid: p.workspaceUuid, attemptsBefore: c.attemptsMade })),
      );
  }

  /** Past its retention: the whole database goes at once, never row by row (docs/storage.md). */
  async #retire() {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#migrated = false;
  }
}
