// The queue consumer: load → render → sign → send → record → ack or retry.
//
// D1 work per batch is constant: one statement loads every message's delivery, destination and
// event; one transaction records every attempt and outcome. The sends in between run concurrently.
import { and, eq, sql } from "drizzle-orm";
import { database, statement } from "../db/client";
import { deliveries, destinations, type ErrorClass, events } from "../db/schema";
import type { DeliveryMessage } from "../events/ingest";
import { signingKeysFor } from "./keys";
import { type RenderedRequest, renderRequest, TemplateError } from "./render";
import { type AttemptOutcome, backoffSeconds, nextStep } from "./retry";
import { sendRequest, USER_AGENT } from "./send";
import { signPayload } from "./sign";
import { checkDestinationUrl } from "./url-policy";

type Loaded = Awaited<ReturnType<typeof loadBatch>>[number];

export type AttemptRecord = {
  deliveryId: string;
  number: number;
  startedAt: number;
  method: string;
  url: string;
  headers: [string, string][];
  responseStatus: number | null;
  responseBody: string | null;
  durationMs: number;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
};

function loadBatch(db: ReturnType<typeof database>, ids: string[]) {
  return db
    .select({
      id: deliveries.id,
      status: deliveries.status,
      attemptsMade: deliveries.attemptsMade,
      eventType: deliveries.eventType,
      destinationId: destinations.id,
      enabled: destinations.enabled,
      method: destinations.method,
      urlTemplate: destinations.urlTemplate,
      headersTemplate: destinations.headersTemplate,
      queryTemplate: destinations.queryTemplate,
      bodyTemplate: destinations.bodyTemplate,
      timeoutSeconds: destinations.timeoutSeconds,
      secretCiphertext: destinations.secretCiphertext,
      previousSecretCiphertext: destinations.previousSecretCiphertext,
      previousSecretExpiresAt: destinations.previousSecretExpiresAt,
      payload: events.payload,
    })
    .from(deliveries)
    .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .where(sql`${deliveries.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
}

// Header values that are credentials are kept out of the attempt history.
const SENSITIVE_HEADER =
  /^(authorization|proxy-authorization|cookie|x-leadpush-signature)$|token|secret|api-?key|password/i;
const redacted = (headers: Headers): [string, string][] =>
  [...headers].map(([name, value]) => [name, SENSITIVE_HEADER.test(name) ? "[redacted]" : value]);

/** The rendered headers plus those Leadpush sets on every delivery; a user's header never replaces these. */
export function deliveryHeaders(
  rendered: [string, string][],
  meta: { id: string; timestamp: number; eventType: string; signature: string },
): Headers {
  const headers = new Headers(rendered);
  if (!headers.has("user-agent")) headers.set("User-Agent", USER_AGENT);
  headers.set("X-Leadpush-Id", meta.id);
  headers.set("X-Leadpush-Timestamp", String(meta.timestamp));
  headers.set("X-Leadpush-Event", meta.eventType);
  headers.set("X-Leadpush-Signature", meta.signature);
  return headers;
}

async function attempt(
  row: Loaded,
  number: number,
  env: Env,
  fetcher: typeof fetch,
): Promise<{ record: AttemptRecord; retryAfter: string | null }> {
  const startedAt = new Date();
  const base = {
    deliveryId: row.id,
    number,
    startedAt: startedAt.getTime(),
    responseStatus: null,
    responseBody: null,
  };
  const configError = (errorClass: ErrorClass, message: string, url = row.urlTemplate) => ({
    record: {
      ...base,
      method: row.method,
      url,
      headers: [],
      durationMs: 0,
      errorClass,
      errorMessage: message,
    },
    retryAfter: null,
  });
  let rendered: RenderedRequest;
  try {
    rendered = renderRequest(row, JSON.parse(row.payload));
  } catch (error) {
    if (error instanceof TemplateError) return configError("template_error", error.message);
    throw error;
  }
  // The rendered URL meets the same policy as the saved template, before anything is signed or sent.
  const verdict = checkDestinationUrl(rendered.url, {
    allowPrivate: env.ALLOW_PRIVATE_DESTINATIONS === "true",
  });
  if (!verdict.ok) return configError("destination_blocked", verdict.reason, rendered.url);

  // The bytes signed are the bytes sent: the rendered body, or "" when none is sent.
  const timestamp = Math.floor(startedAt.getTime() / 1000);
  const signature = await signPayload(await signingKeysFor(env, row), row.id, timestamp, rendered.body ?? "");
  const headers = deliveryHeaders(rendered.headers, {
    id: row.id,
    timestamp,
    eventType: row.eventType,
    signature,
  });

  const result = await sendRequest(rendered, headers, row.timeoutSeconds, fetcher);
  return {
    record: {
      ...base,
      method: rendered.method,
      url: rendered.url,
      headers: redacted(headers),
      responseStatus: result.status,
      responseBody: result.responseBody,
      durationMs: result.durationMs,
      errorClass: result.errorClass,
      errorMessage: result.errorMessage,
    },
    retryAfter: result.retryAfter,
  };
}

type Settled = {
  message: Message<DeliveryMessage>;
  record: AttemptRecord;
  outcome: AttemptOutcome;
  destinationId: string;
};

export async function consumeDeliveries(
  batch: MessageBatch<DeliveryMessage>,
  env: Env,
  fetcher: typeof fetch = fetch,
): Promise<void> {
  const db = database(env.DB);
  const ids = [
    ...new Set(batch.messages.map((m) => m.body?.deliveryId).filter((id) => typeof id === "string")),
  ];
  const rows = new Map((ids.length ? await loadBatch(db, ids) : []).map((row) => [row.id, row]));

  const work: Promise<Settled | null>[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const message of batch.messages) {
    const row = rows.get(message.body?.deliveryId);
    const number = attemptNumber(message);
    // Gone (its destination was deleted), finished, a duplicate in this batch, or an attempt already
    // recorded: acknowledged without sending, which is what makes at-least-once delivery safe.
    const due =
      row !== undefined && row.status === "pending" && !seen.has(row.id) && number > row.attemptsMade;
    if (!due) {
      message.ack();
      continue;
    }
    seen.add(row.id);
    if (!row.enabled) {
      skipped.push(row.id);
      message.ack();
      continue;
    }
    work.push(
      attempt(row, number, env, fetcher).then(
        ({ record, retryAfter }) => ({
          message,
          record,
          destinationId: row.destinationId,
          outcome: nextStep(number, {
            errorClass: record.errorClass,
            status: record.responseStatus,
            retryAfter,
          }),
        }),
        (error: unknown) => {
          // Our own fault (say, a secret that no longer decrypts): this message alone is retried,
          // unrecorded, so the rest of the batch is neither lost nor sent twice.
          console.error(
            "delivery failed before sending",
            row.id,
            error instanceof Error ? error.message : String(error),
          );
          message.retry({ delaySeconds: backoffSeconds(number) });
          return null;
        },
      ),
    );
  }
  const settled = (await Promise.all(work)).filter((s) => s !== null);
  await recordOutcomes(db, settled, skipped);

  const exhausted = settled.filter((s) => s.outcome.kind === "failed" && s.outcome.exhausted);
  if (exhausted.length)
    await deadLetter(
      env,
      exhausted.map((s) => s.record.deliveryId),
    );
  for (const { message, outcome } of settled) {
    if (outcome.kind === "retry") message.retry({ delaySeconds: outcome.delaySeconds });
    else message.ack();
  }
}

/** The attempt a message stands for: the queue's own count, after any attempts made before a requeue. */
export const attemptNumber = (message: Message<DeliveryMessage>) =>
  (message.body?.attemptsBefore ?? 0) + message.attempts;

/**
 * Exhausted deliveries are already recorded `failed`; the dead-letter queue gets them too, so they can
 * be inspected and replayed in bulk. (A message whose consumer keeps throwing reaches it by itself,
 * through max_retries.) A failure to enqueue loses nothing that D1 does not already hold.
 */
async function deadLetter(env: Env, deliveryIds: string[]) {
  try {
    await env.DEAD_LETTER_QUEUE.sendBatch(
      deliveryIds.map((deliveryId) => ({ body: { deliveryId }, contentType: "json" })),
    );
  } catch (error) {
    console.error(
      "could not enqueue to the dead-letter queue",
      error instanceof Error ? error.message : String(error),
    );
  }
}

// The batch's writes, one statement each whatever the batch size: rows travel as one JSON parameter.
// `+status` keeps SQLite from driving an update through the (status, next_attempt_at) index, which
// would visit every pending delivery; each row is found by its primary key instead.
export const RECORD_ATTEMPTS_SQL = `
  INSERT OR IGNORE INTO attempts (delivery_id, number, started_at, method, url, request_headers,
    response_status, response_body, duration_ms, error_class, error_message)
  SELECT value ->> 'd', value ->> 'n', value ->> 's', value ->> 'm', value ->> 'u', value -> 'h',
    value ->> 'rs', value ->> 'rb', value ->> 'ms', value ->> 'ec', value ->> 'em'
  FROM json_each(?)`;

export const RECORD_OUTCOMES_SQL = `
  UPDATE deliveries SET status = u.value ->> 's', attempts_made = u.value ->> 'n',
    next_attempt_at = u.value ->> 't', status_reason = u.value ->> 'r', updated_at = ?1
  FROM json_each(?2) AS u
  WHERE deliveries.id = u.value ->> 'id' AND +deliveries.status = 'pending'
    AND deliveries.attempts_made < u.value ->> 'n'`;

export const RECORD_SKIPPED_SQL = `
  UPDATE deliveries SET status = 'skipped', next_attempt_at = NULL, updated_at = ?1,
    status_reason = 'the destination was disabled when this delivery was due'
  WHERE id IN (SELECT value FROM json_each(?2)) AND +status = 'pending'`;

async function recordOutcomes(db: ReturnType<typeof database>, settled: Settled[], skipped: string[]) {
  const now = Date.now();
  const d1 = db.$client;
  const statements: D1PreparedStatement[] = [];
  if (settled.length) {
    const attemptRows = settled.map(({ record: r }) => ({
      d: r.deliveryId,
      n: r.number,
      s: r.startedAt,
      m: r.method,
      u: r.url,
      h: r.headers,
      rs: r.responseStatus,
      rb: r.responseBody,
      ms: r.durationMs,
      ec: r.errorClass,
      em: r.errorMessage,
    }));
    // The (delivery, number) key makes a replayed message's record a no-op.
    statements.push(d1.prepare(RECORD_ATTEMPTS_SQL).bind(JSON.stringify(attemptRows)));
    const updates = settled.map(({ record, outcome }) => ({
      id: record.deliveryId,
      n: record.number,
      s: outcome.kind === "succeeded" ? "succeeded" : outcome.kind === "retry" ? "pending" : "failed",
      t: outcome.kind === "retry" ? now + outcome.delaySeconds * 1000 : null,
      r:
        outcome.kind === "failed"
          ? `${outcome.reason}${record.errorMessage ? ` (last: ${record.errorMessage})` : ""}`
          : outcome.kind === "retry"
            ? record.errorMessage
            : null,
    }));
    statements.push(d1.prepare(RECORD_OUTCOMES_SQL).bind(now, JSON.stringify(updates)));
  }
  if (skipped.length) {
    statements.push(d1.prepare(RECORD_SKIPPED_SQL).bind(now, JSON.stringify(skipped)));
  }
  const gone = settled.filter((s) => s.outcome.kind === "failed" && s.outcome.disableDestination);
  for (const { destinationId } of gone) {
    statements.push(
      statement(
        db,
        db
          .update(destinations)
          .set({
            enabled: false,
            disabledReason: `The receiver answered 410 Gone on ${new Date(now).toISOString()}; deliveries stopped.`,
            updatedAt: now,
          })
          .where(and(eq(destinations.id, destinationId), eq(destinations.enabled, true))),
      ),
    );
  }
  // One transaction: every attempt and outcome of the batch is recorded, or none is (and the batch retries).
  if (statements.length) await d1.batch(statements);
}
