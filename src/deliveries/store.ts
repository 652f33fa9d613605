// Delivery records: creating them with their event, reading history, and their JSON shape.
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import { type Database, statement } from "../db/client";
import {
  type AttemptRow,
  attempts,
  type DeliveryRow,
  type DeliveryStatus,
  deliveries,
  events,
} from "../db/schema";
import { newId } from "../ids";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function deliveryJson(row: DeliveryRow) {
  return {
    id: row.id,
    destination_id: row.destinationId,
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    status_reason: row.statusReason,
    attempts_made: row.attemptsMade,
    next_attempt_at: iso(row.nextAttemptAt),
    dead_lettered_at: iso(row.deadLetteredAt),
    created_at: iso(row.createdAt) as string,
    updated_at: iso(row.updatedAt) as string,
  };
}

export function attemptJson(row: AttemptRow) {
  return {
    number: row.number,
    started_at: iso(row.startedAt) as string,
    request: { method: row.method, url: row.url, headers: row.requestHeaders },
    response_status: row.responseStatus,
    response_body: row.responseBody,
    duration_ms: row.durationMs,
    error_class: row.errorClass,
    error_message: row.errorMessage,
  };
}

export function newDeliveryRow(
  workspaceUuid: string,
  destinationId: string,
  eventId: string,
  eventType: string,
  now = Date.now(),
): DeliveryRow {
  return {
    id: newId("dlv"),
    workspaceUuid,
    destinationId,
    eventId,
    eventType,
    status: "pending",
    attemptsMade: 0,
    nextAttemptAt: now,
    statusReason: null,
    deadLetteredAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

export type NewEvent = {
  id: string;
  workspaceUuid: string;
  clientEventId: string | null;
  type: string;
  payload: string;
};

/**
 * Stores an event and one pending delivery per destination in one D1 transaction. The delivery rows
 * travel as one JSON parameter, so the statement count does not grow with the fan-out.
 */
export async function insertEventWithDeliveries(
  db: Database,
  event: NewEvent,
  destinationIds: string[],
): Promise<DeliveryRow[]> {
  const now = Date.now();
  const rows = destinationIds.map((d) => newDeliveryRow(event.workspaceUuid, d, event.id, event.type, now));
  const insertEvent = db.insert(events).values({ ...event, createdAt: now });
  if (!rows.length) {
    await insertEvent;
    return rows;
  }
  const pairs = JSON.stringify(rows.map((r) => [r.id, r.destinationId]));
  await db.$client.batch([
    statement(db, insertEvent),
    db.$client
      .prepare(
        `INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
                                 next_attempt_at, created_at, updated_at)
         SELECT value ->> 0, ?1, value ->> 1, ?2, ?3, 'pending', 0, ?4, ?4, ?4 FROM json_each(?5)`,
      )
      .bind(event.workspaceUuid, event.id, event.type, now, pairs),
  ]);
  return rows;
}

/**
 * Stores an event and fans it out in one round trip: the delivery rows are selected from the
 * subscription index inside the same transaction, so ingest costs the same D1 work however many
 * unsubscribed destinations the workspace has. A client id seen before inserts nothing
 * (`inserted: false`). Delivery ids are made in SQL with the UUIDv7 layout (48-bit milliseconds, then
 * 80 random bits), so they sort with the ids made in JavaScript.
 */
export async function insertEventFanningOut(
  db: Database,
  event: NewEvent,
): Promise<{ inserted: boolean; deliveries: DeliveryRow[] }> {
  const now = Date.now();
  const [insertedEvent, created] = await db.$client.batch<{ id: string; destination_id: string }>([
    db.$client
      .prepare(
        `INSERT INTO events (id, workspace_uuid, client_event_id, type, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (workspace_uuid, client_event_id) DO NOTHING`,
      )
      .bind(event.id, event.workspaceUuid, event.clientEventId, event.type, event.payload, now),
    db.$client
      .prepare(
        `INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
                                 next_attempt_at, created_at, updated_at)
         SELECT printf('dlv_%012x', ?4) || lower(hex(randomblob(10))), s.workspace_uuid, s.destination_id,
                ?3, s.event_type, 'pending', 0, ?4, ?4, ?4
         FROM destination_event_types AS s JOIN destinations AS d ON d.id = s.destination_id
         WHERE s.workspace_uuid = ?1 AND s.event_type = ?2 AND d.enabled = 1
           AND EXISTS (SELECT 1 FROM events WHERE id = ?3)
         RETURNING id, destination_id`,
      )
      .bind(event.workspaceUuid, event.type, event.id, now),
  ]);
  const deliveries = (created?.results ?? []).map((row) => ({
    ...newDeliveryRow(event.workspaceUuid, row.destination_id, event.id, event.type, now),
    id: row.id,
  }));
  return { inserted: (insertedEvent?.meta.changes ?? 0) === 1, deliveries };
}

export async function findDelivery(db: Database, workspaceUuid: string, id: string) {
  return db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.workspaceUuid, workspaceUuid), eq(deliveries.id, id)))
    .get();
}

export async function attemptsOf(db: Database, deliveryId: string) {
  return db.select().from(attempts).where(eq(attempts.deliveryId, deliveryId)).orderBy(asc(attempts.number));
}

export async function deliveriesOfEvent(db: Database, eventId: string) {
  return db.select().from(deliveries).where(eq(deliveries.eventId, eventId)).orderBy(asc(deliveries.id));
}

/** Newest first; the (destination, status, id) index makes page N as cheap as page 1. */
export async function listDeliveries(
  db: Database,
  destinationId: string,
  limit: number,
  options: { before?: string; status?: DeliveryStatus[] },
) {
  return db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.destinationId, destinationId),
        options.status?.length ? inArray(deliveries.status, options.status) : undefined,
        options.before ? lt(deliveries.id, options.before) : undefined,
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(limit + 1);
}
