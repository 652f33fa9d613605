// The control plane, as drizzle tables in D1: workspaces, API keys, destinations and their subscriptions
// (the dashboard's own tables are in dashboard-schema.ts). A workspace's history is not here: it lives in
// its history objects (history-schema.ts) and its workspace object (workspace-schema.ts), docs/storage.md.
// The code's queries and row types come from these declarations. What D1 runs is migrations/, in order.
// drizzle-kit (`npm run db:generate`) generated 0000, 0001, 0002, 0004 and 0005 from these two files;
// its journal and snapshots in migrations/meta stop at 0005. 0003 (a table rebuild that keeps every
// row) and 0006–0011 (added columns, partial indexes, a data update) were written by hand, and each of
// their changes is declared here by hand too (0012 dropped the history tables D1 used to keep). A change to a table therefore means a hand-written
// migration and the same change here: `db:generate` would now write a migration repeating 0006–0011.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
    // (Its run of failures and send path are the workspace's object's: src/db/workspace-schema.ts.)
    rateLimitPerSecond: integer("rate_limit_per_second"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    // Ids are time-ordered (UUIDv7), so (workspace, id) serves the newest-first cursor list.
    index("destinations_workspace_id").on(t.workspaceUuid, t.id),
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

export type KeyValue = { key: string; value: string };
export type DestinationRow = typeof destinations.$inferSelect;
