// Destination records in D1: every read and write is scoped to the workspace that asked.
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { type Database, statement } from "../db/client";
import { destinations, subscriptions } from "../db/schema";
import type { EventType } from "../events/catalog";
import { filterKeyColumns } from "../filters/key";
import { type Announced, Announcements } from "../lifecycle/announce";
import { manualDisableAnnouncement } from "../lifecycle/transitions";
import { type DestinationUpdateInput, destinationJson } from "./schema";
import { settingsColumns } from "./settings";

const subscriptionRows = (workspaceUuid: string, destinationId: string, types: readonly EventType[]) =>
  types.map((eventType) => ({ destinationId, workspaceUuid, eventType }));

/**
 * Copies the destination's filter, as the fan-out selects by it, onto its subscriptions. Every write of a
 * filter or of subscriptions ends with it in the same transaction, so the two never disagree.
 */
const syncSubscriptions = (db: Database, destinationId: string) =>
  db
    .update(subscriptions)
    .set({
      filterKind: sql`(SELECT CASE WHEN d.filter IS NULL THEN 0 WHEN d.filter_key_path IS NULL THEN 2 ELSE 1 END
        FROM ${destinations} AS d WHERE d.id = ${destinationId})`,
      filterPath: sql`(SELECT d.filter_key_path FROM ${destinations} AS d WHERE d.id = ${destinationId})`,
      filterValue: sql`(SELECT d.filter_key_value FROM ${destinations} AS d WHERE d.id = ${destinationId})`,
    })
    .where(eq(subscriptions.destinationId, destinationId));

export async function insertDestination(
  db: Database,
  row: typeof destinations.$inferInsert,
  eventTypes: readonly EventType[],
): Promise<void> {
  const insert = db.insert(destinations).values(row);
  const subs = subscriptionRows(row.workspaceUuid, row.id, eventTypes);
  // One batch is one D1 transaction: the destination and its subscriptions land together or not at all.
  if (subs.length)
    await db.batch([insert, db.insert(subscriptions).values(subs), syncSubscriptions(db, row.id)]);
  else await insert;
}

export async function findDestination(db: Database, workspaceUuid: string, id: string) {
  const row = await db
    .select()
    .from(destinations)
    .where(and(eq(destinations.workspaceUuid, workspaceUuid), eq(destinations.id, id)))
    .get();
  if (!row) return null;
  return { row, eventTypes: await eventTypesOf(db, [id]).then((m) => m.get(id) ?? []) };
}

async function eventTypesOf(db: Database, ids: string[]): Promise<Map<string, string[]>> {
  const byDestination = new Map<string, string[]>();
  if (!ids.length) return byDestination;
  const rows = await db
    .select({ destinationId: subscriptions.destinationId, eventType: subscriptions.eventType })
    .from(subscriptions)
    .where(inArray(subscriptions.destinationId, ids));
  for (const { destinationId, eventType } of rows) {
    byDestination.set(destinationId, [...(byDestination.get(destinationId) ?? []), eventType]);
  }
  return byDestination;
}

export async function listDestinations(db: Database, workspaceUuid: string, limit: number, before?: string) {
  const rows = await db
    .select()
    .from(destinations)
    .where(
      and(eq(destinations.workspaceUuid, workspaceUuid), before ? lt(destinations.id, before) : undefined),
    )
    .orderBy(desc(destinations.id))
    .limit(limit + 1);
  const types = await eventTypesOf(
    db,
    rows.slice(0, limit).map((r) => r.id),
  );
  return rows.map((row) => destinationJson(row, types.get(row.id) ?? []));
}

/** Re-enabling a disabled destination starts its record afresh: no run of failures, nothing announced. */
const AFRESH_WHEN_ENABLED = {
  consecutiveFailures: sql`CASE WHEN ${destinations.enabled} = 0 THEN 0 ELSE ${destinations.consecutiveFailures} END`,
  failuresSince: sql`CASE WHEN ${destinations.enabled} = 0 THEN NULL ELSE ${destinations.failuresSince} END`,
  nextProbeAt: sql`CASE WHEN ${destinations.enabled} = 0 THEN NULL ELSE ${destinations.nextProbeAt} END`,
  failingAnnouncedSince: sql`CASE WHEN ${destinations.enabled} = 0 THEN NULL ELSE ${destinations.failingAnnouncedSince} END`,
};

/**
 * Applies a partial update in one transaction; null when the destination does not exist (any more),
 * else what it announced (a disable by hand: destination.disabled, docs/lifecycle.md) for the caller
 * to queue.
 */
export async function updateDestination(
  db: Database,
  workspaceUuid: string,
  id: string,
  patch: DestinationUpdateInput,
): Promise<Announced | null> {
  const scope = and(eq(destinations.workspaceUuid, workspaceUuid), eq(destinations.id, id));
  const update = db
    .update(destinations)
    .set({
      ...settingsColumns(patch),
      // Turning a destination back on clears why it was turned off, and its old run of failures.
      ...(patch.enabled === true ? { disabledReason: null, ...AFRESH_WHEN_ENABLED } : {}),
      ...(patch.filter === undefined ? {} : filterKeyColumns(patch.filter)),
      updatedAt: Date.now(),
    })
    .where(scope)
    .returning({ id: destinations.id });
  const queries: { toSQL(): { sql: string; params: unknown[] } }[] = [update];
  if (patch.event_types) {
    queries.push(
      db
        .delete(subscriptions)
        .where(and(eq(subscriptions.workspaceUuid, workspaceUuid), eq(subscriptions.destinationId, id))),
    );
    const subs = subscriptionRows(workspaceUuid, id, patch.event_types);
    if (subs.length) queries.push(db.insert(subscriptions).values(subs));
  }
  if (patch.filter !== undefined || patch.event_types?.length) queries.push(syncSubscriptions(db, id));
  // Announced before the update that disables it, while the guard still sees it enabled.
  const announcements = new Announcements(db.$client);
  if (patch.enabled === false) announcements.add(manualDisableAnnouncement, [[id, workspaceUuid]]);
  const announcing = announcements.statements();
  try {
    const results = await db.$client.batch([...announcing, ...queries.map((q) => statement(db, q))]);
    if (results[announcing.length]?.results.length !== 1) return null;
    return announcements.read(results.slice(0, announcing.length));
  } catch (error) {
    // A delete that raced this update makes the subscription insert fail its foreign key.
    if (String(error).includes("FOREIGN KEY")) return null;
    throw error;
  }
}

/** Deletes the destination; its subscriptions (and deliveries) go with it by ON DELETE CASCADE. */
export async function deleteDestination(db: Database, workspaceUuid: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(destinations)
    .where(and(eq(destinations.workspaceUuid, workspaceUuid), eq(destinations.id, id)))
    .returning({ id: destinations.id });
  return deleted.length === 1;
}

export async function countDestinations(db: Database, workspaceUuid: string): Promise<number> {
  return db.$count(destinations, eq(destinations.workspaceUuid, workspaceUuid));
}

/** The names of those of `ids` that are this workspace's destinations: id → name. */
export async function destinationNames(db: Database, workspaceUuid: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await db
    .select({ id: destinations.id, name: destinations.name })
    .from(destinations)
    .where(and(eq(destinations.workspaceUuid, workspaceUuid), inArray(destinations.id, ids)));
  return new Map(rows.map((row) => [row.id, row.name]));
}
