// What a workspace's own Durable Object keeps (src/lifecycle/workspace-object.ts, docs/storage.md): the
// state of its destinations' health, the operational events it has still to store, its recoveries in
// bulk, and the list of its history partitions. One object per workspace; D1 keeps none of this. What the
// object runs is src/db/workspace-migrations/, generated from this file by `npm run db:generate:workspace`.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { DeliveryStatus } from "./history-schema";

export const SEND_PATHS = ["direct", "lane"] as const;
export type SendPath = (typeof SEND_PATHS)[number];

/**
 * A destination's run of failures and what was announced about it (docs/flow-control.md, docs/lifecycle.md).
 * No row is a destination that has never failed and sends through its lane: what every new one is.
 */
export const destinationHealth = sqliteTable("destination_health", {
  destinationId: text("destination_id").primaryKey(),
  // Whether the consumer sends this destination's deliveries itself ("direct": it has answered quickly
  // and well) or hands them to the destination's own lane, where trouble costs nobody else.
  sendPath: text("send_path", { enum: SEND_PATHS }).notNull().default("lane"),
  // The run of failed attempts (timeout, network_error, http_status) since the last success, and when
  // its first one started; FAILING_AFTER of them make the destination failing (src/rules/flow-control.ts).
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  failuresSince: integer("failures_since"),
  // While failing: when the lane sends its next probe (shown on the dashboard).
  nextProbeAt: integer("next_probe_at"),
  // The failing_since that destination.failing announced (null: nothing announced), and
  // delivery.exhausted's hourly throttle with the failures it held back.
  failingAnnouncedSince: integer("failing_announced_since"),
  exhaustedAnnouncedAt: integer("exhausted_announced_at"),
  exhaustedUnannounced: integer("exhausted_unannounced").notNull().default(0),
  // When it was disabled (D1's `enabled` says so too): a disabled destination is not disabled again by its
  // run of failures. Enabling it deletes its row. Added in workspace migration 0001.
  disabledAt: integer("disabled_at"),
});

/**
 * Operational events decided but not yet stored in a history partition (a transactional outbox): written
 * in the same transaction as the state change they announce, deleted once stored and queued.
 */
export const outbox = sqliteTable("outbox", {
  // The operational event's id.
  id: text("id").primaryKey(),
  // What to do: `announce` stores the event; `disable` first disables the destination in D1.
  action: text("action", { enum: ["announce", "disable"] }).notNull(),
  // The event as src/lifecycle/announcements.ts builds it.
  body: text("body", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer("created_at").notNull(),
});

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
    workspaceUuid: text("workspace_uuid").notNull(),
    destinationId: text("destination_id").notNull(),
    since: integer("since").notNull(),
    until: integer("until").notNull(),
    statuses: text("statuses", { mode: "json" }).$type<(typeof RECOVERABLE_STATUSES)[number][]>().notNull(),
    status: text("status", { enum: RECOVERY_STATUSES }).notNull().default("running"),
    total: integer("total").notNull(),
    sent: integer("sent").notNull().default(0),
    cursor: text("cursor"),
    createdAt: integer("created_at").notNull(),
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

/** The workspace's history partitions that have been written (src/history/partitions.ts). */
export const partitions = sqliteTable(
  "partitions",
  {
    start: integer("start").notNull(),
    seconds: integer("seconds").notNull(),
    registeredAt: integer("registered_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.start, t.seconds] })],
);

export type HealthRow = typeof destinationHealth.$inferSelect;
export type RecoveryRow = typeof recoveries.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
