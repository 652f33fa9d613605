// Recovery in bulk (docs/lifecycle.md): a destination's failed and skipped deliveries of a window are
// re-opened — the same delivery ids, status pending again, attempts numbered on — and queued, in chunks
// driven by the destination's lane (its alarm), so tens of thousands take many short steps and no request
// or invocation runs long. Once queued they take the normal path (the consumer sends them itself, or hands
// them to the lane when the destination is rate-limited, slow or failing), so its rate limit and probes hold.
//
// Which deliveries: those of the destination created in [since, until), in the chosen statuses, and last
// changed before the recovery started (a snapshot: a delivery that fails again while it runs is not
// picked twice). They sit in the history partitions that overlap the window, walked oldest first; the
// cursor is the last delivery id re-opened, which names its partition. Re-opening is guarded by the
// status, so two recoveries cannot both take a delivery, and one that succeeded is never selected again.
// The recovery itself lives in the workspace's object, which lets one run per destination at a time.
import type { RecoveryRow } from "../db/workspace-schema";
import { RECOVERABLE_STATUSES } from "../db/workspace-schema";
import { byPartition, HistoryView } from "../history/client";
import { firstIdAt, type Partition, partitionEnd, partitionOfId } from "../history/ids";
import type { Reopened, Selection } from "../history/reopen";
import { newId } from "../ids";
import { RECOVERY_CHUNK, RECOVERY_WINDOW_MS } from "../limits";
import { type DeliveryMessage, EnqueueError, enqueueDeliveries } from "../queue";

export type RecoverableStatus = (typeof RECOVERABLE_STATUSES)[number];
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

type Window = Pick<RecoveryRow, "destinationId" | "since" | "until" | "statuses" | "createdAt">;

const selection = (w: Window, after?: string | null): Selection => ({
  destinationId: w.destinationId,
  after: after ?? firstIdAt("dlv", w.since),
  before: firstIdAt("dlv", w.until),
  statuses: w.statuses,
  changedBy: w.createdAt,
});

/** The window's partitions, oldest first (from the one the cursor names). */
async function partitionsOf(view: HistoryView, w: Window, cursor?: string | null): Promise<Partition[]> {
  const from = cursor
    ? (partitionOfId(view.workspaceUuid, cursor)?.start ?? w.since)
    : Number.NEGATIVE_INFINITY;
  return (await view.partitions())
    .filter((p) => p.start < w.until && partitionEnd(p) > w.since && p.start >= from)
    .reverse();
}

/** How many deliveries a recovery with this window and these statuses would select now (its preview). */
export async function countRecoverable(
  view: HistoryView,
  destinationId: string,
  request: RecoveryRequest,
  now = Date.now(),
): Promise<number> {
  const w = { destinationId, ...request, createdAt: now };
  const counts = await Promise.all(
    (await partitionsOf(view, w)).map((p) => view.stub(p).countSelected(p, selection(w))),
  );
  return counts.reduce((a, b) => a + b, 0);
}

const workspaceObject = (env: Env, ws: string) => env.WORKSPACE.getByName(ws);

export const runningRecovery = (env: Env, ws: string, destinationId: string) =>
  workspaceObject(env, ws).runningRecovery(destinationId);
export const findRecovery = (env: Env, ws: string, destinationId: string, id: string) =>
  workspaceObject(env, ws).recovery(destinationId, id);
export const listRecoveries = (env: Env, ws: string, destinationId: string, limit: number) =>
  workspaceObject(env, ws).recoveries(destinationId, limit);

export type Started = { ok: true; recovery: RecoveryRow } | { ok: false; running: RecoveryRow | null };

/**
 * Starts a recovery of the destination: counts what it selects, stores it as running, and asks the
 * destination's lane to drive it. `ok: false` when one is already running.
 */
export async function startRecovery(
  env: Env,
  workspaceUuid: string,
  destinationId: string,
  request: RecoveryRequest,
  now = Date.now(),
): Promise<Started> {
  const running = await runningRecovery(env, workspaceUuid, destinationId);
  if (running) return { ok: false, running };
  const total = await countRecoverable(new HistoryView(env, workspaceUuid), destinationId, request, now);
  const row: RecoveryRow = {
    id: newId("rcv"),
    workspaceUuid,
    destinationId,
    ...request,
    createdAt: now,
    status: total === 0 ? "finished" : "running",
    total,
    sent: 0,
    cursor: null,
    updatedAt: now,
    finishedAt: total === 0 ? now : null,
    reason: null,
  };
  const started = await workspaceObject(env, workspaceUuid).startRecovery(row);
  if (started.ok && row.status === "running")
    await env.LANES.getByName(destinationId).recover(destinationId, workspaceUuid, row.id);
  return started;
}

/** A chunk as queued: each delivery with the attempts it had made before it was re-opened. */
export type Chunk = Reopened[];

type Step = { more: boolean; chunk: Chunk; paused?: boolean };

/** Whether more than half of the previous chunk still waits unsent (a slow, rate-limited or failing receiver). */
async function backedUp(view: HistoryView, destinationId: string, previous: Chunk): Promise<boolean> {
  const counts = await Promise.all(
    byPartition(previous, (r) => partitionOfId(view.workspaceUuid, r.id)).map(({ p, items }) =>
      view.stub(p).countUnsent(p, destinationId, items),
    ),
  );
  return counts.reduce((a, b) => a + b, 0) * 2 > previous.length;
}

/** Re-opens up to RECOVERY_CHUNK deliveries after the cursor, oldest partition first. */
async function reopenChunk(view: HistoryView, r: RecoveryRow): Promise<Chunk> {
  const chunk: Chunk = [];
  for (const p of await partitionsOf(view, r, r.cursor)) {
    if (chunk.length >= RECOVERY_CHUNK) break;
    chunk.push(...(await view.stub(p).reopen(p, selection(r, r.cursor), RECOVERY_CHUNK - chunk.length)));
  }
  return chunk;
}

/**
 * One step of a running recovery: re-opens up to RECOVERY_CHUNK deliveries after its cursor and queues
 * them (what the queue refuses is its partition sweep's, as for any new delivery), then moves the cursor
 * and the count; a short chunk finishes it. A disabled destination stops it (status `cancelled`).
 * Back-pressure: while more than half of the `previous` chunk waits unsent, it pauses instead, so a
 * recovery holds at most two chunks in the queue and lane.
 */
export async function recoveryStep(env: Env, ws: string, id: string, previous: Chunk = []): Promise<Step> {
  const home = workspaceObject(env, ws);
  const { recovery, partitions } = await home.recoveryToStep(id);
  if (recovery?.status !== "running") return { more: false, chunk: [] };
  const enabled = await env.DB.prepare(
    "SELECT enabled FROM destinations WHERE id = ?1 AND workspace_uuid = ?2",
  )
    .bind(recovery.destinationId, ws)
    .first<{ enabled: number }>();
  if (!enabled?.enabled) {
    await home.cancelRecovery(id, "the destination was disabled");
    return { more: false, chunk: [] };
  }
  const view = new HistoryView(env, ws, partitions);
  if (previous.length && (await backedUp(view, recovery.destinationId, previous)))
    return { more: true, chunk: previous, paused: true };
  const chunk = await reopenChunk(view, recovery);
  if (chunk.length) await queueReopened(env.DELIVERY_QUEUE, ws, recovery.destinationId, chunk);
  const done = chunk.length < RECOVERY_CHUNK;
  await home.advanceRecovery(id, chunk.length, chunk.at(-1)?.id ?? null, done);
  return { more: !done, chunk };
}

/** Queues re-opened deliveries with their attempt counts, so each message stands for the next attempt. */
async function queueReopened(
  queue: Queue<DeliveryMessage>,
  ws: string,
  destinationId: string,
  chunk: Chunk,
): Promise<void> {
  try {
    await enqueueDeliveries(
      queue,
      chunk.map((r) => ({ id: r.id, workspaceUuid: ws, destinationId, attemptsBefore: r.attemptsMade })),
    );
  } catch (error) {
    // Their next_attempt_at is now: their partition's sweep queues them once they are overdue.
    const unsent = error instanceof EnqueueError ? error.unsent.length : chunk.length;
    console.error("recovered deliveries left to the recovery sweep:", unsent, String(error));
  }
}
