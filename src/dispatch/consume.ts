// The queue consumer: load → prepare and sign every request → (send, per delivery) → record → ack or retry.
//
// D1 work per batch is constant: one round trip loads every message's delivery, destination and
// event (load.ts); one transaction records every attempt and outcome. The sends in between run concurrently, at
// most 6 at a time and 2 per destination while others wait (slots.ts).
import { configOf } from "../config";
import { database } from "../db/client";
import { dispatchAnnounced } from "../lifecycle/announce";
import type { DeliveryMessage } from "../queue";
import { type Prepared, prepareRequest } from "../rules/prepare";
import { type AttemptResult, attemptDelivery, type Signed, signPrepared } from "./attempt";
import { sendToDeadLetter } from "./dead-letter";
import { goesDirect, handToLanes, watchDirectSends } from "./handoff";
import { directPathChanges, healthStatement } from "./health";
import { signingKeysFor } from "./keys";
import { type LoadedDelivery, loadDeliveries } from "./load";
import { recordOutcomes, type Settled } from "./record";
import { HONOURS_RETRY_AFTER, nextStep, retryAfterSeconds } from "./retry";
import { runInSlots } from "./slots";

/** A batch whose lane could not be reached tries again this soon (no attempt was made). */
const LANE_RETRY_SECONDS = 5;

import type { UrlPolicyOptions } from "../rules/url-policy";

/**
 * What is done for a delivery ahead of its send: its prepared request and, if it could be signed, its
 * headers signed in that second; or what preparing it threw (recorded as the attempt's error).
 */
type Ahead = { prepared: Prepared; signed?: Signed } | { thrown: unknown };
export type Due = { message: Message<DeliveryMessage>; row: LoadedDelivery; number: number; ahead?: Ahead };

/** The attempt a message stands for: the queue's own count, after any attempts made before a requeue. */
export const attemptNumber = (message: Message<DeliveryMessage>) =>
  (message.body?.attemptsBefore ?? 0) + message.attempts;

/**
 * Sorts the batch: messages due an attempt, deliveries to record as skipped (destination disabled),
 * and the rest acknowledged without sending — gone (destination deleted), finished, a duplicate in
 * this batch, or an attempt already recorded. That is what makes at-least-once delivery safe.
 */
function triage(messages: readonly Message<DeliveryMessage>[], rows: Map<string, LoadedDelivery>) {
  const due: Due[] = [];
  const toLanes: Due[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const message of messages) {
    const row = rows.get(message.body?.deliveryId);
    const number = attemptNumber(message);
    if (row === undefined || row.status !== "pending" || seen.has(row.id) || number <= row.attemptsMade) {
      message.ack();
      continue;
    }
    seen.add(row.id);
    if (row.enabled) {
      (goesDirect(row) ? due : toLanes).push({ message, row, number });
    } else {
      skipped.push(row.id);
      message.ack();
    }
  }
  return { due, toLanes, skipped };
}

type SettledMessage = Settled & { message: Message<DeliveryMessage> };

/**
 * Our own fault (say, a secret that no longer decrypts, or a bug): recorded as an `internal_error`
 * attempt and retried on the schedule like any failure, so no delivery is retried silently and the
 * rest of the batch is neither lost nor sent twice. The message shown is ours, never the error's text,
 * which could quote a payload; the log keeps the text.
 */
function internalError(row: LoadedDelivery, number: number, error: unknown): AttemptResult {
  console.error(
    "delivery attempt failed on our side",
    row.id,
    error instanceof Error ? error.message : String(error),
  );
  const kind = error instanceof Error ? error.name : typeof error;
  const record = {
    deliveryId: row.id,
    number,
    startedAt: Date.now(),
    method: row.method,
    url: row.urlTemplate,
    requestHeaders: [],
    responseStatus: null,
    responseBody: null,
    durationMs: 0,
    errorClass: "internal_error" as const,
    errorMessage: `Leadpush could not prepare or send this request (an internal ${kind}); it will be retried.`,
  };
  return { record, retryAfter: null };
}

/** Each event's payload parsed once per batch, however many of its deliveries the batch holds. */
function payloadParser() {
  const parsed = new Map<string, Record<string, unknown>>();
  return (row: LoadedDelivery) => {
    const key = `${row.workspaceUuid} ${row.eventId}`;
    let payload = parsed.get(key);
    if (payload === undefined) {
      payload = JSON.parse(row.payload) as Record<string, unknown>;
      parsed.set(key, payload);
    }
    return payload;
  };
}

/** Rendered characters (bodies and header values) a batch may hold prepared ahead of their sends. */
export const PREPARE_AHEAD_CHARS = 4 * 1024 * 1024;

/**
 * Renders the batch's requests in one pass before the first send: one tight loop costs the isolate a
 * fraction of the same renders spread between sends and their answers (BENCHMARKS.md). Nothing here
 * depends on time, so a request prepared ahead is the one it would have been when sent. The pass
 * stops once PREPARE_AHEAD_CHARS are held, so large bodies are rendered when their slot opens instead;
 * it returns how many it prepared.
 */
export function prepareAhead(
  due: Due[],
  payloadOf: (row: LoadedDelivery) => Record<string, unknown>,
  policy: UrlPolicyOptions,
): number {
  let held = 0;
  let count = 0;
  for (const d of due) {
    if (held >= PREPARE_AHEAD_CHARS) break;
    try {
      const prepared = prepareRequest(d.row, payloadOf(d.row), policy);
      d.ahead = { prepared };
      if (prepared.ok) {
        held += prepared.request.body?.length ?? 0;
        for (const [, value] of prepared.request.headers) held += value.length;
      }
    } catch (thrown) {
      d.ahead = { thrown };
    }
    count++;
  }
  return count;
}

/**
 * Signs the requests prepared ahead, in one pass too, with the current second as their timestamp. An
 * attempt that starts within that second sends these headers; a later one signs again (attempt.ts).
 * A key that cannot be had is left to the attempt, which meets the same error and records it.
 */
export async function signAhead(due: Due[], env: Env): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000);
  await Promise.all(
    due.map(async ({ row, ahead }) => {
      if (ahead === undefined || "thrown" in ahead || !ahead.prepared.ok) return;
      try {
        const keys = await signingKeysFor(env, row);
        ahead.signed = await signPrepared(row, ahead.prepared.request, keys, timestamp);
      } catch {
        // left to the attempt
      }
    }),
  );
}

function preparedFor(d: Due, env: Env, payloadOf: ReturnType<typeof payloadParser>): Prepared {
  if (d.ahead === undefined) return prepareRequest(d.row, payloadOf(d.row), configOf(env).urlPolicy);
  if ("thrown" in d.ahead) throw d.ahead.thrown;
  return d.ahead.prepared;
}

/**
 * One attempt and what follows it (retry, success, failure), for the consumer and the lanes alike. What
 * preparing or sending throws is recorded as the attempt's `internal_error`.
 */
export async function attemptAndDecide(
  row: LoadedDelivery,
  number: number,
  env: Env,
  fetcher: typeof fetch,
  prepare: () => Prepared,
  signed?: Signed,
): Promise<Settled> {
  let attempt: AttemptResult;
  try {
    attempt = await attemptDelivery(row, prepare(), number, env, fetcher, signed);
  } catch (error) {
    attempt = internalError(row, number, error);
  }
  const { record, retryAfter } = attempt;
  const result = { errorClass: record.errorClass, status: record.responseStatus, retryAfter };
  const outcome = nextStep(number, result, Math.random, configOf(env).retrySpeedup);
  const asked =
    outcome.kind === "retry" &&
    record.responseStatus !== null &&
    HONOURS_RETRY_AFTER.has(record.responseStatus) &&
    retryAfterSeconds(retryAfter) !== null;
  const delivery = { workspaceUuid: row.workspaceUuid, eventId: row.eventId, eventType: row.eventType };
  const base = { record, outcome, destinationId: row.destinationId, delivery };
  return asked ? { ...base, pauseSeconds: outcome.delaySeconds } : base;
}

async function settle(
  d: Due,
  env: Env,
  fetcher: typeof fetch,
  payloadOf: ReturnType<typeof payloadParser>,
): Promise<SettledMessage> {
  const signed = d.ahead && "signed" in d.ahead ? d.ahead.signed : undefined;
  const settled = await attemptAndDecide(
    d.row,
    d.number,
    env,
    fetcher,
    () => preparedFor(d, env, payloadOf),
    signed,
  );
  return { ...settled, message: d.message };
}

export async function consumeDeliveries(
  batch: MessageBatch<DeliveryMessage>,
  env: Env,
  fetcher: typeof fetch = fetch,
): Promise<void> {
  const db = database(env.DB);
  const ids = [
    ...new Set(batch.messages.map((m) => m.body?.deliveryId).filter((id) => typeof id === "string")),
  ];
  const rows = new Map((ids.length ? await loadDeliveries(db, ids) : []).map((row) => [row.id, row]));
  const { due, toLanes, skipped } = triage(batch.messages, rows);
  // First, so a slow destination's lane starts while the direct sends run.
  const handedOver = toLanes.length
    ? handToLanes(
        env,
        toLanes.map((d) => d.row),
      )
    : undefined;

  const payloadOf = payloadParser();
  prepareAhead(due, payloadOf, configOf(env).urlPolicy);
  await signAhead(due, env);
  const watch = due.length ? watchDirectSends(env) : undefined;
  const settled = await runInSlots(
    due,
    (d) => d.row.destinationId,
    async (d) => {
      watch?.started(d.row.id, d.row.destinationId);
      try {
        return await settle(d, env, fetcher, payloadOf);
      } finally {
        watch?.ended(d.row.id);
      }
    },
  );
  await watch?.stop();
  const failuresBefore = new Map(due.map((d) => [d.row.destinationId, d.row.consecutiveFailures]));
  const health = directPathChanges(settled, (id) => failuresBefore.get(id) ?? 0);
  const announced = await recordOutcomes(db, settled, skipped, {
    extra: health.map((c) => healthStatement(env.DB, c)),
    healthChanged: new Set(health.map((c) => c.destinationId)),
    autoDisableMs: configOf(env).autoDisableAfterMs,
  });
  await dispatchAnnounced(db, env.DELIVERY_QUEUE, announced);
  if (handedOver) {
    const taken = await handedOver;
    for (const { message, row } of toLanes) {
      if (taken.has(row.id)) message.ack();
      else message.retry({ delaySeconds: LANE_RETRY_SECONDS });
    }
  }

  const exhausted = settled.filter((s) => s.outcome.kind === "failed" && s.outcome.exhausted);
  await sendToDeadLetter(
    env,
    exhausted.map((s) => s.record.deliveryId),
  );
  for (const { message, outcome } of settled) {
    if (outcome.kind === "retry") message.retry({ delaySeconds: outcome.delaySeconds });
    else message.ack();
  }
}
