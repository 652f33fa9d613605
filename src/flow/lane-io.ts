// What a destination's lane reads and drives outside itself: the destination's settings and run of
// failures, the history partitions its deliveries live in, and a recovery's steps.
import type { DeliveryRef } from "../dispatch/load";
import { byPartition, historyStub } from "../history/client";
import type { Partition } from "../history/ids";
import { partitionOfId } from "../history/ids";
import { type Chunk, recoveryStep } from "../lifecycle/recovery";
import { RECOVERY_PAUSE_MS, RECOVERY_STEPS_PER_ALARM } from "../limits";

/** What the lane's rules need of its destination. */
export type Flow = {
  enabled: boolean;
  rateLimitPerSecond: number | null;
  failures: number;
  failuresSince: number | null;
};

/** The destination's settings (D1) and run of failures (its workspace's object); null once deleted. */
export async function readFlow(env: Env, destinationId: string, workspaceUuid: string): Promise<Flow | null> {
  const [row, health] = await Promise.all([
    env.DB.prepare(
      "SELECT enabled, rate_limit_per_second AS rate FROM destinations WHERE id = ?1 AND workspace_uuid = ?2",
    )
      .bind(destinationId, workspaceUuid)
      .first<{ enabled: number; rate: number | null }>(),
    env.WORKSPACE.getByName(workspaceUuid).health([destinationId]),
  ]);
  const run = health[destinationId];
  if (!row || !run) return null;
  return {
    enabled: row.enabled === 1,
    rateLimitPerSecond: row.rate,
    failures: run.consecutiveFailures,
    failuresSince: run.failuresSince,
  };
}

/** Runs `task` on each history partition holding some of `refs`, with those refs, all at once. */
export async function inPartitions(
  env: Env,
  workspaceUuid: string,
  refs: readonly DeliveryRef[],
  task: (stub: ReturnType<typeof historyStub>, p: Partition, refs: DeliveryRef[]) => Promise<unknown>,
): Promise<void> {
  const groups = byPartition(refs, (r) => partitionOfId(workspaceUuid, r.id));
  await Promise.all(groups.map(({ p, items }) => task(historyStub(env, p), p, items)));
}

/**
 * Steps the recovery `kv` names a bounded number of times (src/lifecycle/recovery.ts); when it has more to
 * do, when to step again (null when it is done or there is none).
 */
export async function stepRecovery(
  env: Env,
  kv: DurableObjectStorage["kv"],
  workspaceUuid: string,
): Promise<number | null> {
  const id = kv.get<string>("recovery");
  if (!id) return null;
  let chunk = kv.get<Chunk>("recoveryChunk") ?? [];
  for (let step = 0; step < RECOVERY_STEPS_PER_ALARM; step++) {
    const next = await recoveryStep(env, workspaceUuid, id, chunk);
    if (!next.more) {
      kv.delete("recovery");
      kv.delete("recoveryChunk");
      return null;
    }
    chunk = next.chunk;
    kv.put("recoveryChunk", chunk);
    // Its last chunk mostly waits unsent: look again shortly, within this alarm.
    if (next.paused) await scheduler.wait(RECOVERY_PAUSE_MS);
  }
  return Date.now();
}
