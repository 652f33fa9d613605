// Operational events (docs/lifecycle.md): the service's own events about a workspace's destinations.
// Each is stored, fanned out and its state change recorded in the same D1 transaction as the change it
// announces (a batch's attempts, a disable), guarded by what D1 holds at that moment, so a change is
// announced once or not at all however many consumers and lanes saw it. After the commit, the caller
// queues what was written (`dispatchAnnounced`).
import type { Database } from "../db/client";
import type { OperationalEventType } from "../events/catalog";
import { finishFilteredFanOut } from "../events/filtered-fanout";
import { newId } from "../ids";
import type { DeliveryMessage } from "../queue";
import { queueNewDeliveries } from "../queue";

/** A time in ms as the ISO 8601 text every payload uses (null stays null). */
export const isoSql = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${ms}) / 1000.0, 'unixepoch')`;

/**
 * One kind of announcement. Its SQL reads the destination it is about as `d` and its row of parameters
 * as `p` (a JSON array: [destination id, event id, workspace uuid, …`extra`]); binds are ?1 now and
 * ?2 the rows (JSON), and ?3 when `binds` adds it.
 */
export type Announcement = {
  type: OperationalEventType;
  /** Which destinations it is due for now: the state it announces holds and was not announced. */
  guard: string;
  /** The payload's own fields after `event`, `workspace` and `destination`: json_object arguments. */
  fields: string;
  /**
   * Records that it was announced (or makes the change itself), in the same transaction: a SET clause
   * (`d`, `p` as above), for the rows the guard holds for, or for every row.
   */
  settle?: { set: string; guarded: boolean };
  /** A third bind, when the SQL reads ?3. */
  third?: number;
};

const ROW_MATCHES = "d.id = p.value ->> 0 AND d.workspace_uuid = p.value ->> 2";

const insertEventsSql = (a: Announcement) => `
  INSERT INTO events (workspace_uuid, id, type, payload, created_at, filters_pending)
  SELECT d.workspace_uuid, p.value ->> 1, '${a.type}',
    json_object(
      'event', json_object('id', p.value ->> 1, 'type', '${a.type}', 'occurred_at', ${isoSql("?1")}),
      'workspace', json_object('uuid', d.workspace_uuid),
      'destination', json_object('id', d.id, 'name', d.name, 'url_template', d.url_template),
      ${a.fields}),
    ?1,
    EXISTS (SELECT 1 FROM destination_event_types AS f
            WHERE f.workspace_uuid = d.workspace_uuid AND f.event_type = '${a.type}' AND f.filter_kind <> 0
              AND f.destination_id <> d.id)
  FROM json_each(?2) AS p JOIN destinations AS d ON ${ROW_MATCHES}
  WHERE ${a.guard}
  RETURNING workspace_uuid AS workspace, id, filters_pending AS filtered`;

const settleSql = ({ settle, guard }: Announcement) => `
  UPDATE destinations AS d SET ${settle?.set}
  FROM json_each(?2) AS p WHERE ${ROW_MATCHES}${settle?.guarded ? ` AND ${guard}` : ""}`;

/** Binds as many of the values as the statement has parameters (D1 refuses extra ones). */
function prepared(d1: D1Database, sql: string, values: unknown[]): D1PreparedStatement {
  const used = Math.max(0, ...[...sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1])));
  return d1.prepare(sql).bind(...values.slice(0, used));
}

// The events just stored (their ids are new), fanned out to every enabled, unfiltered destination of the
// workspace subscribed to the type, except the one it is about. Filtered subscribers are the filtered
// fan-out's, after the commit. Binds: ?1 now, ?2 [destination id, event id, workspace] rows.
const FAN_OUT_SQL = `
  INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
                          next_attempt_at, created_at, updated_at)
  SELECT printf('dlv_%012x', ?1) || lower(hex(randomblob(10))), e.workspace_uuid, s.destination_id, e.id,
         e.type, 'pending', 0, ?1, ?1, ?1
  FROM json_each(?2) AS p
  JOIN events AS e ON e.workspace_uuid = p.value ->> 2 AND e.id = p.value ->> 1
  JOIN destination_event_types AS s
    ON s.workspace_uuid = e.workspace_uuid AND s.event_type = e.type AND s.filter_kind = 0
  JOIN destinations AS t ON t.id = s.destination_id
  WHERE t.enabled = 1 AND t.filter IS NULL AND t.id <> p.value ->> 0
  RETURNING id`;

/** What the transaction announced, to be queued once it commits. */
export type Announced = { deliveryIds: string[]; filtered: { workspace: string; id: string }[] };

type Part = { kind: "events" | "settle"; statement: D1PreparedStatement };

/**
 * The statements of a transaction's announcements, in order: each kind's event insert and settle, then
 * one fan-out of every event stored. `read` takes the results of exactly these statements.
 */
export class Announcements {
  #parts: Part[] = [];
  #rows: unknown[][] = [];
  readonly #d1: D1Database;
  readonly #now: number;

  constructor(d1: D1Database, now = Date.now()) {
    this.#d1 = d1;
    this.#now = now;
  }

  /** Adds one kind for these destinations; each row is [destination id, workspace uuid, …extra]. */
  add(announcement: Announcement, rows: [string, string, ...unknown[]][]): this {
    if (!rows.length) return this;
    const withIds = rows.map(([destinationId, workspace, ...extra]) => [
      destinationId,
      newId("evt"),
      workspace,
      ...extra,
    ]);
    const json = JSON.stringify(withIds);
    const binds = [this.#now, json, announcement.third ?? null];
    this.#parts.push({ kind: "events", statement: prepared(this.#d1, insertEventsSql(announcement), binds) });
    if (announcement.settle)
      this.#parts.push({ kind: "settle", statement: prepared(this.#d1, settleSql(announcement), binds) });
    this.#rows.push(...withIds);
    return this;
  }

  get empty(): boolean {
    return this.#parts.length === 0;
  }

  /** The statements to run in the transaction, in order. */
  statements(): D1PreparedStatement[] {
    if (!this.#rows.length) return [];
    const fanOut = this.#d1
      .prepare(FAN_OUT_SQL)
      .bind(this.#now, JSON.stringify(this.#rows.map((r) => [r[0], r[1], r[2]])));
    return [...this.#parts.map((p) => p.statement), fanOut];
  }

  /** What these statements wrote, from their results (in `statements()` order). */
  read(results: readonly D1Result[]): Announced {
    const announced: Announced = { deliveryIds: [], filtered: [] };
    if (!this.#rows.length) return announced;
    this.#parts.forEach((part, i) => {
      if (part.kind !== "events") return;
      for (const row of (results[i]?.results ?? []) as { workspace: string; id: string; filtered: number }[])
        if (row.filtered) announced.filtered.push({ workspace: row.workspace, id: row.id });
    });
    const fanOut = results[this.#parts.length]?.results ?? [];
    for (const row of fanOut as { id: string }[]) announced.deliveryIds.push(row.id);
    return announced;
  }
}

/** Queues what a committed transaction announced; filtered subscribers are matched first. */
export async function dispatchAnnounced(
  db: Database,
  queue: Queue<DeliveryMessage>,
  announced: Announced,
): Promise<void> {
  const ids = [...announced.deliveryIds];
  for (const { workspace, id } of announced.filtered)
    ids.push(...(await finishFilteredFanOut(db, workspace, id)).map((r) => r.id));
  if (ids.length) await queueNewDeliveries(db, queue, ids);
}
