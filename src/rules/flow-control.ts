// Flow control's rules, as pure functions of a destination's state and the time: which path a delivery
// takes, when a destination is failing, how often it is probed, and how a rate limit spends its tokens.
// The consumer (src/dispatch/consume.ts) and each destination's lane (lane.ts) act on these; nothing
// here does I/O. docs/flow-control.md explains each rule and its numbers.

import type { ErrorClass } from "../db/history-schema";
import { FAILING_AFTER, LANE_SLOTS, PROBE_FIRST_MS, PROBE_MAX_MS, SLOW_ANSWER_MS } from "../limits";

/** The classes that say the receiver is in trouble; configuration errors say nothing about it. */
export const RECEIVER_FAILURES: ReadonlySet<ErrorClass> = new Set([
  "timeout",
  "network_error",
  "http_status",
]);

/** The part of a destination that decides its path, as the consumer loads it. */
export type FlowSettings = {
  sendPath: "direct" | "lane";
  rateLimitPerSecond: number | null;
  consecutiveFailures: number;
};

/**
 * The consumer sends a delivery itself only to a destination that has answered quickly and well in its
 * lane, has no rate limit and is not failing; every other delivery goes to its destination's lane, where
 * a slow or dead receiver can hold up nobody but itself.
 */
export const sendsDirect = (d: FlowSettings) =>
  d.sendPath === "direct" && d.rateLimitPerSecond === null && d.consecutiveFailures < FAILING_AFTER;

export const isFailing = (consecutiveFailures: number) => consecutiveFailures >= FAILING_AFTER;

/** Whether an attempt says the receiver is unwell: a failure of the receiver's own classes. */
export const isReceiverFailure = (errorClass: ErrorClass | null) =>
  errorClass !== null && RECEIVER_FAILURES.has(errorClass);

/** An attempt on the direct path that should move its destination into its lane. */
export const leavesDirectPath = (attempt: { errorClass: ErrorClass | null; durationMs: number }) =>
  isReceiverFailure(attempt.errorClass) || attempt.durationMs > SLOW_ANSWER_MS;

/** The wait before the probe after `failedProbes` failed probes: 30 s, 60 s, 2 min, … 10 min. */
export function probeDelayMs(failedProbes: number, speedup = 1): number {
  const delay = Math.min(PROBE_MAX_MS, PROBE_FIRST_MS * 2 ** Math.min(failedProbes, 10));
  return speedup > 1 ? Math.max(1, Math.floor(delay / speedup)) : delay;
}

/**
 * A token bucket holding one second's worth of requests: it refills at the limit and starts full, so
 * over any window of t seconds at most limit × (t + 1) requests start.
 */
export type Bucket = { tokens: number; at: number };

export function refill(bucket: Bucket, limit: number, now: number): Bucket {
  const elapsed = Math.max(0, now - bucket.at) / 1000;
  return { tokens: Math.min(limit, bucket.tokens + elapsed * limit), at: now };
}

/** How many requests may start now, and when the next token comes if none may. */
export function allowance(bucket: Bucket, limit: number | null): { count: number; nextAt: number | null } {
  if (limit === null) return { count: Number.POSITIVE_INFINITY, nextAt: null };
  const whole = Math.floor(bucket.tokens);
  if (whole >= 1) return { count: whole, nextAt: null };
  return { count: 0, nextAt: bucket.at + Math.ceil(((1 - bucket.tokens) / limit) * 1000) };
}

/** What a lane may start now. */
export type LaneState = {
  consecutiveFailures: number;
  /** Failed probes since the destination became failing. */
  failedProbes: number;
  /** When the last probe started (failing only). */
  lastProbeAt: number | null;
  /** A receiver's Retry-After: nothing starts before it. */
  pausedUntil: number | null;
};

/**
 * How many deliveries a lane starts now, at most, and otherwise when to look again. A failing
 * destination gets one request at a time, and one probe per probe interval; a paused one (Retry-After)
 * gets nothing until the pause ends; otherwise the slots and the rate limit decide.
 */
export function laneAllowance(
  state: LaneState,
  bucket: Bucket,
  limit: number | null,
  now: number,
  speedup = 1,
): { count: number; wakeAt: number | null } {
  if (state.pausedUntil !== null && state.pausedUntil > now) return { count: 0, wakeAt: state.pausedUntil };
  let slots = LANE_SLOTS;
  if (isFailing(state.consecutiveFailures)) {
    const probeAt =
      state.lastProbeAt === null ? now : state.lastProbeAt + probeDelayMs(state.failedProbes, speedup);
    if (probeAt > now) return { count: 0, wakeAt: probeAt };
    slots = 1;
  }
  const rate = allowance(bucket, limit);
  if (rate.count < 1) return { count: 0, wakeAt: rate.nextAt };
  return { count: Math.min(slots, rate.count), wakeAt: null };
}
