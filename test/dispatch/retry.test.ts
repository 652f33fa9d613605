import { describe, expect, it } from "vitest";
import { retrySpeedup } from "../../src/config";
import { backoffSeconds, nextStep, retryAfterSeconds } from "../../src/dispatch/retry";
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS } from "../../src/limits";

const failure = (status: number | null, retryAfter: string | null = null) => ({
  errorClass: status === null ? ("network_error" as const) : ("http_status" as const),
  status,
  retryAfter,
});

describe("retry schedule", () => {
  it("is 8 attempts: at once, then about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h", () => {
    expect(MAX_ATTEMPTS).toBe(8);
    expect([...RETRY_DELAYS_SECONDS]).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
  });

  it.each(RETRY_DELAYS_SECONDS.map((delay, i) => [i + 1, delay]))(
    "after attempt %i waits %i s ± 20 %",
    (attempt, delay) => {
      expect(backoffSeconds(attempt, () => 0)).toBe(Math.round(delay * 0.8));
      expect(backoffSeconds(attempt, () => 0.5)).toBe(delay);
      expect(backoffSeconds(attempt, () => 1)).toBe(Math.round(delay * 1.2));
    },
  );

  it("gives up after the 8th attempt, routing to the dead-letter queue", () => {
    expect(nextStep(7, failure(500)).kind).toBe("retry");
    expect(nextStep(8, failure(500))).toMatchObject({ kind: "failed", exhausted: true });
  });

  it("never retries configuration errors, and stops on 410 disabling the destination", () => {
    for (const errorClass of ["template_error", "destination_blocked"] as const) {
      expect(nextStep(1, { errorClass, status: null, retryAfter: null })).toMatchObject({ kind: "failed" });
    }
    expect(nextStep(1, failure(410))).toMatchObject({ kind: "failed", disableDestination: true });
    expect(nextStep(1, { errorClass: null, status: 200, retryAfter: null })).toEqual({ kind: "succeeded" });
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-11-26T21:00:00Z");

  it("reads seconds and HTTP dates, and ignores what it cannot read", () => {
    expect(retryAfterSeconds("120", now)).toBe(120);
    expect(retryAfterSeconds("Thu, 26 Nov 2026 21:10:00 GMT", now)).toBe(600);
    expect(retryAfterSeconds("Thu, 26 Nov 2026 20:00:00 GMT", now)).toBe(0);
    expect(retryAfterSeconds("soon", now)).toBeNull();
    expect(retryAfterSeconds(null, now)).toBeNull();
  });

  it("is honoured on 429 and 503 only, within the schedule's bounds", () => {
    expect(nextStep(1, failure(429, "120"))).toEqual({ kind: "retry", delaySeconds: 120 });
    expect(nextStep(1, failure(503, "1"))).toEqual({ kind: "retry", delaySeconds: 5 });
    expect(nextStep(1, failure(503, "999999"))).toEqual({ kind: "retry", delaySeconds: 36000 });
    // A 500 with Retry-After follows the schedule.
    const step = nextStep(1, failure(500, "3600"), () => 0.5);
    expect(step).toEqual({ kind: "retry", delaySeconds: 5 });
  });
});

describe("DEV_RETRY_SPEEDUP (local soak tests only)", () => {
  const env = (vars: Record<string, string>) => vars as unknown as Env;

  it("divides every delay, Retry-After included, only where private destinations are allowed", () => {
    expect(retrySpeedup(env({ ALLOW_PRIVATE_DESTINATIONS: "true", DEV_RETRY_SPEEDUP: "3600" }))).toBe(3600);
    expect(retrySpeedup(env({ ALLOW_PRIVATE_DESTINATIONS: "false", DEV_RETRY_SPEEDUP: "3600" }))).toBe(1);
    expect(retrySpeedup(env({ DEV_RETRY_SPEEDUP: "3600" }))).toBe(1);
    expect(retrySpeedup(env({ ALLOW_PRIVATE_DESTINATIONS: "true", DEV_RETRY_SPEEDUP: "nonsense" }))).toBe(1);
    expect(nextStep(4, failure(500, null), () => 0.5, 3600)).toEqual({ kind: "retry", delaySeconds: 2 });
    expect(nextStep(1, failure(429, "36000"), () => 0.5, 3600)).toEqual({ kind: "retry", delaySeconds: 10 });
  });
});
