// Delivery records, across a workspace's history partitions as over one table: one delivery (its id names
// its partition), one with its attempts, and a destination's history page, newest first.
import type { DeliveryRow, DeliveryStatus } from "../db/history-schema";
import { type HistoryView, historyStub, livePartitionOf } from "../history/client";
import { timeOfId } from "../history/ids";
import type { DeliveryWithAttempts } from "../history/reads";

/**
 * One delivery of the workspace with its attempts, oldest first; null when there is none (another
 * workspace's id finds nothing: the partition is named for this workspace). Its destination, when the
 * caller knows it, makes it one key lookup.
 */
export async function findDeliveryWithAttempts(
  env: Env,
  workspaceUuid: string,
  id: string,
  destinationId?: string,
): Promise<DeliveryWithAttempts | null> {
  const p = livePartitionOf(env, workspaceUuid, id);
  if (!p || !id.startsWith("dlv_")) return null;
  // RPC's types widen the attempts' tuples to arrays; the values are the ones the object read.
  return (await historyStub(env, p).delivery(p, id, destinationId)) as DeliveryWithAttempts | null;
}

export async function findDelivery(
  env: Env,
  workspaceUuid: string,
  id: string,
  destinationId?: string,
): Promise<DeliveryRow | null> {
  return (await findDeliveryWithAttempts(env, workspaceUuid, id, destinationId))?.delivery ?? null;
}

export type HistoryOptions = { before?: string; status?: DeliveryStatus[] };

/**
 * A history page, newest first, up to limit + 1 rows (for `page()`): each partition's part is a walk of
 * its primary key, and partitions newer than the cursor are not asked.
 */
export async function listDeliveries(
  view: HistoryView,
  destinationId: string,
  limit: number,
  options: HistoryOptions,
): Promise<DeliveryRow[]> {
  const before = options.before;
  const cursorTime = before ? timeOfId(before) : null;
  return view.newest(
    limit + 1,
    (stub, p) => stub.page(p, destinationId, limit + 1, { before, statuses: options.status }),
    (row) => row.id,
    cursorTime === null ? undefined : (p) => p.start <= cursorTime,
  );
}
