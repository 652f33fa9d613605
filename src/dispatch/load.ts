// The consumer's read per batch, all at once: each message's delivery and event payload from its history
// partition (one call per partition the batch touches), the destinations from D1 (one statement), and
// their health from each workspace's object (one call per workspace). A destination or an event that
// many deliveries of the batch share (a fan-out) crosses once, not once per delivery.
import { type Column, getTableColumns } from "drizzle-orm";
import { type DestinationRow, destinations } from "../db/schema";
import type { HealthRow } from "../db/workspace-schema";
import { byPartition, historyStub } from "../history/client";
import { partitionOfId } from "../history/ids";
import type { DeliveryToSend } from "../history/reads";

/** What the consumer reads of a destination row. */
const DESTINATION_FIELDS = [
  "workspaceUuid",
  "name",
  "enabled",
  "method",
  "urlTemplate",
  "headersTemplate",
  "queryTemplate",
  "bodyTemplate",
  "timeoutSeconds",
  "secretCiphertext",
  "previousSecretCiphertext",
  "previousSecretExpiresAt",
  "rateLimitPerSecond",
] as const satisfies readonly (keyof DestinationRow)[];
type Destination = Pick<DestinationRow, (typeof DESTINATION_FIELDS)[number]>;

type Health = Pick<HealthRow, "sendPath" | "consecutiveFailures" | "failuresSince">;

export type LoadedDelivery = DeliveryToSend & Destination & Health & { payload: string };

/** A delivery as a queue message names it. */
export type DeliveryRef = { id: string; workspaceUuid: string; destinationId: string };

/** `column AS field` for each field: the table's own column names (src/db/schema.ts). */
function selectList<C extends Record<string, Column>>(columns: C, fields: readonly (keyof C & string)[]) {
  return fields
    .map((f) => {
      const name = (columns[f] as Column).name;
      return name === f ? f : `${name} AS ${f}`;
    })
    .join(", ");
}

/** Binds: ?1 the destination ids as a JSON array. */
export const LOAD_DESTINATIONS_SQL = `
  SELECT id, ${selectList(getTableColumns(destinations), DESTINATION_FIELDS)}
  FROM destinations WHERE id IN (SELECT value FROM json_each(?1))`;

/** The columns D1 hands back in another form than the row's (a boolean as 0/1, JSON as text). */
const CONVERTED = DESTINATION_FIELDS.filter((f) => {
  const type = destinations[f].columnType;
  return type === "SQLiteBoolean" || type === "SQLiteTextJson";
});

async function loadDestinations(d1: D1Database, ids: string[]): Promise<Map<string, Destination>> {
  const { results } = await d1
    .prepare(LOAD_DESTINATIONS_SQL)
    .bind(JSON.stringify(ids))
    .all<Record<string, unknown>>();
  const byId = new Map<string, Destination>();
  for (const { id, ...row } of results) {
    for (const f of CONVERTED) if (row[f] !== null) row[f] = destinations[f].mapFromDriverValue(row[f]);
    byId.set(id as string, row as Destination);
  }
  return byId;
}

/** Each workspace's health of its destinations in the batch. */
async function loadHealth(env: Env, refs: readonly DeliveryRef[]): Promise<Map<string, Health>> {
  const byWorkspace = new Map<string, Set<string>>();
  for (const r of refs)
    byWorkspace.set(r.workspaceUuid, (byWorkspace.get(r.workspaceUuid) ?? new Set()).add(r.destinationId));
  const health = new Map<string, Health>();
  await Promise.all(
    [...byWorkspace].map(async ([ws, ids]) => {
      for (const [id, row] of Object.entries(await env.WORKSPACE.getByName(ws).health([...ids])))
        health.set(id, row);
    }),
  );
  return health;
}

/** The batch's deliveries that still exist, each with its destination (of the same workspace) and event. */
export async function loadDeliveries(env: Env, refs: readonly DeliveryRef[]): Promise<LoadedDelivery[]> {
  const groups = byPartition(refs, (r) => partitionOfId(r.workspaceUuid, r.id));
  const [targets, health, ...found] = await Promise.all([
    loadDestinations(env.DB, [...new Set(refs.map((r) => r.destinationId))]),
    loadHealth(env, refs),
    ...groups.map(({ p, items }) =>
      historyStub(env, p).load(
        p,
        items.map((r) => ({ destinationId: r.destinationId, id: r.id })),
      ),
    ),
  ]);
  const loaded: LoadedDelivery[] = [];
  for (const { rows, payloads } of found) {
    for (const row of rows) {
      const destination = targets.get(row.destinationId);
      const payload = payloads[row.eventId];
      const flow = health.get(row.destinationId);
      if (destination?.workspaceUuid === row.workspaceUuid && payload !== undefined && flow)
        loaded.push({
          ...row,
          ...destination,
          sendPath: flow.sendPath,
          consecutiveFailures: flow.consecutiveFailures,
          failuresSince: flow.failuresSince,
          payload,
        });
    }
  }
  return loaded;
}
