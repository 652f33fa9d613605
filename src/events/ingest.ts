// From events to queued deliveries: choose each event's destinations (the workspace's subscriptions, from
// the isolate's cache, with their filters), store the events with their fan-out in the current history
// partition (one transaction for the batch), enqueue.
import type { DeliveryRow } from "../db/history-schema";
import { currentPartition, queueNewDeliveries } from "../history/client";
import { idIn, type Partition } from "../history/ids";
import type { StoreResult } from "../history/writes";
import { TEST_EVENT_TYPE } from "./catalog";
import { buildPayload, SAMPLE_CONTACT } from "./payload";
import type { EventIngestInput } from "./schema";
import { storeEvents } from "./store";
import { matchSubscribers, subscribersOf } from "./subscriptions";

export type Ingested = StoreResult;

/** An event of `p` to store: its public id (the client's, or one we make) is also `event.id` in its payload. */
function newEvent(
  p: Partition,
  type: string,
  contact: Record<string, unknown>,
  occurredAt: string,
  id?: string,
) {
  const eventId = id ?? idIn("evt", p);
  const payload = buildPayload(eventId, type, p.workspaceUuid, contact, occurredAt);
  return { id: eventId, type, payload, clientId: id !== undefined };
}

/**
 * Stores contact events once per id and queues one delivery per subscribed destination whose filter each
 * passes. The answer can go out once the events are committed: `later` runs the queueing after it
 * (ctx.waitUntil), and a delivery whose message never gets out is its partition sweep's to queue. An event
 * whose fan-out would take the batch past `maxDeliveries` is not stored: its answer is "over".
 */
export async function ingestEvents(
  env: Env,
  workspaceUuid: string,
  inputs: readonly EventIngestInput[],
  later: (work: Promise<void>) => void,
  maxDeliveries = Number.POSITIVE_INFINITY,
): Promise<(Ingested | "over")[]> {
  const p = currentPartition(env, workspaceUuid);
  const subscribers = await subscribersOf(env.DB, workspaceUuid);
  let fanOut = 0;
  const batch = inputs.map((input) => {
    const occurredAt = new Date(input.occurred_at ?? Date.now()).toISOString();
    const event = newEvent(p, input.type, input.contact, occurredAt, input.id);
    const targets = matchSubscribers(subscribers, event.type, event.payload);
    fanOut += targets.length;
    if (fanOut > maxDeliveries) {
      fanOut -= targets.length;
      return null;
    }
    return { ...event, payload: JSON.stringify(event.payload), targets };
  });
  const stored = await storeEvents(
    env,
    p,
    batch.filter((e) => e !== null),
  );
  const queued = stored.flatMap((r) =>
    r.created.map((d) => ({ id: d.id, workspaceUuid, destinationId: d.destinationId })),
  );
  if (queued.length) later(queueNewDeliveries(env, queued));
  let next = 0;
  return batch.map((e) => (e === null ? "over" : (stored[next++] as Ingested)));
}

export const ingestEvent = async (
  env: Env,
  workspaceUuid: string,
  input: EventIngestInput,
  later: (work: Promise<void>) => void,
): Promise<Ingested> => (await ingestEvents(env, workspaceUuid, [input], later))[0] as Ingested;

/** A `webhook.test` event with the sample contact, delivered to one destination. */
export async function sendTestDelivery(
  env: Env,
  workspaceUuid: string,
  destinationId: string,
): Promise<DeliveryRow> {
  const p = currentPartition(env, workspaceUuid);
  const event = newEvent(p, TEST_EVENT_TYPE, SAMPLE_CONTACT, new Date().toISOString());
  const [stored] = await storeEvents(env, p, [
    { ...event, payload: JSON.stringify(event.payload), targets: [destinationId] },
  ]);
  const row = stored?.deliveries[0];
  if (!row) throw new Error("no delivery was created");
  await queueNewDeliveries(env, [row]);
  return row;
}
