// From an event to queued deliveries: store the event, fan out to subscribed destinations, enqueue.

import type { Database } from "../db/client";
import type { DeliveryRow } from "../db/schema";
import { fanOutOf } from "../deliveries/store";
import { newId } from "../ids";
import { LISTED_DELIVERIES } from "../limits";
import type { DeliveryMessage } from "../queue";
import { queueNewDeliveries } from "../queue";
import { TEST_EVENT_TYPE } from "./catalog";
import { finishFilteredFanOut, matchingTargets, writeFilteredDeliveries } from "./filtered-fanout";
import { buildPayload, SAMPLE_CONTACT } from "./payload";
import type { EventIngestInput } from "./schema";
import { findEvent, insertEventFanningOut, insertEventWithDeliveries, type NewEvent } from "./store";

/** A new event: its public id (the client's, or one we make) is also `event.id` in its payload. */
function newEvent(
  workspaceUuid: string,
  type: string,
  contact: Record<string, unknown>,
  occurredAt: string,
  id: string = newId("evt"),
): NewEvent {
  const payload = buildPayload(id, type, workspaceUuid, contact, occurredAt);
  return { id, workspaceUuid, type, payload: JSON.stringify(payload) };
}

export type Ingested = {
  eventId: string;
  deliveryCount: number;
  deliveries: DeliveryRow[];
  replayed: boolean;
};

/**
 * The first answer again, for an id seen before: the deliveries its ingestion made. If that ingestion was
 * cut off before its filtered destinations' deliveries were written, they are written now and queued.
 */
async function replay(
  db: Database,
  queue: Queue<DeliveryMessage>,
  workspaceUuid: string,
  id: string,
  later: (work: Promise<void>) => void,
): Promise<Ingested | null> {
  const existing = await findEvent(db, workspaceUuid, id);
  if (!existing) return null;
  if (existing.filtersPending) {
    const finished = await finishFilteredFanOut(db, workspaceUuid, id);
    if (finished.length)
      later(
        queueNewDeliveries(
          db,
          queue,
          finished.map((d) => d.id),
        ),
      );
  }
  const { rows, count } = await fanOutOf(db, workspaceUuid, id, existing.createdAt, LISTED_DELIVERIES);
  return { eventId: id, deliveryCount: count, deliveries: rows, replayed: true };
}

/**
 * Stores a contact event once per id and queues one delivery per subscribed destination. The answer
 * can go out once the event and its deliveries are committed: `later` runs the queueing after it
 * (ctx.waitUntil), and a delivery whose message never gets out is the recovery sweep's to queue.
 */
export async function ingestEvent(
  db: Database,
  queue: Queue<DeliveryMessage>,
  workspaceUuid: string,
  input: EventIngestInput,
  later: (work: Promise<void>) => void,
): Promise<Ingested> {
  const occurredAt = new Date(input.occurred_at ?? Date.now()).toISOString();
  const event = newEvent(workspaceUuid, input.type, input.contact, occurredAt, input.id);
  const { inserted, deliveries, filtered, createdAt } = await insertEventFanningOut(db, event);
  if (!inserted) {
    // The id was seen before (perhaps by a concurrent request): answer with the first result.
    const replayed = await replay(db, queue, workspaceUuid, event.id, later);
    if (replayed) return replayed;
  }
  if (filtered.length) {
    const matched = matchingTargets(JSON.parse(event.payload), filtered);
    deliveries.push(...(await writeFilteredDeliveries(db, { ...event, createdAt }, matched)));
  }
  const sorted = deliveries.sort((a, b) => (a.id < b.id ? -1 : 1));
  if (sorted.length)
    later(
      queueNewDeliveries(
        db,
        queue,
        sorted.map((d) => d.id),
      ),
    );
  const listed = sorted.slice(0, LISTED_DELIVERIES);
  return { eventId: event.id, deliveryCount: sorted.length, deliveries: listed, replayed: false };
}

/** A `webhook.test` event with the sample contact, delivered to one destination. */
export async function sendTestDelivery(
  db: Database,
  queue: Queue<DeliveryMessage>,
  workspaceUuid: string,
  destinationId: string,
): Promise<DeliveryRow> {
  const event = newEvent(workspaceUuid, TEST_EVENT_TYPE, SAMPLE_CONTACT, new Date().toISOString());
  const [row] = await insertEventWithDeliveries(db, event, [destinationId]);
  if (!row) throw new Error("no delivery was created");
  await queueNewDeliveries(db, queue, [row.id]);
  return row;
}
