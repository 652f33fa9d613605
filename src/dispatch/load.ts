// The consumer's one read per batch: each message's delivery with its destination and event. One round
// trip of three statements, so a destination or an event that many deliveries of the batch share (a
// fan-out) crosses from D1 once, not once per delivery. Hand-written SQL over the table's own column
// names, mapped here: drizzle's generic row mapping cost ~20 µs per delivery.
import { type Column, getTableColumns } from "drizzle-orm";
import type { Database } from "../db/client";
import { type DeliveryRow, type DestinationRow, deliveries, destinations } from "../db/schema";

/** What the consumer reads of a destination row. */
const DESTINATION_FIELDS = [
  "enabled",
  "method",
  "urlTemplate",
  "headersTemplate",
  "queryTemplate",
  "bodyTemplate",
  "timeoutSeconds",
  "secretCiphertext",
  "previousSecretCiphertext",
  "previousSecretExpiresAt",
  "rateLimitPerSecond",
  "sendPath",
  "consecutiveFailures",
  "failuresSince",
] as const satisfies readonly (keyof DestinationRow)[];
type Destination = Pick<DestinationRow, (typeof DESTINATION_FIELDS)[number]>;

/** What the consumer reads of a delivery row. */
const DELIVERY_FIELDS = [
  "id",
  "workspaceUuid",
  "eventId",
  "status",
  "attemptsMade",
  "eventType",
  "destinationId",
  "nextAttemptAt",
] as const satisfies readonly (keyof DeliveryRow)[];
type StoredDelivery = Pick<DeliveryRow, (typeof DELIVERY_FIELDS)[number]>;

export type LoadedDelivery = StoredDelivery & Destination & { payload: string };

/** `column AS field` for each field: the table's own column names (src/db/schema.ts). */
function selectList<C extends Record<string, Column>>(columns: C, fields: readonly (keyof C & string)[]) {
  return fields
    .map((f) => {
      const name = (columns[f] as Column).name;
      return name === f ? f : `${name} AS ${f}`;
    })
    .join(", ");
}

/** Binds: ?1 the delivery ids as a JSON array (for all three). */
const BATCH = `SELECT value AS id FROM json_each(?1)`;
export const LOAD_DELIVERIES_SQL = `
  SELECT ${selectList(getTableColumns(deliveries), DELIVERY_FIELDS)} FROM deliveries WHERE id IN (${BATCH})`;
export const LOAD_DESTINATIONS_SQL = `
  SELECT id, ${selectList(getTableColumns(destinations), DESTINATION_FIELDS)}
  FROM destinations WHERE id IN (SELECT destination_id FROM deliveries WHERE id IN (${BATCH}))`;
export const LOAD_EVENTS_SQL = `
  SELECT workspace_uuid AS workspaceUuid, id, payload FROM events
  WHERE (workspace_uuid, id) IN (SELECT workspace_uuid, event_id FROM deliveries WHERE id IN (${BATCH}))`;

/** The columns D1 hands back in another form than the row's (a boolean as 0/1, JSON as text). */
const CONVERTED = DESTINATION_FIELDS.filter((f) => {
  const type = destinations[f].columnType;
  return type === "SQLiteBoolean" || type === "SQLiteTextJson";
});

type StoredEvent = { workspaceUuid: string; id: string; payload: string };

/** The batch's deliveries that still exist, each with its destination and event. */
export async function loadDeliveries(db: Database, ids: string[]): Promise<LoadedDelivery[]> {
  const d1 = db.$client;
  const json = JSON.stringify(ids);
  const [found, targets, events] = await d1.batch<Record<string, unknown>>([
    d1.prepare(LOAD_DELIVERIES_SQL).bind(json),
    d1.prepare(LOAD_DESTINATIONS_SQL).bind(json),
    d1.prepare(LOAD_EVENTS_SQL).bind(json),
  ]);
  const destinationsById = new Map<string, Destination>();
  for (const { id, ...row } of targets?.results ?? []) {
    for (const f of CONVERTED) if (row[f] !== null) row[f] = destinations[f].mapFromDriverValue(row[f]);
    destinationsById.set(id as string, row as Destination);
  }
  const payloads = new Map<string, string>();
  for (const row of (events?.results ?? []) as StoredEvent[])
    payloads.set(`${row.workspaceUuid} ${row.id}`, row.payload);
  const loaded: LoadedDelivery[] = [];
  for (const row of (found?.results ?? []) as StoredDelivery[]) {
    const destination = destinationsById.get(row.destinationId);
    const payload = payloads.get(`${row.workspaceUuid} ${row.eventId}`);
    if (destination && payload !== undefined) loaded.push({ ...row, ...destination, payload });
  }
  return loaded;
}
