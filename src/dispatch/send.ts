// One HTTP exchange with a receiver, bounded in time and in what is read back.

import type { AttemptRow } from "../db/history-schema";
import { RESPONSE_EXCERPT_BYTES } from "../limits";
import type { RenderedRequest } from "../rules/render";
import { HONOURS_RETRY_AFTER } from "./retry";

/** What one exchange tells its attempt (the record's own fields), and the receiver's Retry-After. */
export type SendResult = {
  exchange: Pick<
    AttemptRow,
    "responseStatus" | "responseBody" | "durationMs" | "errorClass" | "errorMessage"
  >;
  retryAfter: string | null;
};

/** Rejects when the signal aborts: a body read must not outlive the attempt's timeout. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/**
 * Reads at most `limit` bytes of a body, then lets the rest go. A body declared empty is not read, only
 * cancelled, which frees its connection (the runtime holds a connection until its body is read or
 * cancelled) without the read's round trip through the event loop: about 10 µs per delivery
 * (BENCHMARKS.md). A body that declares a length within the limit (the usual short answer) is read
 * whole: the attempt's signal, given to fetch, aborts that read as it aborts the fetch. Any other body is
 * read chunk by chunk, each read raced against the signal.
 */
async function readExcerpt(response: Response, limit: number, signal: AbortSignal): Promise<string> {
  const declared = response.headers.get("content-length");
  if (declared === "0") {
    response.body?.cancel().catch(() => undefined);
    return "";
  }
  if (declared !== null && /^\d{1,9}$/.test(declared) && Number(declared) <= limit) return response.text();
  const body = response.body;
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  const abort = aborted(signal);
  abort.catch(() => undefined);
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await Promise.race([reader.read(), abort]);
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const joined = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, joined.length - offset);
    joined.set(part, offset);
    offset += part.length;
    if (offset >= joined.length) break;
  }
  return new TextDecoder().decode(joined);
}

/**
 * Sends the request. The timeout covers connecting, the response headers and reading the excerpt;
 * redirects are not followed, so a 3xx is a failed attempt and never carries the request elsewhere.
 */
export async function sendRequest(
  request: RenderedRequest,
  headers: Record<string, string>,
  timeoutSeconds: number,
  fetcher: typeof fetch = fetch,
): Promise<SendResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutSeconds * 1000);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetcher(request.url, {
      method: request.method,
      // A plain object: workerd takes it faster than a list of pairs (about 10 µs less per request with
      // the 8 headers of a usual delivery, in a fetch-only probe: BENCHMARKS.md).
      headers,
      body: request.body,
      redirect: "manual",
      signal,
    });
    const responseBody = await readExcerpt(response, RESPONSE_EXCERPT_BYTES, signal);
    const ok = response.status >= 200 && response.status < 300;
    return {
      exchange: {
        responseStatus: response.status,
        responseBody,
        durationMs: elapsed(),
        errorClass: ok ? null : "http_status",
        errorMessage: ok ? null : `the receiver answered ${response.status}${statusHint(response.status)}`,
      },
      retryAfter: HONOURS_RETRY_AFTER.has(response.status) ? response.headers.get("retry-after") : null,
    };
  } catch (error) {
    const timedOut = signal.aborted || (error instanceof Error && /timeout|abort/i.test(error.name));
    return {
      exchange: {
        responseStatus: null,
        responseBody: null,
        durationMs: elapsed(),
        errorClass: timedOut ? "timeout" : "network_error",
        errorMessage: timedOut
          ? `no complete response within ${timeoutSeconds} s`
          : `the request could not be sent: ${error instanceof Error ? error.message : String(error)}`,
      },
      retryAfter: null,
    };
  }
}

function statusHint(status: number): string {
  if (status >= 300 && status < 400)
    return " (redirects are not followed; point the destination at the final URL)";
  return "";
}
