// Recording a consumer batch: every attempt and every outcome in one D1 transaction, one statement
// each whatever the batch size (rows travel as one JSON parameter).
import type { Database } from "../db/client";
import { type AttemptRow, attempts } from "../db/schema";
import type { Announced } from "../lifecycle/announce";
import { batchAnnouncements } from "../lifecycle/transitions";
import type { AttemptOutcome } from "./retry";

export type Settled = {
  record: AttemptRow;
  outcome: AttemptOutcome;
  destinationId: string;
  /** The delivery's workspace and event, for the failure lifecycle's announcements. */
  delivery: { workspaceUuid: string; eventId: string; eventType: string };
  /** The receiver asked for this pause (429/503 with Retry-After); its lane holds every delivery for it. */
  pauseSeconds?: number;
};

/** Every field of an attempt, in the order its rows travel to RECORD_ATTEMPTS_SQL. */
const ATTEMPT_FIELDS = [
  "deliveryId",
  "number",
  "startedAt",
  "method",
  "url",
  "requestHeaders",
  "responseStatus",
  "responseBody",
  "durationMs",
  "errorClass",
  "errorMessage",
] as const satisfies readonly (keyof AttemptRow)[];

// The (delivery, number) key makes a replayed message's record a no-op. Each row is a JSON array (read
// by position, cheaper for SQLite than by key); its headers stay JSON (`->`). The columns are the
// table's own (src/db/schema.ts), so a field added there is a field added here.
export const RECORD_ATTEMPTS_SQL = `
  INSERT OR IGNORE INTO attempts (${ATTEMPT_FIELDS.map((f) => attempts[f].name).join(", ")})
  SELECT ${ATTEMPT_FIELDS.map((f, i) => (f === "requestHeaders" ? `value -> ${i}` : `value ->> ${i}`)).join(", ")}
  FROM json_each(?)`;

// `+status` keeps SQLite from driving an update through the (status, next_attempt_at) index, which
// would visit every pending delivery; each row is found by its primary key instead.
export const RECORD_OUTCOMES_SQL = `
  UPDATE deliveries SET status = u.value ->> 's', attempts_made = u.value ->> 'n',
    next_attempt_at = u.value ->> 't', lane_due_at = u.value ->> 'h', status_reason = u.value ->> 'r', updated_at = ?1
  FROM json_each(?2) AS u
  WHERE deliveries.id = u.value ->> 'id' AND +deliveries.status = 'pending'
    AND deliveries.attempts_made < u.value ->> 'n'`;

export const RECORD_SKIPPED_SQL = `
  UPDATE deliveries SET status = 'skipped', next_attempt_at = NULL, lane_due_at = NULL, updated_at = ?1,
    status_reason = 'the destination was disabled when this delivery was due'
  WHERE id IN (SELECT value FROM json_each(?2)) AND +status = 'pending'`;

/** In RECORD_ATTEMPTS_SQL's column order. */
const attemptRow = (r: AttemptRow) => ATTEMPT_FIELDS.map((f) => r[f]);

/**
 * The delivery's new state after an attempt: status, next due time, and why in words. A retry its
 * destination's lane holds is due in lane_due_at, not next_attempt_at, so the recovery sweep leaves it be.
 */
function outcomeRow({ record, outcome }: Settled, now: number, heldByLane: boolean) {
  const status = outcome.kind === "succeeded" ? "succeeded" : outcome.kind === "retry" ? "pending" : "failed";
  let reason: string | null = null;
  if (outcome.kind === "failed")
    reason = `${outcome.reason}${record.errorMessage ? ` (last: ${record.errorMessage})` : ""}`;
  else if (outcome.kind === "retry") reason = record.errorMessage;
  const due = outcome.kind === "retry" ? now + outcome.delaySeconds * 1000 : null;
  return {
    id: record.deliveryId,
    n: record.number,
    s: status,
    t: heldByLane ? null : due,
    h: heldByLane ? due : null,
    r: reason,
  };
}

// D1 caps a string at 2 MB: the batch's attempt rows (each up to a 16 KiB response excerpt, JSON-escaped,
// plus its headers) travel in parameters of at most this many characters, all in the one transaction.
const PARAMETER_CHARS = 512 * 1024;

/** The rows as JSON arrays, each within PARAMETER_CHARS (a larger single row travels alone). */
export function jsonChunks(rows: unknown[]): string[] {
  const whole = JSON.stringify(rows); // the usual batch: one parameter, one stringify
  if (whole.length <= PARAMETER_CHARS) return [whole];
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (current.length && size + json.length + 1 > PARAMETER_CHARS) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += json.length + 1;
  }
  if (current.length) chunks.push(`[${current.join(",")}]`);
  return chunks;
}

export type RecordOptions = {
  /** Statements to commit in the same transaction (the destinations' health, src/dispatch/health.ts). */
  extra?: D1PreparedStatement[];
  /** Destinations whose run of failures `extra` changed: their failing / recovered state is announced. */
  healthChanged?: ReadonlySet<string>;
  /** AUTO_DISABLE_AFTER_HOURS in ms, for destination.failing's `disables_at` (src/config.ts). */
  autoDisableMs?: number;
  /** The attempts were made by a destination's lane, which keeps the retries (src/flow/lane.ts). */
  heldByLane?: boolean;
};

const toLifecycle = ({ record, outcome, destinationId, delivery }: Settled) => ({
  destinationId,
  ...delivery,
  deliveryId: record.deliveryId,
  number: record.number,
  startedAt: record.startedAt,
  responseStatus: record.responseStatus,
  errorClass: record.errorClass,
  exhausted: outcome.kind === "failed",
  gone: outcome.kind === "failed" && outcome.disableDestination === true,
});

/**
 * Records a batch, and announces what it changed (docs/lifecycle.md) in the same transaction; returns
 * what the announcements wrote, for the caller to queue (src/lifecycle/announce.ts).
 */
export async function recordOutcomes(
  db: Database,
  settled: Settled[],
  skipped: string[],
  { extra = [], heldByLane = false, healthChanged = new Set(), autoDisableMs = 0 }: RecordOptions = {},
): Promise<Announced> {
  const now = Date.now();
  const d1 = db.$client;
  const statements: D1PreparedStatement[] = [];
  if (settled.length) {
    for (const rows of jsonChunks(settled.map((s) => attemptRow(s.record))))
      statements.push(d1.prepare(RECORD_ATTEMPTS_SQL).bind(rows));
    for (const updates of jsonChunks(settled.map((s) => outcomeRow(s, now, heldByLane))))
      statements.push(d1.prepare(RECORD_OUTCOMES_SQL).bind(now, updates));
  }
  if (skipped.length) statements.push(d1.prepare(RECORD_SKIPPED_SQL).bind(now, JSON.stringify(skipped)));
  statements.push(...extra);
  // After the health statements, whose state the failing and recovered guards read.
  const announcements = batchAnnouncements(d1, settled.map(toLifecycle), healthChanged, autoDisableMs, now);
  const announcing = announcements.statements();
  statements.push(...announcing);
  // One transaction: every attempt and outcome of the batch is recorded, or none is (and the batch retries).
  if (!statements.length) return { deliveryIds: [], filtered: [] };
  const results = await d1.batch(statements);
  return announcements.read(results.slice(statements.length - announcing.length));
}
