// The worker's side of the history objects: which partition an id or a time names, a partition's stub,
// the workspace's live partitions newest first, and a walk over them that stops as soon as it has what it
// needs (docs/storage.md, "Partitions by time").
import { configOf } from "../config";
import type { DeliveryRow } from "../db/history-schema";
import { EnqueueError, enqueueDeliveries } from "../queue";
import { type Partition, partitionAt, partitionEnd, partitionName, partitionOfId, timeOfId } from "./ids";

/** The stub of one partition's object. */
export const historyStub = (env: Env, p: Partition) => env.HISTORY.getByName(partitionName(p));

/** The partition that takes what is created now. */
export const currentPartition = (env: Env, workspaceUuid: string, now = Date.now()) =>
  partitionAt(workspaceUuid, now, configOf(env).partitionSeconds);

/** A partition past RETENTION_DAYS is gone (its object deletes itself within a minute): nothing there counts. */
export const isLive = (env: Env, p: Pick<Partition, "start" | "seconds">, now = Date.now()) =>
  partitionEnd(p) + configOf(env).retentionMs > now;

/** The live partition an id we made names; null for an id we did not make or one past retention. */
export function livePartitionOf(env: Env, workspaceUuid: string, id: string): Partition | null {
  const p = partitionOfId(workspaceUuid, id);
  return p && isLive(env, p) ? p : null;
}

const newestFirst = (a: Partition, b: Partition) => b.start - a.start || b.seconds - a.seconds;

/**
 * One request's view of a workspace's history: its live partitions, read once from the workspace's
 * object (where each registers on its first write) together with the current one and the one before it
 * (so a partition written a moment ago is never missed), newest first.
 */
export class HistoryView {
  #partitions: Promise<Partition[]> | null = null;

  /** `registered`: the workspace object's list, when the caller has it already. */
  constructor(
    readonly env: Env,
    readonly workspaceUuid: string,
    registered?: { start: number; seconds: number }[],
  ) {
    if (registered) this.#partitions = Promise.resolve(this.#live(registered));
  }

  partitions(): Promise<Partition[]> {
    this.#partitions ??= this.#load();
    return this.#partitions;
  }

  async #load(): Promise<Partition[]> {
    return this.#live(await this.env.WORKSPACE.getByName(this.workspaceUuid).partitions());
  }

  #live(registered: { start: number; seconds: number }[]): Partition[] {
    const ws = this.workspaceUuid;
    const current = currentPartition(this.env, ws);
    const previous = partitionAt(ws, current.start - 1, current.seconds);
    const all = new Map<string, Partition>();
    for (const p of [...registered.map((r) => ({ workspaceUuid: ws, ...r })), current, previous])
      if (isLive(this.env, p)) all.set(partitionName(p), p);
    return [...all.values()].sort(newestFirst);
  }

  stub(p: Partition) {
    return historyStub(this.env, p);
  }

  /**
   * Asks partitions newest first, in waves of 1, 2, 4… at a time, until `enough` says the answers so far
   * suffice (it is told the next partition that would be asked, if any); returns the answers, newest
   * partition first. `from` leaves out partitions that cannot hold what is asked for.
   */
  async walk<T>(
    ask: (stub: ReturnType<typeof historyStub>, p: Partition) => Promise<T>,
    enough: (answers: T[], next: Partition | undefined) => boolean,
    from: (p: Partition) => boolean = () => true,
  ): Promise<T[]> {
    const partitions = (await this.partitions()).filter(from);
    const answers: T[] = [];
    for (
      let i = 0, wave = 1;
      i < partitions.length && !enough(answers, partitions[i]);
      i += wave, wave *= 2
    ) {
      const asked = partitions.slice(i, i + wave);
      answers.push(...(await Promise.all(asked.map((p) => ask(this.stub(p), p)))));
    }
    return answers;
  }

  /**
   * The newest `count` records across partitions, by id (ids begin with their creation time): each
   * partition gives its newest `count`, and the walk stops once no partition left can hold a newer one.
   */
  async newest<T>(
    count: number,
    ask: (stub: ReturnType<typeof historyStub>, p: Partition) => Promise<T[]>,
    idOf: (row: T) => string,
    from?: (p: Partition) => boolean,
  ): Promise<T[]> {
    const byIdDesc = (a: T, b: T) => (idOf(a) < idOf(b) ? 1 : idOf(a) > idOf(b) ? -1 : 0);
    const enough = (answers: T[][], next: Partition | undefined) => {
      if (!next) return true;
      const rows = answers.flat().sort(byIdDesc);
      const last = rows[count - 1];
      return last !== undefined && partitionEnd(next) <= (timeOfId(idOf(last)) ?? 0);
    };
    const answers = await this.walk(ask, enough, from);
    return answers.flat().sort(byIdDesc).slice(0, count);
  }
}

/**
 * Queues new deliveries. Their rows are committed already, so a queue that refuses them (an outage, or
 * its rate limit under a large fan-out) loses nothing: what was not sent is handed to its partition's
 * sweep, which queues it within a minute, instead of failing the request that made them.
 */
export async function queueNewDeliveries(
  env: Env,
  rows: readonly Pick<DeliveryRow, "id" | "workspaceUuid" | "destinationId">[],
): Promise<void> {
  const queued = rows.map((r) => ({
    id: r.id,
    workspaceUuid: r.workspaceUuid,
    destinationId: r.destinationId,
  }));
  try {
    await enqueueDeliveries(env.DELIVERY_QUEUE, queued);
  } catch (error) {
    const unsent = error instanceof EnqueueError ? error.unsent : queued;
    console.error("new deliveries left to the recovery sweep:", unsent.length, String(error));
    const groups = byPartition(unsent, (d) => partitionOfId(d.workspaceUuid, d.id));
    await Promise.all(
      groups.map(({ p, items }) =>
        historyStub(env, p).handOver(
          p,
          items.map((d) => ({ destinationId: d.destinationId, id: d.id })),
        ),
      ),
    );
  }
}

/** Items grouped by the partition each names (in first-seen order); items that name none are left out. */
export function byPartition<T>(items: readonly T[], partitionOf: (item: T) => Partition | null) {
  const groups = new Map<string, { p: Partition; items: T[] }>();
  for (const item of items) {
    const p = partitionOf(item);
    if (!p) continue;
    const name = partitionName(p);
    const group = groups.get(name);
    if (group) group.items.push(item);
    else groups.set(name, { p, items: [item] });
  }
  return [...groups.values()];
}
