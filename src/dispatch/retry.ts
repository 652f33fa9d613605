// When a failed attempt is tried again. The schedule spreads 8 attempts over about a day and a
// half, so a receiver that is down overnight still gets its events (the same shape as Svix's).
import { allowsPrivateDestinations } from "../config";
import type { ErrorClass } from "../db/schema";

/** Delay before attempt n+1, indexed by n-1: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
const JITTER = 0.2;
// A receiver's Retry-After is honoured within the schedule's own bounds.
const MIN_DELAY_SECONDS = RETRY_DELAYS_SECONDS[0];
const MAX_DELAY_SECONDS = 36000;
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

/**
 * Local soak tests only: DEV_RETRY_SPEEDUP divides every retry delay, so a day of retries takes
 * seconds. Honoured only with ALLOW_PRIVATE_DESTINATIONS=true, which production never sets
 * (wrangler.toml sets neither; a test holds it to that).
 */
export function retrySpeedup(env: Env): number {
  // A dev-only variable, absent from the production config and so from the generated Env.
  const value = Number((env as Env & { DEV_RETRY_SPEEDUP?: string }).DEV_RETRY_SPEEDUP);
  return allowsPrivateDestinations(env) && Number.isFinite(value) && value > 1 ? value : 1;
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
