// How a history object reads its rows: one select list per table, aliased to the row types' own field
// names, so what `sql.exec` hands back is the row as the rest of the code knows it.
import { type Column, getTableColumns } from "drizzle-orm";
import { type DeliveryRow, deliveries } from "../db/history-schema";

/** `column AS "field"` for each field of a table's row type. */
function selectList(columns: Record<string, Column>, fields: readonly string[], alias?: string): string {
  return fields.map((f) => `${alias ? `${alias}.` : ""}${(columns[f] as Column).name} AS "${f}"`).join(", ");
}

const DELIVERY_FIELDS = [
  "destinationId",
  "id",
  "workspaceUuid",
  "eventId",
  "eventType",
  "status",
  "attemptsMade",
  "nextAttemptAt",
  "laneDueAt",
  "statusReason",
  "deadLetteredAt",
  "createdAt",
  "updatedAt",
] as const satisfies readonly (keyof DeliveryRow)[];

/** A delivery row's columns (never its attempts), as DeliveryRow fields; `d` is the table's alias. */
export const DELIVERY_COLUMNS = selectList(getTableColumns(deliveries), DELIVERY_FIELDS, "d");

/** A pending delivery of an event to a destination, due now, as it is first stored. */
export function newDeliveryRow(
  workspaceUuid: string,
  destinationId: string,
  event: { id: string; type: string },
  id: string,
  now: number,
): DeliveryRow {
  return {
    destinationId,
    id,
    workspaceUuid,
    eventId: event.id,
    eventType: event.type,
    status: "pending",
    attemptsMade: 0,
    nextAttemptAt: now,
    laneDueAt: null,
    statusReason: null,
    deadLetteredAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** A delivery row as SQLite hands it back (its fields are the aliases above). */
export const asDelivery = (row: Record<string, SqlStorageValue>) => row as unknown as DeliveryRow;
