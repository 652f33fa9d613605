// Every limit the service documents, in one place: docs/limits.md is its table, and a test holds the two
// together (test/limits.test.ts). Tuning constants no user can meet (cache sizes, parameter chunking) stay
// beside the code they tune.

/** A pending delivery this far past its due time is presumed lost and queued again (the sweep). A late
 * one is still sent once: the consumer ignores the copy of an attempt already recorded. */
export const STALLED_AFTER_MS = 15 * 60 * 1000;
/** Deliveries the recovery sweep queues again per run (the cron runs every minute). */
export const SWEEP_LIMIT = 500;
