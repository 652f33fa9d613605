// A history object storing what comes in: events with their fan-out (an ingest, one transaction for a
// whole batch), and new deliveries of an event already stored (a test, a replay, a redelivery). Each runs
// inside the object (src/history/object.ts), on its own SQLite database.
import type { DeliveryRow } from "../db/history-schema";
import { LISTED_DELIVERIES } from "../limits";
import { idIn, type Partition } from "./ids";
import type { DeliveryRef } from "./outcomes";
import { asDelivery, DELIVERY_COLUMNS, newDeliveryRow } from "./rows";

/** An event to store and the destinations it fans out to (chosen by the caller: src/events/fanout.ts). */
export type EventToStore = { id: string; type: string; payload: string; targets: readonly string[] };

export type StoreResult = {
  eventId: string;
  /** `duplicate`: its id was stored before; the answer is the first one's. */
  status: "accepted" | "duplicate";
  deliveryCount: number;
  /** The first LISTED_DELIVERIES of its fan-out, by id. */
  deliveries: DeliveryRow[];
  /** Every delivery this ingest made, to queue: [delivery id, destination id] (none for a duplicate). */
  created: DeliveryRef[];
  /** A duplicate of an event this partition holds only a copy of: the partition of its original. */
  copyOf?: string;
};

// An id seen before inserts nothing: that is what makes ingestion idempotent.
const INSERT_EVENT = `
  INSERT INTO events (workspace_uuid, id, type, created_at, payload, fan_out_count, deliveries, copy_of)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

// Binds: ?1 workspace, ?2 event id, ?3 event type, ?4 now, ?5 [delivery id, destination id] pairs (JSON):
// one statement for any fan-out.
const INSERT_DELIVERIES = `
  INSERT INTO deliveries (destination_id, id, workspace_uuid, event_id, event_type, status, attempts_made,
                          next_attempt_at, created_at, updated_at)
  SELECT value ->> 1, value ->> 0, ?1, ?2, ?3, 'pending', 0, ?4, ?4, ?4 FROM json_each(?5)`;

// Binds: the [delivery id, destination id] pairs (JSON).
const ROWS_OF_PAIRS = `
  SELECT ${DELIVERY_COLUMNS} FROM json_each(?) AS j
  CROSS JOIN deliveries AS d ON d.destination_id = j.value ->> 1 AND d.id = j.value ->> 0`;

/** The deliveries named by [delivery id, destination id] pairs, by id. */
export function deliveriesOfRefs(sql: SqlStorage, refs: readonly DeliveryRef[]): DeliveryRow[] {
  if (!refs.length) return [];
  const pairs = refs.map((r) => [r.id, r.destinationId]);
  // By id, sorted here: SQLite would sort them in a temporary B-tree (test/db/query-plans.test.ts).
  const rows = sql.exec(ROWS_OF_PAIRS, JSON.stringify(pairs)).toArray().map(asDelivery);
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Runs a statement to its end; the rows it wrote (a conflict that inserts nothing writes none). */
export function run(sql: SqlStorage, query: string, ...binds: SqlStorageValue[]): number {
  const cursor = sql.exec(query, ...binds);
  cursor.toArray();
  return cursor.rowsWritten;
}

type EventRow = { fanOutCount: number; deliveries: string; copyOf: string | null };

function storedEvent(sql: SqlStorage, workspaceUuid: string, id: string): EventRow | null {
  const rows = sql
    .exec(
      `SELECT fan_out_count AS fanOutCount, deliveries, copy_of AS copyOf FROM events
       WHERE workspace_uuid = ? AND id = ?`,
      workspaceUuid,
      id,
    )
    .toArray();
  return (rows[0] as EventRow | undefined) ?? null;
}

/** The answer an event's ingest gave: its fan-out's count and first deliveries, as they are now. */
export function firstAnswer(sql: SqlStorage, workspaceUuid: string, id: string): StoreResult | null {
  const row = storedEvent(sql, workspaceUuid, id);
  if (!row) return null;
  const fanOut = (JSON.parse(row.deliveries) as [string, string][]).slice(0, row.fanOutCount);
  const answer: StoreResult = {
    eventId: id,
    status: "duplicate",
    deliveryCount: row.fanOutCount,
    deliveries: deliveriesOfRefs(
      sql,
      fanOut
        .slice(0, LISTED_DELIVERIES)
        .map(([deliveryId, destinationId]) => ({ id: deliveryId, destinationId })),
    ),
    created: [],
  };
  if (row.copyOf) answer.copyOf = row.copyOf;
  return answer;
}

/**
 * Stores each event once per id with one pending delivery per target, in the caller's transaction; an id
 * stored before (in this batch too) stores nothing and answers as its first ingest did.
 */
export function storeEvents(
  sql: SqlStorage,
  partition: Partition,
  batch: readonly EventToStore[],
  now = Date.now(),
): StoreResult[] {
  const ws = partition.workspaceUuid;
  return batch.map((event) => {
    const rows = event.targets
      .map((destinationId) => newDeliveryRow(ws, destinationId, event, idIn("dlv", partition, now), now))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const created = rows.map((r) => ({ id: r.id, destinationId: r.destinationId }));
    const pairs = JSON.stringify(rows.map((r) => [r.id, r.destinationId]));
    const inserted = run(
      sql,
      INSERT_EVENT,
      ws,
      event.id,
      event.type,
      now,
      event.payload,
      rows.length,
      pairs,
      null,
    );
    if (inserted === 0) return firstAnswer(sql, ws, event.id) as StoreResult;
    if (rows.length) sql.exec(INSERT_DELIVERIES, ws, event.id, event.type, now, pairs);
    const listed = rows.slice(0, LISTED_DELIVERIES);
    return { eventId: event.id, status: "accepted", deliveryCount: rows.length, deliveries: listed, created };
  });
}

/** A stored event as another partition hands it over: what a copy of it needs. */
export type EventToCopy = {
  id: string;
  type: string;
  payload: string;
  createdAt: number;
  copyOf: string | null;
};

/**
 * New pending deliveries of an event to these destinations, due now, in the caller's transaction. The
 * event is stored here first when it is not (a copy of an older partition's original, `copyOf`).
 */
export function addDeliveries(
  sql: SqlStorage,
  partition: Partition,
  event: EventToCopy,
  destinationIds: readonly string[],
  now = Date.now(),
): DeliveryRow[] {
  const ws = partition.workspaceUuid;
  sql.exec(INSERT_EVENT, ws, event.id, event.type, event.createdAt, event.payload, 0, "[]", event.copyOf);
  const rows = destinationIds.map((d) => newDeliveryRow(ws, d, event, idIn("dlv", partition, now), now));
  if (!rows.length) return rows;
  const added = rows.map((r): [string, string] => [r.id, r.destinationId]);
  sql.exec(INSERT_DELIVERIES, ws, event.id, event.type, now, JSON.stringify(added));
  const listed = JSON.parse(storedEvent(sql, ws, event.id)?.deliveries ?? "[]") as [string, string][];
  sql.exec(
    "UPDATE events SET deliveries = ? WHERE workspace_uuid = ? AND id = ?",
    JSON.stringify([...listed, ...added]),
    ws,
    event.id,
  );
  return rows;
}

/** Notes on an original event that another partition holds a copy of it (named by its object name). */
export function noteCopy(sql: SqlStorage, workspaceUuid: string, eventId: string, holder: string): void {
  const row = sql
    .exec("SELECT copies FROM events WHERE workspace_uuid = ? AND id = ?", workspaceUuid, eventId)
    .toArray()[0];
  if (!row) return;
  const copies = JSON.parse(String(row.copies)) as string[];
  if (copies.includes(holder)) return;
  sql.exec(
    "UPDATE events SET copies = ? WHERE workspace_uuid = ? AND id = ?",
    JSON.stringify([...copies, holder]),
    workspaceUuid,
    eventId,
  );
}
