// From an event to queued deliveries: store the event, fan out to subscribed destinations, enqueue.
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { type DeliveryRow, deliveries, destinations, events, subscriptions } from "../db/schema";
import {
  deliveriesOfEvent,
  insertEventWithDeliveries,
  type NewEvent,
  newDeliveryRow,
} from "../deliveries/store";
import { newId } from "../ids";
import { TEST_EVENT_TYPE } from "./catalog";
import { buildPayload, type EventIngestInput, SAMPLE_CONTACT } from "./schema";

/** A queue message names a delivery and nothing else: the consumer reloads the rest from D1. */
export type DeliveryMessage = { deliveryId: string };

const QUEUE_BATCH = 100; // Queues' sendBatch limit.

export async function enqueueDeliveries(queue: Queue<DeliveryMessage>, deliveryIds: string[]): Promise<void> {
  for (let i = 0; i < deliveryIds.length; i += QUEUE_BATCH) {
    const chunk = deliveryIds.slice(i, i + QUEUE_BATCH);
    await queue.sendBatch(
      chunk.map((deliveryId) => ({ body: { deliveryId }, contentType: "json" as const })),
    );
  }
}

/** Enabled destinations of the workspace subscribed to `type`: an index range, whatever else exists. */
async function subscribedDestinations(db: Database, workspaceUuid: string, type: string): Promise<string[]> {
  const rows = await db
    .select({ id: subscriptions.destinationId })
    .from(subscriptions)
    .innerJoin(destinations, eq(destinations.id, subscriptions.destinationId))
    .where(
      and(
        eq(subscriptions.workspaceUuid, workspaceUuid),
        eq(subscriptions.eventType, type),
        eq(destinations.enabled, true),
      ),
    );
  return rows.map((r) => r.id);
}

export type Ingested = { eventId: string; deliveries: DeliveryRow[]; replayed: boolean };

async function replay(db: Database, workspaceUuid: string, clientEventId: string): Promise<Ingested | null> {
  const existing = await db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.workspaceUuid, workspaceUuid), eq(events.clientEventId, clientEventId)))
    .get();
  if (!existing) return null;
  return { eventId: existing.id, deliveries: await deliveriesOfEvent(db, existing.id), replayed: true };
}

/** Stores a contact event once per client id and queues one delivery per subscribed destination. */
export async function ingestEvent(
  db: Database,
  queue: Queue<DeliveryMessage>,
  workspaceUuid: string,
  input: EventIngestInput,
): Promise<Ingested> {
  if (input.id) {
    const replayed = await replay(db, workspaceUuid, input.id);
    if (replayed) return replayed;
  }
  const eventId = newId("evt");
  const occurredAt = input.occurred_at ? new Date(input.occurred_at).toISOString() : new Date().toISOString();
  const payload = buildPayload(eventId, input.type, workspaceUuid, input.contact, occurredAt);
  const event: NewEvent = {
    id: eventId,
    workspaceUuid,
    clientEventId: input.id ?? null,
    type: input.type,
    payload: JSON.stringify(payload),
  };
  let rows: DeliveryRow[];
  try {
    rows = await insertEventWithDeliveries(
      db,
      event,
      await subscribedDestinations(db, workspaceUuid, input.type),
    );
  } catch (error) {
    // Two requests with the same id raced: the loser's transaction rolled back; answer as a replay.
    const replayed =
      input.id && /UNIQUE/i.test(String(error)) ? await replay(db, workspaceUuid, input.id) : null;
    if (replayed) return replayed;
    throw error;
  }
  await enqueueDeliveries(
    queue,
    rows.map((r) => r.id),
  );
  return { eventId, deliveries: rows, replayed: false };
}

/** A `webhook.test` event with the sample contact, delivered to one destination. */
export async function sendTestDelivery(
  db: Database,
  queue: Queue<DeliveryMessage>,
  workspaceUuid: string,
  destinationId: string,
): Promise<DeliveryRow> {
  const eventId = newId("evt");
  const payload = buildPayload(
    eventId,
    TEST_EVENT_TYPE,
    workspaceUuid,
    SAMPLE_CONTACT,
    new Date().toISOString(),
  );
  const event = {
    id: eventId,
    workspaceUuid,
    clientEventId: null,
    type: TEST_EVENT_TYPE,
    payload: JSON.stringify(payload),
  };
  const [row] = await insertEventWithDeliveries(db, event, [destinationId]);
  if (!row) throw new Error("no delivery was created");
  await enqueueDeliveries(queue, [row.id]);
  return row;
}

/** The same event to the same destination again, as a new delivery with its own attempts. */
export async function redeliver(
  db: Database,
  queue: Queue<DeliveryMessage>,
  original: DeliveryRow,
): Promise<DeliveryRow> {
  const row = newDeliveryRow(
    original.workspaceUuid,
    original.destinationId,
    original.eventId,
    original.eventType,
  );
  await db.insert(deliveries).values(row);
  await enqueueDeliveries(queue, [row.id]);
  return row;
}
