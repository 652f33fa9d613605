// The fan-out to destinations with a filter (docs/filters.md). The ingest's one D1 transaction stores the
// event, writes the deliveries of unfiltered destinations and reads the filters of the filtered ones
// (store.ts); the filters are matched here, in JavaScript, and their deliveries written in a second
// transaction. Until that one commits, the event is marked `filters_pending`, so an ingest cut off
// between the two is finished by the client's retry of the same event id (the replay) or by the cron.
import type { Database } from "../db/client";
import type { DeliveryRow } from "../db/schema";
import { newDeliveryRow } from "../deliveries/store";
import { type Condition, matchFilter, parseFilter } from "../filters/filter";
import type { DeliveryMessage } from "../queue";
import { queueNewDeliveries } from "../queue";
import { isOperational } from "./catalog";

/** A subscribed, enabled destination with a filter, as the fan-out reads it. */
export type FilteredTarget = { destination_id: string; filter: string };

/**
 * The filtered destinations an event may match, given the SQL parameters of its workspace, type and
 * payload: those whose equality key the payload meets (the key's path read with json_each, so an array
 * there offers each element; one index seek per distinct key path, found by a loose index scan), and
 * every one whose filter has no key. Only these are read and matched in the worker. CROSS JOIN keeps
 * the met keys as the outer loop (SQLite does not reorder it), so each is one seek of the index.
 */
export const filteredCandidatesSql = (ws: string, type: string, payload: string) => `
  WITH RECURSIVE paths(path) AS (
    SELECT min(filter_path) FROM destination_event_types
    WHERE workspace_uuid = ${ws} AND event_type = ${type} AND filter_kind = 1
    UNION ALL
    SELECT (SELECT min(filter_path) FROM destination_event_types
            WHERE workspace_uuid = ${ws} AND event_type = ${type} AND filter_kind = 1 AND filter_path > paths.path)
    FROM paths WHERE paths.path IS NOT NULL
  ),
  met(path, value) AS (
    SELECT DISTINCT paths.path, j.value FROM paths, json_each(${payload}, paths.path) AS j
    WHERE paths.path IS NOT NULL AND j.type = 'text'
  )
  SELECT s.destination_id, d.filter
  FROM met CROSS JOIN destination_event_types AS s
    ON s.workspace_uuid = ${ws} AND s.event_type = ${type} AND s.filter_kind = 1
       AND s.filter_path = met.path AND s.filter_value = met.value
  JOIN destinations AS d ON d.id = s.destination_id
  WHERE d.enabled = 1 AND d.filter IS NOT NULL
  UNION ALL
  SELECT s.destination_id, d.filter
  FROM destination_event_types AS s JOIN destinations AS d ON d.id = s.destination_id
  WHERE s.workspace_uuid = ${ws} AND s.event_type = ${type} AND s.filter_kind = 2
    AND d.enabled = 1 AND d.filter IS NOT NULL`;

/** Binds: ?1 workspace, ?2 event type, ?3 payload. */
export const FILTERED_TARGETS_SQL = filteredCandidatesSql("?1", "?2", "?3");

// Binds: ?1 workspace, ?2 event id, ?3 event type, ?4 the event's created_at, ?5 [delivery id, destination
// id] pairs (JSON), ?6 now. They are created "with" the event (its created_at), as the ingest answer and
// its replay count an event's fan-out, and due now. Written only while the event is still marked, so two
// finishers cannot both write them.
const INSERT_FILTERED_SQL = `
  INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
                          next_attempt_at, created_at, updated_at)
  SELECT value ->> 0, ?1, value ->> 1, ?2, ?3, 'pending', 0, ?6, ?4, ?6 FROM json_each(?5)
  WHERE (SELECT filters_pending FROM events WHERE workspace_uuid = ?1 AND id = ?2) = 1`;
const UNMARK_SQL = `UPDATE events SET filters_pending = 0 WHERE workspace_uuid = ?1 AND id = ?2`;

// Compiled filters by their stored text: a filter is parsed once per isolate, not once per event.
const compiled = new Map<string, Condition | null>();
const COMPILED_KEPT = 2_000;

function conditionOf(stored: string): Condition | null {
  let condition = compiled.get(stored);
  if (condition === undefined) {
    const parsed = parseFilter(JSON.parse(stored));
    // Saved filters were checked; one that no longer parses (a tightened rule) matches nothing.
    condition = parsed.ok ? parsed.condition : null;
    if (compiled.size >= COMPILED_KEPT) compiled.clear();
    compiled.set(stored, condition);
  }
  return condition;
}

/** The destinations whose filter the payload matches. */
export function matchingTargets(payload: unknown, targets: readonly FilteredTarget[]): string[] {
  return targets
    .filter((t) => {
      const condition = conditionOf(t.filter);
      return condition !== null && matchFilter(condition, payload).matches;
    })
    .map((t) => t.destination_id);
}

type StoredEvent = { workspaceUuid: string; id: string; type: string; createdAt: number };

/** Writes the matched destinations' deliveries and clears the mark, in one transaction. */
export async function writeFilteredDeliveries(
  db: Database,
  event: StoredEvent,
  destinationIds: readonly string[],
): Promise<DeliveryRow[]> {
  const now = Date.now();
  const rows = destinationIds.map((d) => ({
    ...newDeliveryRow(event.workspaceUuid, d, event.id, event.type, event.createdAt),
    nextAttemptAt: now,
    updatedAt: now,
  }));
  const d1 = db.$client;
  const pairs = JSON.stringify(rows.map((r) => [r.id, r.destinationId]));
  const [inserted] = await d1.batch([
    d1
      .prepare(INSERT_FILTERED_SQL)
      .bind(event.workspaceUuid, event.id, event.type, event.createdAt, pairs, now),
    d1.prepare(UNMARK_SQL).bind(event.workspaceUuid, event.id),
  ]);
  // Another finisher got there first: its rows stand, these were not written.
  return (inserted?.meta.changes ?? 0) === rows.length ? rows : [];
}

/** Finishes one marked event: reads it and its filtered targets again, matches, writes. */
export async function finishFilteredFanOut(
  db: Database,
  workspaceUuid: string,
  eventId: string,
): Promise<DeliveryRow[]> {
  const d1 = db.$client;
  const event = await d1
    .prepare(
      `SELECT type, payload, created_at AS createdAt FROM events
       WHERE workspace_uuid = ?1 AND id = ?2 AND filters_pending = 1`,
    )
    .bind(workspaceUuid, eventId)
    .first<{ type: string; payload: string; createdAt: number }>();
  if (!event) return [];
  const { results } = await d1
    .prepare(FILTERED_TARGETS_SQL)
    .bind(workspaceUuid, event.type, event.payload)
    .all<FilteredTarget>();
  const payload = JSON.parse(event.payload) as { destination?: { id?: unknown } };
  // An operational event is never sent to the destination it is about (docs/lifecycle.md).
  const subject = isOperational(event.type) ? payload.destination?.id : undefined;
  const matched = matchingTargets(
    payload,
    results.filter((t) => t.destination_id !== subject),
  );
  return writeFilteredDeliveries(
    db,
    { workspaceUuid, id: eventId, type: event.type, createdAt: event.createdAt },
    matched,
  );
}

/** Events marked longer than this are the cron's to finish (an ingest takes milliseconds). */
export const FINISH_AFTER_MS = 60_000;
const FINISH_PER_RUN = 100;

/** The cron's part: finishes marked events left by ingests that were cut off, and queues what they add. */
export async function finishPendingFanOuts(
  db: Database,
  queue: Queue<DeliveryMessage>,
  now = Date.now(),
): Promise<number> {
  const { results } = await db.$client
    .prepare(
      `SELECT workspace_uuid AS w, id FROM events WHERE filters_pending = 1 AND created_at < ?1
       ORDER BY created_at LIMIT ${FINISH_PER_RUN}`,
    )
    .bind(now - FINISH_AFTER_MS)
    .all<{ w: string; id: string }>();
  let written = 0;
  for (const { w, id } of results) {
    const rows = await finishFilteredFanOut(db, w, id);
    if (rows.length)
      await queueNewDeliveries(
        db,
        queue,
        rows.map((r) => r.id),
      );
    written += rows.length;
  }
  return written;
}
