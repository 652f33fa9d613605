// The tests' window on the workspaces' Durable Objects: SQL run inside every history partition of every
// workspace (or of one), and inside each workspace's object, through the pool's runInDurableObject. What
// a test reads here is exactly what the objects store; no production code offers SQL.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { configOf } from "../../src/config";
import { historyId, type Partition, partitionAt, partitionName } from "../../src/history/ids";

/** The tables the history partitions keep (`attempts` is a view over the deliveries' attempts). */
export const HISTORY_TABLES = new Set(["events", "deliveries", "attempts"]);
/** The tables each workspace's object keeps. */
export const WORKSPACE_TABLES = new Set(["recoveries", "destination_health", "outbox", "partitions"]);

async function workspaces(only?: string): Promise<string[]> {
  if (only) return [only];
  const { results } = await env.DB.prepare("SELECT uuid FROM workspaces").all<{ uuid: string }>();
  return results.map((r) => r.uuid);
}

/** A workspace's partitions: those its object lists, and the current one. */
export async function partitionsOf(ws: string): Promise<Partition[]> {
  const listed = await env.WORKSPACE.getByName(ws).partitions();
  const current = partitionAt(ws, Date.now(), configOf(env).partitionSeconds);
  const all = new Map<string, Partition>();
  for (const p of [...listed.map((l) => ({ workspaceUuid: ws, ...l })), current])
    all.set(partitionName(p), p);
  return [...all.values()];
}

type Row = Record<string, SqlStorageValue>;

/** Runs SQL in one object, if it has that table; its rows. */
async function inObject(
  stub: DurableObjectStub,
  table: string,
  sql: string,
  binds: unknown[],
): Promise<Row[]> {
  return runInDurableObject(stub, (_instance, state) => {
    const has = state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = ?", table).toArray().length;
    return has ? state.storage.sql.exec(sql, ...(binds as SqlStorageValue[])).toArray() : [];
  });
}

/** The table a statement reads or writes first (FROM/INTO/UPDATE). */
const tableOf = (sql: string) => /\b(?:FROM|INTO|UPDATE)\s+`?(\w+)/i.exec(sql)?.[1] ?? "";

/**
 * Runs SQL in every history partition (a history table) or workspace object (a workspace table) of
 * every workspace, or of `ws`; the rows of all, concatenated.
 */
export async function objectSql(sql: string, binds: unknown[] = [], ws?: string): Promise<Row[]> {
  const table = tableOf(sql);
  const rows: Row[] = [];
  for (const uuid of await workspaces(ws)) {
    if (WORKSPACE_TABLES.has(table)) {
      rows.push(...(await inObject(env.WORKSPACE.getByName(uuid), table, sql, binds)));
      continue;
    }
    for (const p of await partitionsOf(uuid))
      rows.push(...(await inObject(env.HISTORY.getByName(partitionName(p)), table, sql, binds)));
  }
  return rows;
}

/** The first row of `objectSql`, or null. */
export async function objectRow<T = Row>(sql: string, binds: unknown[] = [], ws?: string): Promise<T | null> {
  return ((await objectSql(sql, binds, ws))[0] as T | undefined) ?? null;
}

/** Counts rows of an object's table across every workspace (or `ws`). */
export async function countObjectRows(table: string, where: string, binds: unknown[], ws?: string) {
  const rows = await objectSql(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, binds, ws);
  return rows.reduce((sum, r) => sum + Number(r.n), 0);
}

/** The workspace a destination belongs to (D1). */
export async function workspaceOfDestination(destinationId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT workspace_uuid AS ws FROM destinations WHERE id = ?")
    .bind(destinationId)
    .first<{ ws: string }>();
  if (!row) throw new Error(`no destination ${destinationId}`);
  return row.ws;
}

/** Sets a destination's health in its workspace's object, as a run of the pipeline would have. */
export async function setHealth(
  destinationId: string,
  fields: Partial<{
    send_path: "direct" | "lane";
    consecutive_failures: number;
    failures_since: number | null;
    next_probe_at: number | null;
    failing_announced_since: number | null;
    exhausted_announced_at: number | null;
  }>,
): Promise<void> {
  const ws = await workspaceOfDestination(destinationId);
  const names = Object.keys(fields);
  const values = Object.values(fields) as SqlStorageValue[];
  await env.WORKSPACE.getByName(ws).health([destinationId]);
  await runInDurableObject(env.WORKSPACE.getByName(ws), (_instance, state) => {
    state.storage.sql.exec(
      "INSERT OR IGNORE INTO destination_health (destination_id) VALUES (?)",
      destinationId,
    );
    if (names.length)
      state.storage.sql.exec(
        `UPDATE destination_health SET ${names.map((n) => `${n} = ?`).join(", ")} WHERE destination_id = ?`,
        ...values,
        destinationId,
      );
  });
}

/** A destination's health as its workspace's object keeps it (a fresh one's when it has no row). */
export async function healthOf(destinationId: string) {
  const ws = await workspaceOfDestination(destinationId);
  return (await env.WORKSPACE.getByName(ws).health([destinationId]))[destinationId];
}

/** Runs SQL in every history partition of the workspace of a destination. */
export async function destinationHistorySql(destinationId: string, sql: string, binds: unknown[] = []) {
  return objectSql(sql, binds, await workspaceOfDestination(destinationId));
}

/** Makes sure a partition's object has its tables and knows itself (what its first write does). */
export async function openPartition(p: Partition): Promise<DurableObjectStub> {
  const stub = env.HISTORY.getByName(partitionName(p));
  await (stub as unknown as { store(p: Partition, events: unknown[]): Promise<unknown> }).store(p, []);
  return stub;
}

/** Rows for a seeded delivery: when it was made, and its state. */
export type Seed = {
  createdAt: number;
  status?: string;
  attemptsMade?: number;
  nextAttemptAt?: number | null;
  updatedAt?: number;
  statusReason?: string | null;
  /** Its attempts as stored (src/db/history-schema.ts StoredAttempt). */
  attempts?: unknown[][];
};

/**
 * Stores deliveries of one event to a destination as if they had been made at their `createdAt`, each
 * in the partition its time falls in (the event with them there), with ids that name that partition.
 * Returns their ids, in the order given.
 */
export async function seedDeliveries(
  ws: string,
  destinationId: string,
  event: { id: string; type?: string; payload?: string },
  seeds: readonly Seed[],
): Promise<string[]> {
  const seconds = configOf(env).partitionSeconds;
  const type = event.type ?? "contact.created";
  const ids = seeds.map((s) => historyId("dlv", s.createdAt, seconds));
  const groups = new Map<string, { p: Partition; rows: unknown[][] }>();
  seeds.forEach((s, i) => {
    const p = partitionAt(ws, s.createdAt, seconds);
    const group = groups.get(partitionName(p)) ?? { p, rows: [] };
    group.rows.push([
      ids[i],
      s.status ?? "pending",
      s.attemptsMade ?? 0,
      s.nextAttemptAt === undefined ? s.createdAt : s.nextAttemptAt,
      s.statusReason ?? null,
      s.createdAt,
      s.updatedAt ?? s.createdAt,
      JSON.stringify(s.attempts ?? []),
    ]);
    groups.set(partitionName(p), group);
  });
  for (const { p, rows } of groups.values()) {
    const stub = await openPartition(p);
    const payload =
      event.payload ??
      JSON.stringify({ event: { id: event.id, type }, workspace: { uuid: ws }, contact: { _id: "ct_1" } });
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        `INSERT OR IGNORE INTO events (workspace_uuid, id, type, created_at, payload) VALUES (?, ?, ?, ?, ?)`,
        ws,
        event.id,
        type,
        Number(rows[0]?.[5] ?? 0),
        payload,
      );
      // The event lists its deliveries ([delivery id, destination id]), as an ingest's fan-out would.
      state.storage.sql.exec(
        `UPDATE events SET deliveries = (SELECT json_group_array(json(v))
                                         FROM (SELECT value AS v FROM json_each(deliveries) UNION ALL
                                               SELECT json_array(value ->> 0, ?1) FROM json_each(?2))),
                           fan_out_count = fan_out_count + json_array_length(?2)
         WHERE workspace_uuid = ?3 AND id = ?4`,
        destinationId,
        JSON.stringify(rows),
        ws,
        event.id,
      );
      state.storage.sql.exec(
        `INSERT INTO deliveries (destination_id, id, workspace_uuid, event_id, event_type, status, attempts_made,
                                 next_attempt_at, status_reason, created_at, updated_at, attempts)
         SELECT ?1, value ->> 0, ?2, ?3, ?4, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                value ->> 6, value ->> 7 FROM json_each(?5)`,
        destinationId,
        ws,
        event.id,
        type,
        JSON.stringify(rows),
      );
    });
  }
  return ids as string[];
}

/** Runs SQL in the workspace's current partition (its tables made first, as its first write would). */
export async function currentHistorySql(ws: string, sql: string, binds: unknown[] = []): Promise<Row[]> {
  const stub = await openPartition(partitionAt(ws, Date.now(), configOf(env).partitionSeconds));
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql.exec(sql, ...(binds as SqlStorageValue[])).toArray(),
  );
}
