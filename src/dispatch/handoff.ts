// The consumer's side of flow control: which of a batch's deliveries it sends itself, and handing the
// rest to their destinations' lanes (lane.ts), one call per destination, before their messages are acked.

import { SLOW_ANSWER_MS } from "../limits";
import { sendsDirect } from "../rules/flow-control";
import type { LoadedDelivery } from "./load";

/**
 * Whether the consumer sends this delivery itself. A delivery a lane already holds (no due time in its row)
 * stays with its lane even after the destination earns the direct path, so it is never sent twice.
 */
export const goesDirect = (row: LoadedDelivery & { nextAttemptAt: number | null }) =>
  sendsDirect(row) && row.nextAttemptAt !== null;

/**
 * Hands deliveries to their lanes. Resolves with the ids whose lane took them; a lane that could not be
 * reached leaves its deliveries to the message's retry.
 */
export async function handToLanes(env: Env, rows: readonly LoadedDelivery[]): Promise<Set<string>> {
  const byDestination = new Map<string, string[]>();
  const workspaceOf = new Map(rows.map((r) => [r.destinationId, r.workspaceUuid]));
  for (const row of rows) {
    const ids = byDestination.get(row.destinationId);
    if (ids) ids.push(row.id);
    else byDestination.set(row.destinationId, [row.id]);
  }
  const taken = new Set<string>();
  await Promise.all(
    [...byDestination].map(async ([destinationId, ids]) => {
      try {
        await env.LANES.getByName(destinationId).accept(
          destinationId,
          workspaceOf.get(destinationId) ?? "",
          ids,
        );
        for (const id of ids) taken.add(id);
      } catch (error) {
        console.error("a lane did not take its deliveries", destinationId, String(error));
      }
    }),
  );
  return taken;
}

/**
 * Watches a batch's direct sends: a destination with a send still unanswered after SLOW_ANSWER_MS is
 * moved to its lane at once, not when the send ends (up to its timeout later), so the batches that
 * follow hand its deliveries to its lane instead of waiting on it too. One timer per batch.
 */
export function watchDirectSends(env: Env) {
  const running = new Map<string, { destinationId: string; workspaceUuid: string; startedAt: number }>();
  const moved = new Set<string>();
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const now = Date.now();
    const slow = new Map<string, Set<string>>();
    for (const { destinationId, workspaceUuid, startedAt } of running.values())
      if (now - startedAt >= SLOW_ANSWER_MS && !moved.has(destinationId)) {
        moved.add(destinationId);
        slow.set(workspaceUuid, (slow.get(workspaceUuid) ?? new Set()).add(destinationId));
      }
    if (!slow.size) return;
    const moves = [...slow].map(
      ([ws, ids]) =>
        () =>
          env.WORKSPACE.getByName(ws).setSendPath([...ids], "lane"),
    );
    pending = pending
      .then(() => Promise.all(moves.map((move) => move())))
      .catch((error: unknown) =>
        console.error("could not move slow destinations to their lanes", String(error)),
      );
  }, SLOW_ANSWER_MS / 2);
  return {
    started: (row: Pick<LoadedDelivery, "id" | "destinationId" | "workspaceUuid">) =>
      running.set(row.id, {
        destinationId: row.destinationId,
        workspaceUuid: row.workspaceUuid,
        startedAt: Date.now(),
      }),
    ended: (deliveryId: string) => running.delete(deliveryId),
    /** Stops watching; resolves once any move it started is written. */
    stop: () => {
      clearInterval(timer);
      return pending;
    },
  };
}
