// A destination's health, as the dashboard shows it: the outcome of its latest delivery, and the
// success rate and median duration of its most recent deliveries.

import type { DeliveryStatus } from "../db/history-schema";
import type { HistoryView } from "../history/client";
import type { HealthSample } from "../history/reads";
import { HEALTH_WINDOW } from "../limits";

export type DestinationHealth = {
  /** The newest delivery's status; null when the destination has no delivery yet. */
  latest: DeliveryStatus | null;
  /** Deliveries in the window. */
  deliveries: number;
  /** Succeeded among the settled ones (succeeded or failed); null when none has settled. */
  successRate: number | null;
  /** Median duration of each delivery's last attempt, in ms; null when none was attempted. */
  medianDurationMs: number | null;
};

/** The median of a list of numbers (the mean of the middle two for an even count); null when empty. */
export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

/** Health from one destination's deliveries, newest first. */
export function summarizeHealth(rows: readonly HealthSample[]): DestinationHealth {
  const settled = rows.filter((r) => r.status === "succeeded" || r.status === "failed");
  const succeeded = settled.filter((r) => r.status === "succeeded").length;
  const durations = rows.flatMap((r) => (r.duration_ms === null ? [] : [Number(r.duration_ms)]));
  return {
    latest: rows[0]?.status ?? null,
    deliveries: rows.length,
    successRate: settled.length ? succeeded / settled.length : null,
    medianDurationMs: median(durations),
  };
}

/**
 * The health of each listed destination of a workspace: for each, its newest HEALTH_WINDOW deliveries
 * (each partition's part is a walk of its primary key, newest partition first, until every destination
 * has its window) with each one's last attempt, so the cost does not grow with the history's length.
 */
export async function destinationHealth(
  view: HistoryView,
  destinationIds: string[],
): Promise<Map<string, DestinationHealth>> {
  const samples = new Map<string, HealthSample[]>(destinationIds.map((id) => [id, []]));
  const short = () => destinationIds.filter((id) => (samples.get(id)?.length ?? 0) < HEALTH_WINDOW);
  if (destinationIds.length) {
    for (const p of await view.partitions()) {
      const wanting = short();
      if (!wanting.length) break;
      const found = await view.stub(p).healthSamples(p, wanting, HEALTH_WINDOW);
      for (const id of wanting) samples.get(id)?.push(...(found[id] ?? []));
    }
  }
  const health = new Map<string, DestinationHealth>();
  for (const id of destinationIds)
    health.set(id, summarizeHealth((samples.get(id) ?? []).slice(0, HEALTH_WINDOW)));
  return health;
}
