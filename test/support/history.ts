// The tests' window on the workspaces' Durable Objects: SQL run inside every history partition of every
// workspace (or of one), and inside each workspace's object, through the pool's runInDurableObject. What
// a test reads here is exactly what the objects store; no production code offers SQL.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { configOf } from "../../src/config";
import { type Partition, partitionAt, partitionName } from "../../src/history/ids";

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
  for (const p of [...listed.map((l) => ({ workspaceUuid: ws, ...l })), current]) all.set(partitionName(p), p);
  return [...all.values()];
}

type Row = Record<string, SqlStorageValue>;

/** Runs SQL in one object, if it has that table; its rows. */
async function inObject(stub: DurableObjectStub, table: string, sql: string, binds: unknown[]): Promise<Row[]> {
  return runInDurableObject(stub, (_instance, state) => {
    const has = state.storage.sql
      .exec("SELECT 1 FROM sqlite_master WHERE name = ?", table)
      .toArray().length;
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
