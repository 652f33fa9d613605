// Event records in the workspace's history partitions: an ingest stores each event with its whole fan-out
// in the current partition, one transaction per batch; reads find an event by its id across partitions,
// with every delivery of it (those of later replays and redeliveries too, in the partitions that hold a
// copy of it).
import type { DeliveryRow } from "../db/history-schema";
import { currentPartition, type HistoryView, historyStub, livePartitionOf } from "../history/client";
import { type Partition, partitionAt, partitionName, partitionOfName } from "../history/ids";
import type { StoredEventRow } from "../history/reads";
import type { EventToStore, StoreResult } from "../history/writes";

/**
 * Stores events (each with the destinations it fans out to) in `p`, the current partition, in one
 * transaction. An id a client chose that the previous partition holds already is a duplicate there: so
 * a client's retry is idempotent for at least HISTORY_PARTITION_HOURS (docs/storage.md, "Idempotency").
 */
export async function storeEvents(
  env: Env,
  p: Partition,
  batch: readonly (EventToStore & { clientId: boolean })[],
): Promise<StoreResult[]> {
  const previous = partitionAt(p.workspaceUuid, p.start - 1, p.seconds);
  const chosen = batch.filter((e) => e.clientId).map((e) => e.id);
  const earlier = chosen.length ? await historyStub(env, previous).answers(previous, chosen) : [];
  const known = new Map<string, StoreResult>();
  chosen.forEach((id, i) => {
    const answer = earlier[i];
    if (answer) known.set(id, answer);
  });
  const fresh = batch.filter((e) => !known.has(e.id));
  const stored = fresh.length
    ? await historyStub(env, p).store(
        p,
        fresh.map(({ clientId, ...e }) => e),
      )
    : [];
  // The object answers the fresh ones in order (an id twice in a batch: accepted, then duplicate).
  let next = 0;
  const results = batch.map((e) => known.get(e.id) ?? (stored[next++] as StoreResult));
  return Promise.all(results.map((r) => (r.copyOf ? originalAnswer(env, p.workspaceUuid, r) : r)));
}

/** A duplicate that met a copy of its event: the answer its original's ingest gave. */
async function originalAnswer(env: Env, workspaceUuid: string, copy: StoreResult): Promise<StoreResult> {
  const original = copy.copyOf ? partitionOfName(copy.copyOf) : null;
  if (!original || original.workspaceUuid !== workspaceUuid) return copy;
  const [answer] = await historyStub(env, original).answers(original, [copy.eventId]);
  return answer ?? copy;
}

/** Where an event is: the partition of its original and its row there. */
export type FoundEvent = { partition: Partition; row: StoredEventRow };

/**
 * The event with this id in the workspace: an id we made names its partition; a client's id is looked
 * for newest partition first (a copy found first leads to its original).
 */
export async function findEvent(view: HistoryView, id: string): Promise<FoundEvent | null> {
  const named = livePartitionOf(view.env, view.workspaceUuid, id);
  let found: FoundEvent | null = null;
  if (named && id.startsWith("evt_")) {
    const row = await view.stub(named).event(named, id);
    found = row && { partition: named, row };
  } else {
    const [hit] = (
      await view.walk(
        async (stub, p) => {
          const row = await stub.event(p, id);
          return row && { partition: p, row };
        },
        (answers) => answers.some((a) => a !== null),
      )
    ).filter((a) => a !== null);
    found = hit ?? null;
  }
  if (!found?.row.copyOf) return found;
  const original = partitionOfName(found.row.copyOf);
  const row = original && (await view.stub(original).event(original, id));
  return row && original ? { partition: original, row } : found;
}

/** The event's deliveries, oldest first: the original's, then each copy's; to `destinationIds` when given. */
export async function deliveriesOfEvent(
  view: HistoryView,
  event: FoundEvent,
  destinationIds?: ReadonlySet<string>,
): Promise<DeliveryRow[]> {
  const holders = [event.partition, ...event.row.copies.flatMap((name) => partitionOfName(name) ?? [])];
  const rows = await Promise.all(
    holders.map(async (p) => {
      const row = p === event.partition ? event.row : await view.stub(p).event(p, event.row.id);
      const refs = (row?.deliveries ?? []).filter(
        (r) => !destinationIds || destinationIds.has(r.destinationId),
      );
      return refs.length ? view.stub(p).deliveriesOf(p, refs) : [];
    }),
  );
  return rows.flat();
}

/**
 * New deliveries of a stored event to these destinations, in the current partition (a replay or a
 * redelivery is a new delivery, made now). The event is copied there first when its original is older,
 * and the original notes the copy, so its deliveries are all found from it.
 */
export async function addDeliveriesOf(
  env: Env,
  event: FoundEvent,
  destinationIds: readonly string[],
): Promise<DeliveryRow[]> {
  if (!destinationIds.length) return [];
  const current = currentPartition(env, event.partition.workspaceUuid);
  const here = partitionName(current) === partitionName(event.partition);
  const { id, type, payload, createdAt } = event.row;
  const copyOf = here ? null : partitionName(event.partition);
  const rows = await historyStub(env, current).addDeliveries(
    current,
    { id, type, payload, createdAt, copyOf },
    [...destinationIds],
  );
  if (!here) await historyStub(env, event.partition).noteCopy(event.partition, id, partitionName(current));
  return rows;
}
