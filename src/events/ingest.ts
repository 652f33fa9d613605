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
 * (ctx.waitUntil), and a delivery whose message never gets out is its partition sweep's to queue.
 */
export async function ingestEvents(
  env: Env,
  workspaceUuid: string,
  inputs: readonly EventIngestInput[],
  later: (work: Promise<void>) => void,
): Promise<Ingested[]> {
  const p = currentPartition(env, workspaceUuid);
  const subscribers = await subscribersOf(env.DB, workspaceUuid);
  const batch = inputs.map((input) => {
    const occurredAt = new Date(input.occurred_at ?? Date.now()).toISOString();
    const event = newEvent(p, input.type, input.contact, occurredAt, input.id);
    const targets = matchSubscribers(subscribers, event.type, event.payload);
    return { ...event, payload: JSON.stringify(event.payload), targets };
  });
  const results = await storeEvents(env, p, batch);
  const queued = results.flatMap((r) =>
    r.created.map((d) => ({ id: d.id, workspaceUuid, destinationId: d.destinationId })),
  );
  if (queued.length) later(queueNewDeliveries(env, queued));
  return results;
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
