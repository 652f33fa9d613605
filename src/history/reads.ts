// A history object's reads: the consumer's load, history pages, one delivery with its attempts, an event
// and its deliveries, the activity, and the health window. Each is one partition's part; src/history/
// client.ts runs them across partitions as over one table.

import type { DeliveryStatus } from "../db/history-schema";
import { type AttemptRow, attemptOf, type DeliveryRow, type StoredAttempt } from "../db/history-schema";
import type { DeliveryRef } from "./outcomes";
import { asDelivery, DELIVERY_COLUMNS } from "./rows";

/** What the consumer reads of a delivery to send it. */
export type DeliveryToSend = Pick<
  DeliveryRow,
  | "id"
  | "workspaceUuid"
  | "eventId"
  | "status"
  | "attemptsMade"
  | "eventType"
  | "destinationId"
  | "nextAttemptAt"
>;

export type LoadedForSend = { rows: DeliveryToSend[]; payloads: Record<string, string> };

/** The deliveries that still exist, and each one's event payload once (a fan-out shares one). */
export function loadForSend(
  sql: SqlStorage,
  workspaceUuid: string,
  refs: readonly DeliveryRef[],
): LoadedForSend {
  const rows = sql
    .exec(
      `SELECT d.id, d.workspace_uuid AS workspaceUuid, d.event_id AS eventId, d.status,
         d.attempts_made AS attemptsMade, d.event_type AS eventType, d.destination_id AS destinationId,
         d.next_attempt_at AS nextAttemptAt
       FROM json_each(?) AS j CROSS JOIN deliveries AS d ON d.destination_id = j.value ->> 0 AND d.id = j.value ->> 1`,
      JSON.stringify(refs.map((r) => [r.destinationId, r.id])),
    )
    .toArray() as unknown as DeliveryToSend[];
  const payloads: Record<string, string> = {};
  const eventIds = [...new Set(rows.map((r) => r.eventId))];
  if (eventIds.length) {
    const found = sql.exec(
      "SELECT id, payload FROM events WHERE workspace_uuid = ? AND id IN (SELECT value FROM json_each(?))",
      workspaceUuid,
      JSON.stringify(eventIds),
    );
    for (const { id, payload } of found) payloads[String(id)] = String(payload);
  }
  return { rows, payloads };
}

export type PageOptions = { before?: string; statuses?: DeliveryStatus[] };

/** One destination's deliveries here, newest first: a walk of the primary key. Up to `limit` rows. */
export function historyPage(
  sql: SqlStorage,
  destinationId: string,
  limit: number,
  o: PageOptions,
): DeliveryRow[] {
  const statuses = o.statuses?.length ? JSON.stringify(o.statuses) : null;
  return sql
    .exec(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries AS d
       WHERE d.destination_id = ?1 AND d.id < coalesce(?2, '~')
         AND (?3 IS NULL OR d.status IN (SELECT value FROM json_each(?3)))
       ORDER BY d.id DESC LIMIT ?4`,
      destinationId,
      o.before ?? null,
      statuses,
      limit,
    )
    .toArray()
    .map(asDelivery);
}

// Binds: ?1 the delivery id. Without its destination, the destinations here are walked (two seeks each:
// the next destination id, then the delivery's key under it).
const BY_ID_ALONE = `
  WITH RECURSIVE walk(destination) AS (
    SELECT min(destination_id) FROM deliveries
    UNION ALL
    SELECT (SELECT min(destination_id) FROM deliveries WHERE destination_id > walk.destination)
    FROM walk WHERE walk.destination IS NOT NULL
  )
  SELECT ${DELIVERY_COLUMNS}, d.attempts FROM walk JOIN deliveries AS d ON d.destination_id = walk.destination AND d.id = ?1`;

export type DeliveryWithAttempts = { delivery: DeliveryRow; attempts: AttemptRow[] };

/** One delivery with its attempts, oldest first; its destination when the caller knows it. */
export function deliveryWithAttempts(
  sql: SqlStorage,
  id: string,
  destinationId?: string,
): DeliveryWithAttempts | null {
  const [row] = (
    destinationId
      ? sql.exec(
          `SELECT ${DELIVERY_COLUMNS}, d.attempts FROM deliveries AS d WHERE d.destination_id = ? AND d.id = ?`,
          destinationId,
          id,
        )
      : sql.exec(BY_ID_ALONE, id)
  ).toArray();
  if (!row) return null;
  const { attempts, ...delivery } = row;
  const stored = JSON.parse(String(attempts)) as StoredAttempt[];
  return { delivery: asDelivery(delivery), attempts: stored.map((a) => attemptOf(id, a)) };
}

/** An event as stored here. */
export type StoredEventRow = {
  id: string;
  type: string;
  createdAt: number;
  payload: string;
  fanOutCount: number;
  copyOf: string | null;
  copies: string[];
  /** Its deliveries here, oldest first. */
  deliveries: DeliveryRef[];
};

export function storedEvent(sql: SqlStorage, workspaceUuid: string, id: string): StoredEventRow | null {
  const [row] = sql
    .exec(
      `SELECT id, type, created_at AS createdAt, payload, fan_out_count AS fanOutCount, copy_of AS copyOf,
         copies, deliveries FROM events WHERE workspace_uuid = ? AND id = ?`,
      workspaceUuid,
      id,
    )
    .toArray();
  if (!row) return null;
  return {
    ...(row as unknown as StoredEventRow),
    copies: JSON.parse(String(row.copies)) as string[],
    deliveries: (JSON.parse(String(row.deliveries)) as [string, string][]).map(([id, destinationId]) => ({
      id,
      destinationId,
    })),
  };
}

/** An operational event, as the activity lists it. */
export type ActivityRow = { id: string; type: string; payload: string; createdAt: number };

/**
 * The operational events here, newest first, through the partial index events_operational (named: the
 * planner would walk the primary key through every contact event). A destination's own are found among
 * them (a state change each, so few) by their payload.
 */
export function activity(
  sql: SqlStorage,
  limit: number,
  o: { before?: string; destinationId?: string },
): ActivityRow[] {
  return sql
    .exec(
      `SELECT id, type, payload, created_at AS createdAt FROM events INDEXED BY events_operational
       WHERE type IN ('destination.failing', 'destination.recovered', 'destination.disabled', 'delivery.exhausted')
         AND copy_of IS NULL AND id < coalesce(?1, '~') AND (?2 IS NULL OR payload ->> '$.destination.id' = ?2)
       ORDER BY id DESC LIMIT ?3`,
      o.before ?? null,
      o.destinationId ?? null,
      limit,
    )
    .toArray() as unknown as ActivityRow[];
}

/** A delivery as the health figures read it: its status and its last attempt's duration. */
export type HealthSample = { status: DeliveryStatus; duration_ms: number | null };

/** Each destination's newest deliveries here, up to `window` each, newest first. */
export function healthSamples(
  sql: SqlStorage,
  destinationIds: readonly string[],
  window: number,
): Record<string, HealthSample[]> {
  const samples: Record<string, HealthSample[]> = {};
  for (const id of destinationIds)
    samples[id] = sql
      .exec(
        `SELECT status, attempts ->> '$[#-1][7]' AS duration_ms FROM deliveries
         WHERE destination_id = ? ORDER BY id DESC LIMIT ?`,
        id,
        window,
      )
      .toArray() as unknown as HealthSample[];
  return samples;
}

/** An event as the census lists it: never its payload. */
export type CensusEvent = { id: string; type: string; createdAt: number; copyOf: string | null };
/** An attempt as the census lists it: its outcome, never its request or response. */
export type CensusAttempt = Pick<
  AttemptRow,
  "deliveryId" | "number" | "startedAt" | "responseStatus" | "errorClass" | "durationMs"
>;
/** One partition in brief: its events, its deliveries, and their attempts (by delivery, oldest first). */
export type Census = [CensusEvent[], DeliveryRow[], CensusAttempt[]];

/** Every event, delivery and attempt here, in brief (whole tables: for checks, never for a request). */
export function census(sql: SqlStorage): Census {
  const events = sql
    .exec("SELECT id, type, created_at AS createdAt, copy_of AS copyOf FROM events")
    .toArray() as unknown as CensusEvent[];
  const deliveries = sql.exec(`SELECT ${DELIVERY_COLUMNS} FROM deliveries AS d`).toArray().map(asDelivery);
  const attempts = sql
    .exec(
      `SELECT delivery_id AS deliveryId, number, started_at AS startedAt, response_status AS responseStatus,
         error_class AS errorClass, duration_ms AS durationMs FROM attempts ORDER BY delivery_id, number`,
    )
    .toArray() as unknown as CensusAttempt[];
  return [events, deliveries, attempts];
}
