// The consumer's side of flow control: which of a batch's deliveries it sends itself, and handing the
// rest to their destinations' lanes (lane.ts), one call per destination, before their messages are acked.
import type { LoadedDelivery } from "../dispatch/load";
import { sendsDirect } from "./policy";

/**
 * Whether the consumer sends this delivery itself. A delivery a lane already holds (no due time in D1)
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
  for (const row of rows) {
    const ids = byDestination.get(row.destinationId);
    if (ids) ids.push(row.id);
    else byDestination.set(row.destinationId, [row.id]);
  }
  const taken = new Set<string>();
  await Promise.all(
    [...byDestination].map(async ([destinationId, ids]) => {
      try {
        await env.LANES.getByName(destinationId).accept(destinationId, ids);
        for (const id of ids) taken.add(id);
      } catch (error) {
        console.error("a lane did not take its deliveries", destinationId, String(error));
      }
    }),
  );
  return taken;
}
