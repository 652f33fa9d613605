// A workspace's history, as its history objects keep it (src/history): one SQLite database per workspace
// and time partition, in a Durable Object that holds that workspace alone (docs/storage.md). What each
// object runs is src/db/history-migrations/, generated from this file by `npm run db:generate:history`.
//
// Every row costs as few rows written as it can: a first-try delivery is one insert and one update
// (its attempts live in its own row, not a table of their own), and the event is one insert for all its
// deliveries. Both tables are WITHOUT ROWID (added to the generated SQL by hand; drizzle cannot say it),
// so the primary key is the table and no index entry is written beside a row.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, sqliteView, text } from "drizzle-orm/sqlite-core";

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed", "skipped"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const ERROR_CLASSES = [
  "timeout",
  "network_error",
  "http_status",
  "destination_blocked",
  "template_error",
  // An unexpected error on our side while preparing or sending one delivery; retried on the schedule.
  "internal_error",
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** The operational event types, as the activity's partial index lists them (src/events/catalog.ts). */
const OPERATIONAL_SQL = `'destination.failing', 'destination.recovered', 'destination.disabled', 'delivery.exhausted'`;

export const events = sqliteTable(
  "events",
  {
    workspaceUuid: text("workspace_uuid").notNull(),
    // The event's id everywhere it is shown: the client's own when it sent one, else one we make (`evt_…`).
    id: text("id").notNull(),
    type: text("type").notNull(),
    createdAt: integer("created_at").notNull(),
    // The full event payload (the template context), exactly as receivers get it by default.
    payload: text("payload").notNull(),
    // How many of `deliveries` its ingest made (the ingest's answer counts them; later ones are replays).
    fanOutCount: integer("fan_out_count").notNull().default(0),
    // On a copy (a replay or redelivery stored in a later partition): the partition of the original.
    copyOf: text("copy_of"),
    // On an original: the partitions that hold copies, so its deliveries are all found from it.
    copies: text("copies", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    // Every delivery of the event in this object, oldest first: [delivery id, destination id]. Last, so a
    // read of the payload never reads it (SQLite stops at the last column it needs).
    deliveries: text("deliveries", { mode: "json" }).$type<[string, string][]>().notNull().default(sql`'[]'`),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceUuid, t.id] }),
    // The workspace's activity: its operational events, originals only (a copy is the same event again).
    index("events_operational")
      .on(t.id)
      .where(sql.raw(`type IN (${OPERATIONAL_SQL}) AND copy_of IS NULL`)),
  ],
);

/**
 * An attempt as stored inside its delivery's row, by position: number, started at, method, URL, request
 * headers, response status, response excerpt, duration, error class, error message.
 */
export type StoredAttempt = [
  number,
  number,
  string,
  string,
  StoredRequestHeaders,
  number | null,
  string | null,
  number,
  ErrorClass | null,
  string | null,
];

export const deliveries = sqliteTable(
  "deliveries",
  {
    destinationId: text("destination_id").notNull(),
    // `dlv_` + 12 hex digits of its creation ms, its partition's length, then random: ids sort by age and
    // name their partition (src/history/ids.ts).
    id: text("id").notNull(),
    workspaceUuid: text("workspace_uuid").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    // The highest attempt number recorded; a queue message for an attempt at or below it is a duplicate.
    attemptsMade: integer("attempts_made").notNull().default(0),
    // When the next attempt is due. Equal to created_at until the first attempt is recorded.
    nextAttemptAt: integer("next_attempt_at"),
    // When its destination's lane (src/flow/lane.ts) will send it; a delivery the lane holds has no
    // next_attempt_at, so the recovery sweep leaves it alone.
    laneDueAt: integer("lane_due_at"),
    // Why the delivery stopped without success, in words (410, dead-lettered, skipped…).
    statusReason: text("status_reason"),
    deadLetteredAt: integer("dead_lettered_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    // Its attempts, oldest first (StoredAttempt). Last, for the reason `events.deliveries` is.
    attempts: text("attempts", { mode: "json" }).$type<StoredAttempt[]>().notNull().default(sql`'[]'`),
  },
  (t) => [
    // History, newest first, is a walk of the key; one delivery is found by its destination and id.
    primaryKey({ columns: [t.destinationId, t.id] }),
    // The recovery sweep: pending deliveries that were attempted, or claimed, and are due. A delivery not
    // yet attempted is not in it (next_attempt_at = created_at), so a first-try success never touches it.
    index("deliveries_due")
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending' AND next_attempt_at <> created_at`),
  ],
);

/** The attempts as a table, for reading by hand (an operator's SQL, the tests): one row per attempt. */
export const attempts = sqliteView("attempts").as((qb) =>
  qb
    .select({
      deliveryId: sql<string>`d.id`.as("delivery_id"),
      number: sql<number>`a.value ->> 0`.as("number"),
      startedAt: sql<number>`a.value ->> 1`.as("started_at"),
      method: sql<string>`a.value ->> 2`.as("method"),
      url: sql<string>`a.value ->> 3`.as("url"),
      requestHeaders: sql<string>`a.value -> 4`.as("request_headers"),
      responseStatus: sql<number | null>`a.value ->> 5`.as("response_status"),
      responseBody: sql<string | null>`a.value ->> 6`.as("response_body"),
      durationMs: sql<number>`a.value ->> 7`.as("duration_ms"),
      errorClass: sql<string | null>`a.value ->> 8`.as("error_class"),
      errorMessage: sql<string | null>`a.value ->> 9`.as("error_message"),
    })
    .from(sql`deliveries AS d, json_each(d.attempts) AS a`),
);

/**
 * An attempt's request headers as stored: the list itself when nothing was sent (`[]`), or, for a sent
 * request, only its `rendered` headers (names lower-cased, credentials redacted). The headers Leadpush
 * adds follow from the delivery (its id and event type), the attempt (its start second is the
 * timestamp) and src/rules/signature.ts, which restores them on read.
 */
export type StoredRequestHeaders = [string, string][] | { rendered: [string, string][] };

export type DeliveryRow = Omit<typeof deliveries.$inferSelect, "attempts">;

/** An attempt, as recorded and as read: the one shape send, attempt and record share (src/dispatch). */
export type AttemptRow = {
  deliveryId: string;
  number: number;
  startedAt: number;
  method: string;
  url: string;
  requestHeaders: StoredRequestHeaders;
  responseStatus: number | null;
  responseBody: string | null;
  durationMs: number;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
};

/** An attempt in its stored form, and back. */
export const storedAttempt = (a: AttemptRow): StoredAttempt => [
  a.number,
  a.startedAt,
  a.method,
  a.url,
  a.requestHeaders,
  a.responseStatus,
  a.responseBody,
  a.durationMs,
  a.errorClass,
  a.errorMessage,
];

export const attemptOf = (deliveryId: string, s: StoredAttempt): AttemptRow => ({
  deliveryId,
  number: s[0],
  startedAt: s[1],
  method: s[2],
  url: s[3],
  requestHeaders: s[4],
  responseStatus: s[5],
  responseBody: s[6],
  durationMs: s[7],
  errorClass: s[8],
  errorMessage: s[9],
});
