// One attempt at one delivery: sign → send, described as the record the consumer stores.
import type { AttemptRow, StoredRequestHeaders } from "../db/history-schema";
import type { Prepared } from "../rules/prepare";
import type { RenderedRequest } from "../rules/render";
import { deliveryHeaders, REDACTED, signPayload } from "../rules/signature";
import { signingKeysFor } from "./keys";
import type { LoadedDelivery } from "./load";
import { sendRequest } from "./send";

/** An attempt made, as it is recorded, with what the receiver asked for its retry. */
export type AttemptResult = { record: AttemptRow; retryAfter: string | null };

// Header values that are credentials are kept out of the attempt history (docs/deliveries.md):
// Cookie, and any name that speaks of auth, a token, secret, key, password, session or signature.
const SENSITIVE_HEADER = /^cookie$|auth|token|secret|key|password|session|signature/i;
const redacted = (headers: [string, string][]): [string, string][] =>
  headers.map(([name, value]) => [name, SENSITIVE_HEADER.test(name) ? REDACTED : value]);

/** A prepared request's headers, signed for one second (unix seconds), in the forms they are used in. */
export type Signed = {
  timestamp: number;
  /**
   * Every header sent, as the plain object `fetch` takes (faster for workerd than a list of pairs): the
   * rendered ones, then Leadpush's (deliveryHeaders).
   */
  fields: Record<string, string>;
  /** What the attempt stores: the rendered headers, credentials redacted; the rest are restored. */
  recorded: StoredRequestHeaders;
};

/** The delivery headers of a prepared request, signed with `timestamp`: its attempt's second. */
export async function signPrepared(
  row: Pick<LoadedDelivery, "id" | "eventType">,
  request: RenderedRequest,
  keys: CryptoKey[],
  timestamp: number,
): Promise<Signed> {
  // The bytes signed are the bytes sent: the rendered body, or "" when none is sent.
  const signature = await signPayload(keys, row.id, timestamp, request.body ?? "");
  const meta = { id: row.id, timestamp, eventType: row.eventType, signature };
  const headers = deliveryHeaders(request.headers, meta);
  // Names are unique: the save rules refuse a repeated name in any case, and deliveryHeaders adds each
  // of its own once.
  const fields = Object.fromEntries(headers);
  return {
    timestamp,
    fields,
    recorded: { rendered: redacted(headers.slice(0, request.headers.length)) },
  };
}

/**
 * One attempt of a delivery whose request is prepared (prepare.ts): sign it, send it, describe it.
 * Headers signed ahead are sent only when they were signed in the second this attempt starts; otherwise
 * the request is signed again, so X-Leadpush-Timestamp is always the attempt's own.
 */
export async function attemptDelivery(
  row: LoadedDelivery,
  prepared: Prepared,
  number: number,
  env: Env,
  fetcher: typeof fetch,
  signedAhead?: Signed,
): Promise<AttemptResult> {
  const startedAt = Date.now();
  const base = { deliveryId: row.id, number, startedAt, responseStatus: null, responseBody: null };
  if (!prepared.ok) {
    const { errorClass, message, url } = prepared;
    const record = {
      ...base,
      method: row.method,
      url,
      requestHeaders: [],
      durationMs: 0,
      errorClass,
      errorMessage: message,
    };
    return { record, retryAfter: null };
  }
  const { request } = prepared;
  const timestamp = Math.floor(startedAt / 1000);
  const signed =
    signedAhead?.timestamp === timestamp
      ? signedAhead
      : await signPrepared(row, request, await signingKeysFor(env, row), timestamp);
  const result = await sendRequest(request, signed.fields, row.timeoutSeconds, fetcher);
  return {
    record: {
      ...base,
      method: request.method,
      url: request.url,
      requestHeaders: signed.recorded,
      ...result.exchange,
    },
    retryAfter: result.retryAfter,
  };
}

/**
 * Our own fault (say, a secret that no longer decrypts, or a bug): recorded as an `internal_error`
 * attempt and retried on the schedule like any failure, so no delivery is retried silently and the
 * rest of the batch is neither lost nor sent twice. The message shown is ours, never the error's text,
 * which could quote a payload; the log keeps the text.
 */
export function internalError(row: LoadedDelivery, number: number, error: unknown): AttemptResult {
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
