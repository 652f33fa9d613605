// Event records in D1, stored together with their fan-out: the event and one pending delivery per
// destination land in one transaction, so no event is ever stored without its deliveries.
import { and, eq } from "drizzle-orm";
import { type Database, statement } from "../db/client";
import { type DeliveryRow, events } from "../db/schema";
import { newDeliveryRow } from "../deliveries/store";
import { FILTERED_TARGETS_SQL, type FilteredTarget, filteredCandidatesSql } from "./filtered-fanout";

/** An event to store: `id` is its public id (the client's, or one we made), unique in the workspace. */
export type NewEvent = { id: string; workspaceUuid: string; type: string; payload: string };

// An id seen before in the workspace inserts nothing: that is what makes ingestion idempotent. The event
// is marked filters_pending when a filtered destination may match it (filtered-fanout.ts).
const INSERT_EVENT_SQL = `
  INSERT INTO events (workspace_uuid, id, type, payload, created_at, filters_pending)
  VALUES (?1, ?2, ?3, ?4, ?5, EXISTS (${filteredCandidatesSql("?1", "?3", "?4")}))
  ON CONFLICT DO NOTHING`;

/**
 * The fan-out: one delivery per enabled, unfiltered destination subscribed to the type, read from the subscription
 * index inside the transaction — only when the event insert just before it inserted a row (`changes()`
 * is that statement's count), so a replayed id fans out nothing. Delivery ids are made in SQL with the
 * UUIDv7 layout (48-bit milliseconds, then 80 random bits), so they sort with the ids made in JavaScript.
 * Binds: ?1 workspace, ?2 event type, ?3 event id, ?4 now.
 */
export const FANOUT_SQL = `
  INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
                          next_attempt_at, created_at, updated_at)
  SELECT printf('dlv_%012x', ?4) || lower(hex(randomblob(10))), s.workspace_uuid, s.destination_id,
         ?3, s.event_type, 'pending', 0, ?4, ?4, ?4
  FROM destination_event_types AS s JOIN destinations AS d ON d.id = s.destination_id
  WHERE s.workspace_uuid = ?1 AND s.event_type = ?2 AND s.filter_kind = 0 AND d.enabled = 1
    AND d.filter IS NULL AND changes() = 1
  RETURNING id, destination_id`;

/** Delivery rows for given destinations; they travel as one JSON parameter, one statement for any count. */
const INSERT_DELIVERIES_SQL = `
  INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
                          next_attempt_at, created_at, updated_at)
  SELECT value ->> 0, ?1, value ->> 1, ?2, ?3, 'pending', 0, ?4, ?4, ?4 FROM json_each(?5)`;

/** New pending deliveries of a stored event to given destinations (a replay), due now; one statement. */
export async function insertDeliveriesOf(
  db: Database,
  event: { id: string; type: string; workspaceUuid: string },
  destinationIds: string[],
): Promise<DeliveryRow[]> {
  const now = Date.now();
  const rows = destinationIds.map((d) => newDeliveryRow(event.workspaceUuid, d, event.id, event.type, now));
  if (!rows.length) return rows;
  const pairs = JSON.stringify(rows.map((r) => [r.id, r.destinationId]));
  await db.$client
    .prepare(INSERT_DELIVERIES_SQL)
    .bind(event.workspaceUuid, event.id, event.type, now, pairs)
    .run();
  return rows;
}

/** Stores an event and one pending delivery per given destination (a test send) in one transaction. */
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
    db.$client.prepare(INSERT_DELIVERIES_SQL).bind(event.workspaceUuid, event.id, event.type, now, pairs),
  ]);
  return rows;
}

/**
 * Stores an event and fans it out in one round trip, so ingest costs the same D1 work however many
 * unsubscribed destinations the workspace has. An id seen before inserts nothing (`inserted: false`).
 * The filtered destinations' filters come back in `filtered`, to be matched and written after it.
 */
export async function insertEventFanningOut(
  db: Database,
  event: NewEvent,
): Promise<{ inserted: boolean; deliveries: DeliveryRow[]; filtered: FilteredTarget[]; createdAt: number }> {
  const now = Date.now();
  const d1 = db.$client;
  const [insertedEvent, created, filtered] = await d1.batch<{
    id: string;
    destination_id: string;
    filter: string;
  }>([
    d1.prepare(INSERT_EVENT_SQL).bind(event.workspaceUuid, event.id, event.type, event.payload, now),
    d1.prepare(FANOUT_SQL).bind(event.workspaceUuid, event.type, event.id, now),
    d1.prepare(FILTERED_TARGETS_SQL).bind(event.workspaceUuid, event.type, event.payload),
  ]);
  const deliveries = (created?.results ?? []).map((row) =>
    newDeliveryRow(event.workspaceUuid, row.destination_id, event.id, event.type, now, row.id),
  );
  const inserted = (insertedEvent?.meta.changes ?? 0) === 1;
  return { inserted, deliveries, filtered: inserted ? (filtered?.results ?? []) : [], createdAt: now };
}

/** The event with this public id in the workspace, or null. */
export async function findEvent(db: Database, workspaceUuid: string, id: string) {
  const found = await db
    .select({ id: events.id, createdAt: events.createdAt, filtersPending: events.filtersPending })
    .from(events)
    .where(and(eq(events.workspaceUuid, workspaceUuid), eq(events.id, id)))
    .get();
  return found ?? null;
}
