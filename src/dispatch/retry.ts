// When a failed attempt is tried again. The schedule spreads 8 attempts over about a day and a
// half, so a receiver that is down overnight still gets its events (the same shape as Svix's).

import type { ErrorClass } from "../db/history-schema";
import { MAX_ATTEMPTS, RETRY_AFTER_SECONDS, RETRY_DELAYS_SECONDS } from "../limits";

const JITTER = 0.2;
// A receiver's Retry-After is honoured within the schedule's own bounds.
const { min: MIN_DELAY_SECONDS, max: MAX_DELAY_SECONDS } = RETRY_AFTER_SECONDS;
/** The statuses whose Retry-After is honoured (the sender reads the header only for these). */
export const HONOURS_RETRY_AFTER: ReadonlySet<number> = new Set([429, 503]);

export type AttemptOutcome =
  | { kind: "succeeded" }
  | { kind: "retry"; delaySeconds: number }
  | { kind: "failed"; reason: string; disableDestination?: boolean; exhausted?: boolean };

/** Parses Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

const clamp = (value: number) => Math.min(MAX_DELAY_SECONDS, Math.max(MIN_DELAY_SECONDS, Math.round(value)));

export function backoffSeconds(attempt: number, random = Math.random): number {
  const base = RETRY_DELAYS_SECONDS[Math.min(attempt, RETRY_DELAYS_SECONDS.length) - 1] ?? MAX_DELAY_SECONDS;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** Decides what follows attempt `attempt` that ended with `errorClass` / `status`. */
export function nextStep(
  attempt: number,
  result: { errorClass: ErrorClass | null; status: number | null; retryAfter: string | null },
  random = Math.random,
  speedup = 1,
): AttemptOutcome {
  if (result.errorClass === null) return { kind: "succeeded" };
  // A configuration problem fails the same way every time: retrying only delays the user's fix.
  if (result.errorClass === "destination_blocked" || result.errorClass === "template_error") {
    return { kind: "failed", reason: `not retried: ${result.errorClass.replace("_", " ")}` };
  }
  if (result.status === 410) {
    return {
      kind: "failed",
      reason: "the receiver answered 410 Gone; the destination was disabled",
      disableDestination: true,
    };
  }
  if (attempt >= MAX_ATTEMPTS) {
    return { kind: "failed", reason: `gave up after ${MAX_ATTEMPTS} attempts`, exhausted: true };
  }
  const hinted =
    result.status !== null && HONOURS_RETRY_AFTER.has(result.status)
      ? retryAfterSeconds(result.retryAfter)
      : null;
  const delay = hinted === null ? backoffSeconds(attempt, random) : clamp(hinted);
  return { kind: "retry", delaySeconds: speedup > 1 ? Math.floor(delay / speedup) : delay };
}
