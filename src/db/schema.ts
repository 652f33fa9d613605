// The records of the service. Migrations in migrations/ are generated from this file
// (`npm run db:generate`), so it is the single source of truth for what is stored.
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

export const destinations = sqliteTable(
  "destinations",
  {
    id: text("id").primaryKey(),
    workspaceUuid: text("workspace_uuid")
      .notNull()
      .references(() => workspaces.uuid, { onDelete: "cascade" }),
    name: text("name").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    method: text("method", { enum: ["GET", "POST", "PUT", "PATCH", "DELETE"] }).notNull(),
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
  },
  (t) => [
    primaryKey({ columns: [t.destinationId, t.eventType] }),
    // Fan-out reads exactly the subscribed rows of one workspace and type.
    index("subscriptions_fanout").on(t.workspaceUuid, t.eventType, t.destinationId),
  ],
);

export type KeyValue = { key: string; value: string };
export type DestinationRow = typeof destinations.$inferSelect;
