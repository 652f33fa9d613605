// The records of the service, as drizzle tables; the dashboard's own tables are in dashboard-schema.ts.
// The code's queries and row types come from these declarations. What D1 runs is migrations/, in order.
// drizzle-kit (`npm run db:generate`) generated 0000, 0001, 0002, 0004 and 0005 from these two files;
// its journal and snapshots in migrations/meta stop at 0005. 0003 (a table rebuild that keeps every
// row) and 0006–0011 (added columns, partial indexes, a data update) were written by hand, and each of
// their changes is declared here by hand too. A change to a table therefore means a hand-written
// migration and the same change here: `db:generate` would now write a migration repeating 0006–0011.
import { sql } from "drizzle-orm";
import {
  check,
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

// Times are unix milliseconds: they sort, compare and index as integers; the API renders ISO 8601.
const createdAt = () => integer("created_at").notNull();

export const workspaces = sqliteTable("workspaces", {
  uuid: text("uuid").primaryKey(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    workspaceUuid: text("workspace_uuid")
      .notNull()
      .references(() => workspaces.uuid, { onDelete: "cascade" }),
    // SHA-256 of the key: keys are 256-bit random, so a fast hash is enough and lookups stay O(1).
    keyHash: text("key_hash").notNull(),
    createdAt: createdAt(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_key_hash").on(t.keyHash), index("api_keys_workspace").on(t.workspaceUuid)],
);

export const SEND_PATHS = ["direct", "lane"] as const;

/** The HTTP methods a destination may send with: the column's enum, the API's and the form's choices. */
export const DESTINATION_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export const destinations = sqliteTable(
  "destinations",
  {
    id: text("id").primaryKey(),
    workspaceUuid: text("workspace_uuid")
      .notNull()
      .references(() => workspaces.uuid, { onDelete: "cascade" }),
    name: text("name").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    method: text("method", { enum: DESTINATION_METHODS }).notNull(),
    urlTemplate: text("url_template").notNull(),
    // Ordered [{ key, value }] lists, kept as JSON text: they are always read and written whole.
    headersTemplate: text("headers_template", { mode: "json" })
      .$type<KeyValue[]>()
      .notNull()
      .default(sql`'[]'`),
    queryTemplate: text("query_template", { mode: "json" }).$type<KeyValue[]>().notNull().default(sql`'[]'`),
    bodyTemplate: text("body_template"),
    timeoutSeconds: integer("timeout_seconds").notNull().default(10),
    // Signing secret: AES-GCM ciphertext bound to this row's id; never plaintext.
    secretCiphertext: text("secret_ciphertext").notNull(),
    secretHint: text("secret_hint").notNull(),
    secretVersion: integer("secret_version").notNull().default(1),
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    disabledReason: text("disabled_reason"),
    // The subscription's filter (docs/filters.md) as the API took it, checked at save time; null: none.
    filter: text("filter", { mode: "json" }).$type<Record<string, unknown>>(),
    // The filter's equality key (src/filters/key.ts), written with it; copied onto the subscriptions.
    filterKeyPath: text("filter_key_path"),
    filterKeyValue: text("filter_key_value"),
    // Flow control (docs/flow-control.md). At most this many requests start per second; null: no limit.
    rateLimitPerSecond: integer("rate_limit_per_second"),
    // Whether the consumer sends this destination's deliveries itself ("direct": it has answered quickly
    // and well) or hands them to the destination's own lane, where trouble costs nobody else.
    sendPath: text("send_path", { enum: SEND_PATHS }).notNull().default("lane"),
    // The run of failed attempts (timeout, network_error, http_status) since the last success, and when
    // its first one started; FAILING_AFTER of them make the destination failing (src/rules/flow-control.ts).
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    failuresSince: integer("failures_since"),
    // While failing: when the lane sends its next probe (shown on the dashboard).
    nextProbeAt: integer("next_probe_at"),
    // The failure lifecycle (src/lifecycle): the failing_since that destination.failing announced (null:
    // nothing announced), and delivery.exhausted's hourly throttle with the failures it held back.
    failingAnnouncedSince: integer("failing_announced_since"),
    exhaustedAnnouncedAt: integer("exhausted_announced_at"),
    exhaustedUnannounced: integer("exhausted_unannounced").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    // Ids are time-ordered (UUIDv7), so (workspace, id) serves the newest-first cursor list.
    index("destinations_workspace_id").on(t.workspaceUuid, t.id),
    index("destinations_failing").on(t.failuresSince).where(sql`${t.failuresSince} IS NOT NULL`),
    check("destinations_timeout_range", sql`${t.timeoutSeconds} BETWEEN 1 AND 30`),
  ],
);

export const subscriptions = sqliteTable(
  "destination_event_types",
  {
    destinationId: text("destination_id")
      .notNull()
      .references(() => destinations.id, { onDelete: "cascade" }),
    workspaceUuid: text("workspace_uuid").notNull(),
    eventType: text("event_type").notNull(),
    // The destination's filter as the fan-out selects by it, kept equal to the destination row by every
    // write (src/destinations/store.ts): 0 no filter, 1 a filter with an equality key (path, value), 2 a
    // filter without one.
    filterKind: integer("filter_kind").notNull().default(0),
    filterPath: text("filter_path"),
    filterValue: text("filter_value"),
  },
  (t) => [
    primaryKey({ columns: [t.destinationId, t.eventType] }),
    // Fan-out reads exactly the rows it needs of one workspace and type: the unfiltered ones, the keyed
    // ones whose key the event meets, and the filtered ones without a key (src/events/filtered-fanout.ts).
    index("subscriptions_fanout").on(
      t.workspaceUuid,
      t.eventType,
      t.filterKind,
      t.filterPath,
      t.filterValue,
      t.destinationId,
    ),
  ],
);

// Events, deliveries and attempts are WITHOUT ROWID tables (set in their migration; drizzle cannot say
// it): the primary key is the table, so a row costs one write, not a row plus a key index.
export const events = sqliteTable(
  "events",
  {
    workspaceUuid: text("workspace_uuid")
      .notNull()
      .references(() => workspaces.uuid, { onDelete: "cascade" }),
    // The event's id everywhere it is shown: the client's own id when it sent one (the idempotency key
    // of ingestion), else one we make (`evt_…`). Unique within the workspace.
    id: text("id").notNull(),
    type: text("type").notNull(),
    // The full event payload (the template context), exactly as receivers get it by default.
    payload: text("payload").notNull(),
    // 1 from the ingest's transaction until the deliveries of its filtered destinations are written
    // (src/events/filtered-fanout.ts): the one step of a fan-out that runs after the event is stored.
    filtersPending: integer("filters_pending").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceUuid, t.id] }),
    // The retention purge finds old events by age.
    index("events_created_at").on(t.createdAt),
    // The cron finishes a filtered fan-out that its ingest left half done.
    index("events_filters_pending").on(t.createdAt).where(sql`filters_pending = 1`),
    // The workspace's activity: its operational events only (src/lifecycle/activity.ts).
    index("events_operational")
      .on(t.workspaceUuid, t.id)
      .where(
        sql`type IN ('destination.failing', 'destination.recovered', 'destination.disabled', 'delivery.exhausted')`,
      ),
  ],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed", "skipped"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const deliveries = sqliteTable(
  "deliveries",
  {
    // UUIDv7-shaped (`dlv_` + 12 hex digits of creation ms + random): ids sort by age, so history pages
    // and the retention purge walk the primary key.
    id: text("id").primaryKey(),
    workspaceUuid: text("workspace_uuid").notNull(),
    destinationId: text("destination_id")
      .notNull()
      .references(() => destinations.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    // The highest attempt number recorded; a queue message for an attempt at or below it is a duplicate.
    attemptsMade: integer("attempts_made").notNull().default(0),
    // When the next attempt is due. Equal to created_at until the first attempt is recorded.
    nextAttemptAt: integer("next_attempt_at"),
    // When its destination's lane (src/flow/lane.ts) will send it. A delivery the lane holds has no
    // next_attempt_at, so the recovery sweep leaves it alone; this is its due time for the API to show.
    laneDueAt: integer("lane_due_at"),
    // Why the delivery stopped without success, in words (410, dead-lettered, skipped…).
    statusReason: text("status_reason"),
    deadLetteredAt: integer("dead_lettered_at"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    foreignKey({
      columns: [t.workspaceUuid, t.eventId],
      foreignColumns: [events.workspaceUuid, events.id],
    }).onDelete("cascade"),
    // History, newest first (a status filter reads the same walk), and the cascade from a destination.
    index("deliveries_destination").on(t.destinationId, t.id),
    // An event's deliveries: the idempotent replay of an ingest, and the cascade from an event.
    index("deliveries_event").on(t.workspaceUuid, t.eventId),
    // The recovery sweep: pending deliveries that were attempted, or claimed, and are due. A delivery not
    // yet attempted is not in it (next_attempt_at = created_at), so a first-try success never touches it.
    index("deliveries_due")
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending' AND next_attempt_at <> created_at`),
  ],
);

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

/**
 * An attempt's request headers as stored: the list itself when nothing was sent (`[]`), or, for a sent
 * request, only its `rendered` headers (names lower-cased, credentials redacted). The headers Leadpush
 * adds follow from the delivery (its id and event type), the attempt (its start second is the
 * timestamp) and src/rules/signature.ts, which restores them on read: about 250 bytes less per attempt.
 * Attempts recorded before this form store the whole list.
 */
export type StoredRequestHeaders = [string, string][] | { rendered: [string, string][] };

export const attempts = sqliteTable(
  "attempts",
  {
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    startedAt: integer("started_at").notNull(),
    method: text("method").notNull(),
    url: text("url").notNull(),
    requestHeaders: text("request_headers", { mode: "json" }).$type<StoredRequestHeaders>().notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    durationMs: integer("duration_ms").notNull(),
    errorClass: text("error_class", { enum: ERROR_CLASSES }),
    errorMessage: text("error_message"),
  },
  // One record per attempt number: a redelivered queue message cannot write a second one.
  (t) => [primaryKey({ columns: [t.deliveryId, t.number] })],
);

export const RECOVERABLE_STATUSES = ["failed", "skipped"] as const satisfies readonly DeliveryStatus[];
export const RECOVERY_STATUSES = ["running", "finished", "cancelled"] as const;

/**
 * A recovery in bulk (src/lifecycle/recovery.ts): a destination's failed and skipped deliveries created in
 * [since, until) re-opened in chunks. `cursor` is the last delivery id re-opened; `sent` counts those
 * re-opened and queued. The partial unique index lets one run per destination at a time.
 */
export const recoveries = sqliteTable(
  "recoveries",
  {
    id: text("id").primaryKey(),
    workspaceUuid: text("workspace_uuid")
      .notNull()
      .references(() => workspaces.uuid, { onDelete: "cascade" }),
    destinationId: text("destination_id")
      .notNull()
      .references(() => destinations.id, { onDelete: "cascade" }),
    since: integer("since").notNull(),
    until: integer("until").notNull(),
    statuses: text("statuses", { mode: "json" }).$type<(typeof RECOVERABLE_STATUSES)[number][]>().notNull(),
    status: text("status", { enum: RECOVERY_STATUSES }).notNull().default("running"),
    total: integer("total").notNull(),
    sent: integer("sent").notNull().default(0),
    cursor: text("cursor"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
    // Why a recovery stopped before its end (the destination was disabled).
    reason: text("reason"),
  },
  (t) => [
    uniqueIndex("recoveries_running").on(t.destinationId).where(sql`status = 'running'`),
    index("recoveries_destination").on(t.destinationId, t.id),
  ],
);

export type KeyValue = { key: string; value: string };
export type DestinationRow = typeof destinations.$inferSelect;
export type DeliveryRow = typeof deliveries.$inferSelect;
/** An attempt, as recorded and as read: the one shape send, attempt and record share (src/dispatch). */
export type AttemptRow = typeof attempts.$inferSelect;
export type RecoveryRow = typeof recoveries.$inferSelect;
