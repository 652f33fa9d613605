// A stored destination in its API shape: its settings (D1) with its health (its workspace's object).
import type { DestinationRow } from "../db/schema";
import type { HealthRow } from "../db/workspace-schema";
import { isFailing } from "../rules/flow-control";
import { iso, isoOrNull } from "../time";
import type { DestinationJson } from "./schema";
import { settingsJson } from "./settings";

const FRESH = { consecutiveFailures: 0, failuresSince: null, nextProbeAt: null };

/** A stored destination in its API shape (never its secret), with its health (a fresh one's when absent). */
export function destinationJson(
  row: DestinationRow,
  eventTypes: readonly string[],
  health: Pick<HealthRow, "consecutiveFailures" | "failuresSince" | "nextProbeAt"> = FRESH,
): DestinationJson {
  return {
    id: row.id,
    ...settingsJson(row),
    disabled_reason: row.disabledReason,
    event_types: [...eventTypes].sort(),
    failing_since: isFailing(health.consecutiveFailures) ? isoOrNull(health.failuresSince) : null,
    consecutive_failures: health.consecutiveFailures,
    next_probe_at: isFailing(health.consecutiveFailures) ? isoOrNull(health.nextProbeAt) : null,
    secret_hint: row.secretHint,
    secret_version: row.secretVersion,
    // A grace period that has ended is no longer news.
    previous_secret_expires_at:
      row.previousSecretExpiresAt && row.previousSecretExpiresAt > Date.now()
        ? isoOrNull(row.previousSecretExpiresAt)
        : null,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}
