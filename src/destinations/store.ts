// Destination records in D1: every read and write is scoped to the workspace that asked.
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { type Database, database, statement } from "../db/client";
import { destinations, subscriptions } from "../db/schema";
import type { HealthRow } from "../db/workspace-schema";
import type { EventType } from "../events/catalog";
import { forgetSubscriptions } from "../events/subscriptions";
import { filterKeyColumns } from "../filters/key";
import { HistoryView } from "../history/client";
import { destinationJson } from "./json";
import type { DestinationUpdateInput } from "./schema";
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
  forgetSubscriptions(row.workspaceUuid);
}

/** The destinations' health, from their workspace's object (the run of failures is not D1's). */
export async function healthOf(
  env: Env,
  workspaceUuid: string,
  ids: string[],
): Promise<Record<string, HealthRow>> {
  return ids.length ? env.WORKSPACE.getByName(workspaceUuid).health(ids) : {};
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

/** A destination of the workspace in its API shape, with its health; null when there is none. */
export async function readDestination(env: Env, workspaceUuid: string, id: string) {
  const [found, health] = await Promise.all([
    findDestination(database(env.DB), workspaceUuid, id),
    healthOf(env, workspaceUuid, [id]),
  ]);
  return found ? destinationJson(found.row, found.eventTypes, health[id]) : null;
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

export async function listDestinations(env: Env, workspaceUuid: string, limit: number, before?: string) {
  const db = database(env.DB);
  const rows = await db
    .select()
    .from(destinations)
    .where(
      and(eq(destinations.workspaceUuid, workspaceUuid), before ? lt(destinations.id, before) : undefined),
    )
    .orderBy(desc(destinations.id))
    .limit(limit + 1);
  const ids = rows.slice(0, limit).map((r) => r.id);
  const [types, health] = await Promise.all([eventTypesOf(db, ids), healthOf(env, workspaceUuid, ids)]);
  return rows.map((row) => destinationJson(row, types.get(row.id) ?? [], health[row.id]));
}

/** What an update changed about whether the destination sends. */
export type Updated = { wasEnabled: boolean; enabled: boolean; name: string; urlTemplate: string };

/**
 * Applies a partial update in one transaction; null when the destination does not exist (any more). Its
 * workspace's object then hears of a change of `enabled` (the caller's part: src/destinations/save.ts).
 */
export async function updateDestination(
  db: Database,
  workspaceUuid: string,
  id: string,
  patch: DestinationUpdateInput,
): Promise<Updated | null> {
  const scope = and(eq(destinations.workspaceUuid, workspaceUuid), eq(destinations.id, id));
  const before = db.select({ enabled: destinations.enabled }).from(destinations).where(scope);
  const update = db
    .update(destinations)
    .set({
      ...settingsColumns(patch),
      // Turning a destination back on clears why it was turned off.
      ...(patch.enabled === true ? { disabledReason: null } : {}),
      ...(patch.filter === undefined ? {} : filterKeyColumns(patch.filter)),
      updatedAt: Date.now(),
    })
    .where(scope)
    .returning({
      enabled: destinations.enabled,
      name: destinations.name,
      urlTemplate: destinations.urlTemplate,
    });
  const queries: { toSQL(): { sql: string; params: unknown[] } }[] = [before, update];
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
  try {
    const [read, written] = await db.$client.batch(queries.map((q) => statement(db, q)));
    forgetSubscriptions(workspaceUuid);
    const was = read?.results[0] as { enabled: number } | undefined;
    const now = written?.results[0] as { enabled: number; name: string; urlTemplate: string } | undefined;
    if (!was || !now) return null;
    return {
      wasEnabled: was.enabled === 1,
      enabled: now.enabled === 1,
      name: now.name,
      urlTemplate: now.urlTemplate,
    };
  } catch (error) {
    // A delete that raced this update makes the subscription insert fail its foreign key.
    if (String(error).includes("FOREIGN KEY")) return null;
    throw error;
  }
}

/**
 * Deletes the destination; its subscriptions go with it by ON DELETE CASCADE, and its deliveries and
 * attempts from every history partition, its health and recoveries from its workspace's object.
 */
export async function deleteDestination(env: Env, workspaceUuid: string, id: string): Promise<boolean> {
  const deleted = await database(env.DB)
    .delete(destinations)
    .where(and(eq(destinations.workspaceUuid, workspaceUuid), eq(destinations.id, id)))
    .returning({ id: destinations.id });
  if (deleted.length !== 1) return false;
  forgetSubscriptions(workspaceUuid);
  const view = new HistoryView(env, workspaceUuid);
  await Promise.all([
    env.WORKSPACE.getByName(workspaceUuid).forgetDestination(id),
    ...(await view.partitions()).map(async (p) => {
      // A chunk at a time, so no call runs long whatever the history's size.
      while (!(await view.stub(p).forgetDestination(p, id))) {}
    }),
  ]);
  return true;
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
