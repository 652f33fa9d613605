// One attempt at one delivery: prepare → sign → send, described as the record the consumer stores.
import type { ErrorClass } from "../db/schema";
import { signingKeysFor } from "./keys";
import type { LoadedDelivery } from "./load";
import { prepareRequest, urlPolicyFor } from "./prepare";
import { sendRequest } from "./send";
import { deliveryHeaders, signPayload } from "./sign";

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

export type AttemptResult = { record: AttemptRecord; retryAfter: string | null };

// Header values that are credentials are kept out of the attempt history (docs/deliveries.md):
// Cookie, and any name that speaks of auth, a token, secret, key, password, session or signature.
const SENSITIVE_HEADER = /^cookie$|auth|token|secret|key|password|session|signature/i;
const redacted = (headers: Headers): [string, string][] =>
  [...headers].map(([name, value]) => [name, SENSITIVE_HEADER.test(name) ? "[redacted]" : value]);

export async function attemptDelivery(
  row: LoadedDelivery,
  number: number,
  env: Env,
  fetcher: typeof fetch,
): Promise<AttemptResult> {
  const startedAt = Date.now();
  const base = { deliveryId: row.id, number, startedAt, responseStatus: null, responseBody: null };
  const prepared = prepareRequest(row, JSON.parse(row.payload), urlPolicyFor(env));
  if (!prepared.ok) {
    const { errorClass, message, url } = prepared;
    const record = {
      ...base,
      method: row.method,
      url,
      headers: [],
      durationMs: 0,
      errorClass,
      errorMessage: message,
    };
    return { record, retryAfter: null };
  }
  const { request } = prepared;
  // The bytes signed are the bytes sent: the rendered body, or "" when none is sent.
  const timestamp = Math.floor(startedAt / 1000);
  const signature = await signPayload(await signingKeysFor(env, row), row.id, timestamp, request.body ?? "");
  const headers = deliveryHeaders(request.headers, {
    id: row.id,
    timestamp,
    eventType: row.eventType,
    signature,
  });

  const result = await sendRequest(request, headers, row.timeoutSeconds, fetcher);
  return {
    record: {
      ...base,
      method: request.method,
      url: request.url,
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
