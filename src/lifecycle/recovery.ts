// Recovery in bulk (docs/lifecycle.md): a destination's failed and skipped deliveries of a window are
// re-opened — the same delivery ids, status pending again, attempts numbered on — and queued, in chunks
// driven by the destination's lane (its alarm), so tens of thousands take many short steps and no request
// or invocation runs long. Once queued they take the normal path: the consumer sends them itself, or hands
// them to the lane when the destination is rate-limited, slow or failing, so its rate limit and probes hold.
//
// Which deliveries: those of the destination created in [since, until), in the chosen statuses, and last
// changed before the recovery started (a snapshot: a delivery that fails again while it runs is not
// picked twice). Re-opening is one UPDATE guarded by the status, so two recoveries cannot both take a
// delivery, and one that succeeded is never selected again. One runs per destination at a time (the
// recoveries_running unique index).

import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { RECOVERABLE_STATUSES, type RecoveryRow, recoveries } from "../db/schema";
import { newId } from "../ids";
import { RECOVERY_CHUNK, RECOVERY_WINDOW_MS } from "../limits";
import { type DeliveryMessage, EnqueueError, enqueueDeliveries } from "../queue";

export type RecoverableStatus = (typeof RECOVERABLE_STATUSES)[number];

/** The smallest delivery id made at `ms` (ids are `dlv_` + 12 hex digits of milliseconds + random). */
export const firstDeliveryIdAt = (ms: number) => `dlv_${Math.max(0, ms).toString(16).padStart(12, "0")}`;

// Binds: ?1 destination, ?2 after this id, ?3 before this id, ?4 statuses (JSON), ?5 changed at or before.
const SELECTION = `
  destination_id = ?1 AND id > ?2 AND id < ?3 AND status IN (SELECT value FROM json_each(?4))
  AND updated_at <= ?5`;

const COUNT_SQL = `SELECT count(*) AS n FROM deliveries WHERE ${SELECTION}`;

// Binds as SELECTION, then ?6 limit, ?7 now. next_attempt_at is now (not created_at), so the recovery
// sweep queues it again should its message be lost; attempts_made stays, so attempts number on.
const REOPEN_SQL = `
  UPDATE deliveries SET status = 'pending', status_reason = NULL, next_attempt_at = ?7, lane_due_at = NULL,
    updated_at = ?7
  WHERE id IN (SELECT id FROM deliveries WHERE ${SELECTION} ORDER BY id LIMIT ?6)
  RETURNING id, attempts_made`;

export type RecoveryRequest = { since: number; until: number; statuses: RecoverableStatus[] };

export type WindowCheck =
  | { ok: true; request: RecoveryRequest }
  | { ok: false; field: "since" | "until"; detail: string };

/**
 * The window's rule, for the API and the dashboard alike: `until` defaults to now and is capped there;
 * `since` must come before it, and the two at most RECOVERY_WINDOW_MS apart.
 */
export function checkRecoveryWindow(
  input: { since: number; until?: number; statuses?: readonly RecoverableStatus[] },
  now = Date.now(),
): WindowCheck {
  const until = Math.min(input.until ?? now, now);
  if (!(input.since < until))
    return input.until === undefined || input.since >= now
      ? { ok: false, field: "since", detail: "must be in the past" }
      : { ok: false, field: "until", detail: "must be after since" };
  if (until - input.since > RECOVERY_WINDOW_MS)
    return {
      ok: false,
      field: "since",
      detail: `the window may cover at most ${RECOVERY_WINDOW_MS / 86_400_000} days`,
    };
  const statuses = [...new Set(input.statuses?.length ? input.statuses : RECOVERABLE_STATUSES)];
  return { ok: true, request: { since: input.since, until, statuses } };
}

export type Started = { ok: true; recovery: RecoveryRow } | { ok: false; running: RecoveryRow | null };

const windowBinds = (
  r: Pick<RecoveryRow, "destinationId" | "since" | "until" | "statuses" | "createdAt">,
) => [
  r.destinationId,
  firstDeliveryIdAt(r.since),
  firstDeliveryIdAt(r.until),
  JSON.stringify(r.statuses),
  r.createdAt,
];

/** How many deliveries a recovery with this window and these statuses would select now (its preview). */
export async function countRecoverable(
  db: Database,
  destinationId: string,
  request: RecoveryRequest,
  now = Date.now(),
): Promise<number> {
  const counted = await db.$client
    .prepare(COUNT_SQL)
    .bind(...windowBinds({ destinationId, ...request, createdAt: now }))
    .first<{ n: number }>();
  return counted?.n ?? 0;
}

/** The recovery running for a destination, if one is. */
export async function runningRecovery(db: Database, destinationId: string): Promise<RecoveryRow | null> {
  const row = await db
    .select()
    .from(recoveries)
    .where(and(eq(recoveries.destinationId, destinationId), eq(recoveries.status, "running")))
    .get();
  return row ?? null;
}

/**
 * Starts a recovery of the destination: counts what it selects, stores it as running, and asks the
 * destination's lane to drive it. `ok: false` when one is already running (the unique index decides a race).
 */
export async function startRecovery(
  env: Env,
  db: Database,
  workspaceUuid: string,
  destinationId: string,
  request: RecoveryRequest,
  now = Date.now(),
): Promise<Started> {
  const running = await runningRecovery(db, destinationId);
  if (running) return { ok: false, running };
  const row: RecoveryRow = {
    id: newId("rcv"),
    workspaceUuid,
    destinationId,
    ...request,
    createdAt: now,
    status: "running",
    total: await countRecoverable(db, destinationId, request, now),
    sent: 0,
    cursor: null,
    updatedAt: now,
    finishedAt: null,
    reason: null,
  };
  if (row.total === 0) {
    row.status = "finished";
    row.finishedAt = now;
  }
  try {
    await db.insert(recoveries).values(row);
  } catch (error) {
    if (!String(error).includes("UNIQUE")) throw error;
    return { ok: false, running: await runningRecovery(db, destinationId) };
  }
  if (row.status === "running") await env.LANES.getByName(destinationId).recover(destinationId, row.id);
  return { ok: true, recovery: row };
}

/** One recovery of a destination, or null. */
export async function findRecovery(db: Database, destinationId: string, id: string) {
  const row = await db
    .select()
    .from(recoveries)
    .where(and(eq(recoveries.destinationId, destinationId), eq(recoveries.id, id)))
    .get();
  return row ?? null;
}

/** A destination's recoveries, newest first. */
export function listRecoveries(db: Database, destinationId: string, limit: number) {
  return db
    .select()
    .from(recoveries)
    .where(eq(recoveries.destinationId, destinationId))
    .orderBy(desc(recoveries.id))
    .limit(limit);
}

/** A chunk as queued: [delivery id, attempts made before it was re-opened]. */
export type Chunk = [string, number][];

type Step = { more: boolean; chunk: Chunk; paused?: boolean };

// Binds: ?1 the chunk (JSON). Its deliveries still pending with no attempt since they were re-opened.
const UNSENT_SQL = `
  SELECT count(*) AS n FROM json_each(?1) AS c JOIN deliveries AS d ON d.id = c.value ->> 0
  WHERE d.status = 'pending' AND d.attempts_made = c.value ->> 1`;

/**
 * One step of a running recovery: re-opens up to RECOVERY_CHUNK deliveries after its cursor and queues
 * them (what the queue refuses is the recovery sweep's, as for any new delivery), then moves the cursor
 * and the count; a short chunk finishes it. A disabled destination stops it (status `cancelled`).
 * Back-pressure: while more than half of the `previous` chunk waits unsent (a slow, rate-limited or
 * failing receiver), it pauses instead, so a recovery holds at most two chunks in the queue and lane.
 */
export async function recoveryStep(
  env: Env,
  db: Database,
  id: string,
  previous: Chunk = [],
  now = Date.now(),
): Promise<Step> {
  const found = await db.$client
    .prepare(
      `SELECT r.destination_id, r.since, r.until, r.statuses, r.created_at, r.cursor, r.status, d.enabled
       FROM recoveries AS r JOIN destinations AS d ON d.id = r.destination_id WHERE r.id = ?`,
    )
    .bind(id)
    .first<{
      destination_id: string;
      since: number;
      until: number;
      statuses: string;
      created_at: number;
      cursor: string | null;
      status: string;
      enabled: number;
    }>();
  if (found?.status !== "running") return { more: false, chunk: [] };
  if (!found.enabled) {
    await db
      .update(recoveries)
      .set({ status: "cancelled", reason: "the destination was disabled", finishedAt: now, updatedAt: now })
      .where(and(eq(recoveries.id, id), eq(recoveries.status, "running")));
    return { more: false, chunk: [] };
  }
  if (previous.length) {
    const unsent = await db.$client.prepare(UNSENT_SQL).bind(JSON.stringify(previous)).first<{ n: number }>();
    if ((unsent?.n ?? 0) * 2 > previous.length) return { more: true, chunk: previous, paused: true };
  }
  const binds = windowBinds({
    destinationId: found.destination_id,
    since: found.since,
    until: found.until,
    statuses: JSON.parse(found.statuses) as RecoverableStatus[],
    createdAt: found.created_at,
  });
  if (found.cursor) binds[1] = found.cursor;
  const { results } = await db.$client
    .prepare(REOPEN_SQL)
    .bind(...binds, RECOVERY_CHUNK, now)
    .run<{ id: string; attempts_made: number }>();
  const ids = results.map((r) => r.id).sort();
  if (ids.length) await queueReopened(env.DELIVERY_QUEUE, results);
  const done = ids.length < RECOVERY_CHUNK;
  await db.$client
    .prepare(
      `UPDATE recoveries SET sent = sent + ?2, cursor = coalesce(?3, cursor), updated_at = ?4,
         status = CASE WHEN ?5 THEN 'finished' ELSE status END,
         finished_at = CASE WHEN ?5 THEN ?4 ELSE finished_at END
       WHERE id = ?1 AND status = 'running'`,
    )
    .bind(id, ids.length, ids.at(-1) ?? null, now, done ? 1 : 0)
    .run();
  return { more: !done, chunk: results.map((r) => [r.id, r.attempts_made]) };
}

/** Queues re-opened deliveries with their attempt counts, so each message stands for the next attempt. */
async function queueReopened(
  queue: Queue<DeliveryMessage>,
  rows: { id: string; attempts_made: number }[],
): Promise<void> {
  const ids = rows.map((r) => r.id);
  try {
    await enqueueDeliveries(queue, ids, new Map(rows.map((r) => [r.id, r.attempts_made])));
  } catch (error) {
    // Their next_attempt_at is now: the sweep queues them once they are overdue.
    const unsent = error instanceof EnqueueError ? error.unsent.length : ids.length;
    console.error("recovered deliveries left to the recovery sweep:", unsent, String(error));
  }
}
