// What a lane's wave says about its destination, as a pure function of the lane's state and the wave's
// attempts: the lane's next state (failing, probes, Retry-After pauses) and the health change the
// workspace's object applies (the run of failures, the next probe, the send path).
import type { ErrorClass } from "../db/history-schema";
import type { HealthChange } from "../lifecycle/transitions";
import { SLOW_ANSWER_MS } from "../limits";
import { isFailing, isReceiverFailure, type LaneState, probeDelayMs } from "../rules/flow-control";

type Attempted = {
  record: { startedAt: number; durationMs: number; errorClass: ErrorClass | null };
  pauseSeconds?: number;
};

export type Settling = {
  destinationId: string;
  state: LaneState;
  /** The destination's run of failures before the wave, and its rate limit. */
  failuresBefore: number;
  rateLimitPerSecond: number | null;
  waveStart: number;
  now: number;
  speedup: number;
};

export type Settlement = {
  next: LaneState;
  change: HealthChange | null;
  becameFailing: boolean;
  recovered: boolean;
};

/** The probes: the first when the destination becomes failing, then backing off while probes fail. */
function probes(
  s: Settling,
  next: LaneState,
  succeeded: boolean,
  recovered: boolean,
  becameFailing: boolean,
) {
  let nextProbeAt: number | null | undefined;
  if (becameFailing) {
    next.failedProbes = 0;
    next.lastProbeAt = s.now;
    nextProbeAt = s.now + probeDelayMs(0, s.speedup);
  } else if (isFailing(s.failuresBefore) && isFailing(next.consecutiveFailures)) {
    next.failedProbes = s.state.failedProbes + 1;
    next.lastProbeAt = s.waveStart;
    nextProbeAt = s.waveStart + probeDelayMs(next.failedProbes, s.speedup);
  } else if (recovered || succeeded) {
    next.failedProbes = 0;
    next.lastProbeAt = null;
  }
  return nextProbeAt;
}

export function settleWave(s: Settling, attempted: readonly Attempted[]): Settlement {
  const succeeded = attempted.some((a) => a.record.errorClass === null);
  const failures = attempted.filter((a) => isReceiverFailure(a.record.errorClass));
  const after = succeeded ? 0 : s.failuresBefore + failures.length;
  const next: LaneState = { ...s.state, consecutiveFailures: after };
  const becameFailing = !isFailing(s.failuresBefore) && isFailing(after);
  const recovered = isFailing(s.failuresBefore) && !isFailing(after);
  const nextProbeAt = attempted.length ? probes(s, next, succeeded, recovered, becameFailing) : undefined;
  // A receiver that asks for a pause (429/503 with Retry-After) gets it, for every delivery.
  for (const { pauseSeconds } of attempted)
    if (pauseSeconds !== undefined)
      next.pausedUntil = Math.max(next.pausedUntil ?? 0, s.now + pauseSeconds * 1000);
  if (next.pausedUntil !== null && next.pausedUntil <= s.now) next.pausedUntil = null;
  // Quick, clean answers and no rate limit: the consumer may send to it itself from now on.
  const quick =
    succeeded &&
    failures.length === 0 &&
    s.rateLimitPerSecond === null &&
    attempted.every((a) => a.record.errorClass === null && a.record.durationMs <= SLOW_ANSWER_MS);
  const change: HealthChange | null =
    attempted.length && (succeeded || failures.length || quick)
      ? {
          destinationId: s.destinationId,
          succeeded,
          failures: failures.length,
          firstFailureAt: failures.length ? Math.min(...failures.map((f) => f.record.startedAt)) : null,
          sendPath: quick ? "direct" : failures.length ? "lane" : null,
          ...(nextProbeAt === undefined ? {} : { nextProbeAt }),
        }
      : null;
  return { next, change, becameFailing, recovered };
}
