// A destination's health, as the dashboard shows it: the outcome of its latest delivery, and the
// success rate and median duration of its most recent deliveries.

import type { Database } from "../db/client";
import type { DeliveryStatus } from "../db/schema";
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

type HealthRow = { destination_id: string; status: DeliveryStatus; duration_ms: number | null };

/** The median of a list of numbers (the mean of the middle two for an even count); null when empty. */
export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

/** Health from one destination's deliveries, newest first. */
export function summarizeHealth(rows: Pick<HealthRow, "status" | "duration_ms">[]): DestinationHealth {
  const settled = rows.filter((r) => r.status === "succeeded" || r.status === "failed");
  const succeeded = settled.filter((r) => r.status === "succeeded").length;
  const durations = rows.flatMap((r) => (r.duration_ms === null ? [] : [r.duration_ms]));
  return {
    latest: rows[0]?.status ?? null,
    deliveries: rows.length,
    successRate: settled.length ? succeeded / settled.length : null,
    medianDurationMs: median(durations),
  };
}

/**
 * ?1 the destination ids (JSON), ?2 the window, ?3 the workspace. `+` keeps SQLite from reaching the
 * deliveries through the workspace (every delivery of it) instead of by the ids the window lists.
 */
export const HEALTH_SQL = `
  SELECT d.destination_id, d.status,
         (SELECT a.duration_ms FROM attempts AS a WHERE a.delivery_id = d.id
          ORDER BY a.number DESC LIMIT 1) AS duration_ms
  FROM json_each(?1) AS j
  JOIN deliveries AS d ON d.id IN (
    SELECT w.id FROM deliveries AS w WHERE w.destination_id = j.value ORDER BY w.id DESC LIMIT ?2)
  WHERE +d.workspace_uuid = ?3
  ORDER BY d.destination_id, d.id DESC`;

/**
 * The health of each listed destination of a workspace, in one statement: for each destination, its
 * newest HEALTH_WINDOW deliveries come from the (destination_id, id) index and each one's last
 * attempt from the attempts primary key, so the cost does not grow with the history's length.
 */
export async function destinationHealth(
  db: Database,
  workspaceUuid: string,
  destinationIds: string[],
): Promise<Map<string, DestinationHealth>> {
  const health = new Map<string, DestinationHealth>();
  if (!destinationIds.length) return health;
  const { results } = await db.$client
    .prepare(HEALTH_SQL)
    .bind(JSON.stringify(destinationIds), HEALTH_WINDOW, workspaceUuid)
    .all<HealthRow>();
  const byDestination = new Map<string, HealthRow[]>();
  for (const row of results) {
    const rows = byDestination.get(row.destination_id);
    if (rows) rows.push(row);
    else byDestination.set(row.destination_id, [row]);
  }
  for (const id of destinationIds) health.set(id, summarizeHealth(byDestination.get(id) ?? []));
  return health;
}
