// The queue consumer: load → attempt (per delivery; the batch pass first) → record → ack or retry.
//
// Storage work per batch is constant: one read of D1 for the destinations, and one call per history
// partition the batch touches (to load, then to record every attempt and outcome in one transaction) and
// per workspace (its destinations' health). The sends in between run concurrently, at most 6 at a time and
// 2 per destination while others wait (slots.ts).
import { configOf } from "../config";
import type { DeliveryMessage } from "../queue";
import { type Prepared, prepareRequest } from "../rules/prepare";
import { type AttemptResult, attemptDelivery, internalError, type Signed } from "./attempt";
import { batchPass, type Early, preparedOr } from "./batch-pass";
import { sendToDeadLetter } from "./dead-letter";
import { goesDirect, handToLanes, watchDirectSends } from "./handoff";
import { directPathChanges } from "./health";
import { type DeliveryRef, type LoadedDelivery, loadDeliveries } from "./load";
import { recordOutcomes, type Settled } from "./record";
import { HONOURS_RETRY_AFTER, nextStep, retryAfterSeconds } from "./retry";
import { runInSlots } from "./slots";

/** A batch whose lane could not be reached tries again this soon (no attempt was made). */
const LANE_RETRY_SECONDS = 5;

type Due = { message: Message<DeliveryMessage>; row: LoadedDelivery; number: number };

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
  const skipped: DeliveryRef[] = [];
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
      skipped.push(row);
      message.ack();
    }
  }
  return { due, toLanes, skipped };
}

type SettledMessage = Settled & { message: Message<DeliveryMessage> };

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
  early: Early | undefined,
): Promise<SettledMessage> {
  const prepare = () =>
    preparedOr(early, () => prepareRequest(d.row, payloadOf(d.row), configOf(env).urlPolicy));
  const signed = early && "signed" in early ? early.signed : undefined;
  const settled = await attemptAndDecide(d.row, d.number, env, fetcher, prepare, signed);
  return { ...settled, message: d.message };
}

/** Load: the batch's deliveries that still exist, each with its destination and event, by id. */
async function load(env: Env, messages: readonly Message<DeliveryMessage>[]) {
  const refs = new Map<string, DeliveryRef>();
  for (const { body } of messages)
    if (
      typeof body?.deliveryId === "string" &&
      typeof body.workspaceUuid === "string" &&
      typeof body.destinationId === "string"
    )
      refs.set(body.deliveryId, {
        id: body.deliveryId,
        workspaceUuid: body.workspaceUuid,
        destinationId: body.destinationId,
      });
  return new Map(
    (refs.size ? await loadDeliveries(env, [...refs.values()]) : []).map((row) => [row.id, row]),
  );
}

/** Attempt: every due delivery once, in the send slots, after the batch pass. */
async function attemptAll(due: Due[], env: Env, fetcher: typeof fetch): Promise<SettledMessage[]> {
  const payloadOf = payloadParser();
  const rows = due.map((d) => d.row);
  const early = await batchPass(rows, env, payloadOf, configOf(env).urlPolicy);
  const watch = due.length ? watchDirectSends(env) : undefined;
  const settled = await runInSlots(
    due,
    (d) => d.row.destinationId,
    async (d) => {
      watch?.started(d.row);
      try {
        return await settle(d, env, fetcher, payloadOf, early.get(d.row));
      } finally {
        watch?.ended(d.row.id);
      }
    },
  );
  await watch?.stop();
  return settled;
}

/**
 * Record: the attempts, outcomes and skips in their partitions, and the health changes in their
 * workspaces. Returns the deliveries whose partition could not record them.
 */
function record(
  env: Env,
  rows: Map<string, LoadedDelivery>,
  due: Due[],
  settled: SettledMessage[],
  skipped: DeliveryRef[],
) {
  const failuresBefore = new Map(due.map((d) => [d.row.destinationId, d.row.consecutiveFailures]));
  const changes = directPathChanges(settled, (id) => failuresBefore.get(id) ?? 0);
  return recordOutcomes(env, rows, settled, skipped, { changes });
}

/**
 * Ack: what a lane took is acked, the rest retried soon; attempted messages by their outcome, or retried
 * soon when their partition could not record them (the attempt is made again: the receiver dedupes on
 * X-Leadpush-Id).
 */
async function ack(
  env: Env,
  toLanes: Due[],
  taken: Set<string> | undefined,
  settled: SettledMessage[],
  unrecorded: Set<string>,
) {
  if (taken) {
    for (const { message, row } of toLanes) {
      if (taken.has(row.id)) message.ack();
      else message.retry({ delaySeconds: LANE_RETRY_SECONDS });
    }
  }
  const exhausted = settled.filter(
    (s) => s.outcome.kind === "failed" && s.outcome.exhausted && !unrecorded.has(s.record.deliveryId),
  );
  await sendToDeadLetter(
    env,
    exhausted.map((s) => s.message.body),
  );
  for (const { message, outcome, record } of settled) {
    if (unrecorded.has(record.deliveryId)) message.retry({ delaySeconds: LANE_RETRY_SECONDS });
    else if (outcome.kind === "retry") message.retry({ delaySeconds: outcome.delaySeconds });
    else message.ack();
  }
}

export async function consumeDeliveries(
  batch: MessageBatch<DeliveryMessage>,
  env: Env,
  fetcher: typeof fetch = fetch,
): Promise<void> {
  const rows = await load(env, batch.messages);
  const { due, toLanes, skipped } = triage(batch.messages, rows);
  // Handed over first, so a slow destination's lane starts while the direct sends run.
  const handedOver = toLanes.length
    ? handToLanes(
        env,
        toLanes.map((d) => d.row),
      )
    : undefined;
  const settled = await attemptAll(due, env, fetcher);
  const unrecorded = await record(env, rows, due, settled, skipped);
  await ack(env, toLanes, handedOver && (await handedOver), settled, unrecorded);
}
