// From an event to queued deliveries: store the event, fan out to subscribed destinations, enqueue.
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { type DeliveryRow, events } from "../db/schema";
import { deliveriesOfEvent } from "../deliveries/store";
import { newId } from "../ids";
import { type DeliveryMessage, enqueueDeliveries } from "../queue";
import { TEST_EVENT_TYPE } from "./catalog";
import { buildPayload, SAMPLE_CONTACT } from "./payload";
import type { EventIngestInput } from "./schema";
import { insertEventFanningOut, insertEventWithDeliveries, type NewEvent } from "./store";

/** A new event row: its payload is the template context, with the event's own id inside it. */
function newEvent(
  workspaceUuid: string,
  type: string,
  contact: Record<string, unknown>,
  occurredAt: string,
  clientEventId: string | null,
): NewEvent {
  const id = newId("evt");
  const payload = buildPayload(id, type, workspaceUuid, contact, occurredAt);
  return { id, workspaceUuid, clientEventId, type, payload: JSON.stringify(payload) };
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
  const occurredAt = input.occurred_at ? new Date(input.occurred_at).toISOString() : new Date().toISOString();
  const event = newEvent(workspaceUuid, input.type, input.contact, occurredAt, input.id ?? null);
  const { inserted, deliveries } = await insertEventFanningOut(db, event);
  if (!inserted && input.id) {
    // The client id was seen before (perhaps by a concurrent request): answer with the first result.
    const replayed = await replay(db, workspaceUuid, input.id);
    if (replayed) return replayed;
  }
  await enqueueDeliveries(
    queue,
    deliveries.map((d) => d.id),
  );
  return { eventId: event.id, deliveries, replayed: false };
}

/** A `webhook.test` event with the sample contact, delivered to one destination. */
export async function sendTestDelivery(
  db: Database,
  queue: Queue<DeliveryMessage>,
  workspaceUuid: string,
  destinationId: string,
): Promise<DeliveryRow> {
  const event = newEvent(workspaceUuid, TEST_EVENT_TYPE, SAMPLE_CONTACT, new Date().toISOString(), null);
  const [row] = await insertEventWithDeliveries(db, event, [destinationId]);
  if (!row) throw new Error("no delivery was created");
  await enqueueDeliveries(queue, [row.id]);
  return row;
}
