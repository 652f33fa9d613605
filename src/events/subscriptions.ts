// A workspace's subscriptions, as the fan-out reads them: every enabled destination subscribed to each
// event type, with its filter compiled, read from D1 once and kept in the isolate for
// SUBSCRIPTIONS_CACHE_TTL_MS (docs/storage.md, "Control plane"). An ingest therefore costs D1 nothing.
// The isolate that changes a destination forgets its workspace's entry at once; another isolate sees the
// change within the TTL. Filtered destinations are indexed by their equality key (src/filters/key.ts), so
// an event is matched only against those whose key it meets, and against those without a key.
import { type Condition, matchFilter, parseFilter } from "../filters/filter";
import { SUBSCRIPTIONS_CACHE_TTL_MS } from "../limits";

type Filtered = { id: string; condition: Condition | null };

/** One event type's subscribers. */
type TypeSubscribers = {
  unfiltered: string[];
  /** key path (its segments, joined by "\u0000") → the key's value → the destinations with that key. */
  keyed: Map<string, Map<string, Filtered[]>>;
  unkeyed: Filtered[];
};

export type Subscribers = { byType: Map<string, TypeSubscribers>; rows: number };

type Row = {
  id: string;
  type: string;
  kind: number;
  path: string | null;
  value: string | null;
  filter: string | null;
};

const SUBSCRIPTIONS_SQL = `
  SELECT s.destination_id AS id, s.event_type AS type, s.filter_kind AS kind, s.filter_path AS path,
         s.filter_value AS value, d.filter
  FROM destination_event_types AS s JOIN destinations AS d ON d.id = s.destination_id
  WHERE s.workspace_uuid = ?1 AND d.enabled = 1`;

/** The segments of a filter key's SQLite JSON path (`$."contact"."plan"`; its segments need no escaping). */
const segmentsOf = (path: string) =>
  path
    .slice(2)
    .split(".")
    .map((s) => s.slice(1, -1));

function compile(rows: readonly Row[]): Subscribers {
  const byType = new Map<string, TypeSubscribers>();
  const conditions = new Map<string, Condition | null>();
  const conditionOf = (row: Row) => {
    let condition = conditions.get(row.id);
    if (condition === undefined) {
      const parsed = parseFilter(JSON.parse(row.filter ?? "null"));
      // Saved filters were checked; one that no longer parses (a tightened rule) matches nothing.
      condition = parsed.ok ? parsed.condition : null;
      conditions.set(row.id, condition);
    }
    return condition;
  };
  for (const row of rows) {
    let subscribers = byType.get(row.type);
    if (!subscribers) {
      subscribers = { unfiltered: [], keyed: new Map(), unkeyed: [] };
      byType.set(row.type, subscribers);
    }
    if (row.filter === null) subscribers.unfiltered.push(row.id);
    else if (row.kind === 1 && row.path !== null && row.value !== null) {
      const key = segmentsOf(row.path).join("\u0000");
      const values = subscribers.keyed.get(key) ?? new Map<string, Filtered[]>();
      values.set(row.value, [...(values.get(row.value) ?? []), { id: row.id, condition: conditionOf(row) }]);
      subscribers.keyed.set(key, values);
    } else subscribers.unkeyed.push({ id: row.id, condition: conditionOf(row) });
  }
  return { byType, rows: rows.length };
}

const cache = new Map<string, { expiresAt: number; subscribers: Promise<Subscribers> }>();
/** Rows kept across all cached workspaces: a bound on the cache's memory. */
const MAX_ROWS = 200_000;
let rowsKept = 0;

/** The workspace's subscribers, from this isolate's cache when it read them recently. */
export function subscribersOf(d1: D1Database, workspaceUuid: string, now = Date.now()): Promise<Subscribers> {
  const hit = cache.get(workspaceUuid);
  if (hit && hit.expiresAt > now) return hit.subscribers;
  forgetSubscriptions(workspaceUuid);
  const subscribers = d1
    .prepare(SUBSCRIPTIONS_SQL)
    .bind(workspaceUuid)
    .all<Row>()
    .then(({ results }) => compile(results));
  cache.set(workspaceUuid, { expiresAt: now + SUBSCRIPTIONS_CACHE_TTL_MS, subscribers });
  subscribers.then(
    (s) => {
      rowsKept += s.rows;
      for (const [ws] of cache) {
        if (rowsKept <= MAX_ROWS) break;
        if (ws !== workspaceUuid) forgetSubscriptions(ws);
      }
    },
    () => cache.delete(workspaceUuid),
  );
  return subscribers;
}

/** Drops a workspace's entry: its destinations changed in this isolate. */
export function forgetSubscriptions(workspaceUuid: string): void {
  const entry = cache.get(workspaceUuid);
  if (!entry) return;
  cache.delete(workspaceUuid);
  entry.subscribers.then(
    (s) => {
      rowsKept -= s.rows;
    },
    () => undefined,
  );
}

/** The strings at a path of the payload: the value itself, or each string of an array there. */
function stringsAt(payload: unknown, segments: readonly string[]): string[] {
  let value = payload;
  for (const s of segments) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
    value = (value as Record<string, unknown>)[s];
  }
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

const passes = (f: Filtered, payload: unknown) =>
  f.condition !== null && matchFilter(f.condition, payload).matches;

/**
 * The filtered destinations whose filter an event of `type` with this payload must be matched against:
 * those whose equality key it meets, and those without a key; never the others.
 */
export function filterCandidates(subscribers: Subscribers, type: string, payload: unknown): Filtered[] {
  const of = subscribers.byType.get(type);
  if (!of) return [];
  const candidates: Filtered[] = [];
  for (const [key, values] of of.keyed)
    for (const value of new Set(stringsAt(payload, key.split("\u0000"))))
      candidates.push(...(values.get(value) ?? []));
  candidates.push(...of.unkeyed);
  return candidates;
}

/**
 * The destinations an event of `type` with this payload goes to: the unfiltered subscribers and the
 * filtered ones whose filter it passes, never `exclude` (an operational event's own destination).
 */
export function matchSubscribers(
  subscribers: Subscribers,
  type: string,
  payload: unknown,
  exclude?: string | null,
): string[] {
  const matched = [...(subscribers.byType.get(type)?.unfiltered ?? [])];
  for (const f of filterCandidates(subscribers, type, payload)) if (passes(f, payload)) matched.push(f.id);
  return exclude ? matched.filter((id) => id !== exclude) : matched;
}
