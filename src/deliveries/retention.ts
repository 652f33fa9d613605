// Retention: deliveries (with their attempts) and events older than RETENTION_DAYS are purged by the
// cron trigger, in bounded batches so one run never holds the database for long (docs/deliveries.md).
import { database } from "../db/client";

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** RETENTION_DAYS as a whole number of days ≥ 1; the default when unset or unreadable. */
export function retentionDays(env: Env): number {
  const days = Number(env.RETENTION_DAYS);
  return Number.isInteger(days) && days >= 1 ? days : DEFAULT_RETENTION_DAYS;
}

// Delivery ids begin with their creation time (`dlv_` + 12 hex digits of ms), so "older than" is a walk
// of the primary key; attempts go with their delivery (ON DELETE CASCADE).
const PURGE_DELIVERIES_SQL = `
  DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE id < ?1 ORDER BY id LIMIT ?2)
  RETURNING 1`;

// An old event goes once no delivery of it is left (a recent redelivery keeps it).
const PURGE_EVENTS_SQL = `
  DELETE FROM events WHERE (workspace_uuid, id) IN (
    SELECT e.workspace_uuid, e.id FROM events AS e
    WHERE e.created_at < ?1
      AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.workspace_uuid = e.workspace_uuid AND d.event_id = e.id)
    LIMIT ?2)
  RETURNING 1`;

export type PurgeOptions = { now?: number; batch?: number; rounds?: number };

/** Purges one run's worth: up to `rounds` batches of each; returns what it removed. */
export async function purgeExpiredHistory(env: Env, options: PurgeOptions = {}) {
  const { now = Date.now(), batch = 1000, rounds = 20 } = options;
  const cutoff = now - retentionDays(env) * DAY_MS;
  const d1 = database(env.DB).$client;
  const removed = { deliveries: 0, events: 0 };
  for (const [sql, bound, key] of [
    [PURGE_DELIVERIES_SQL, `dlv_${cutoff.toString(16).padStart(12, "0")}`, "deliveries"],
    [PURGE_EVENTS_SQL, cutoff, "events"],
  ] as const) {
    for (let round = 0; round < rounds; round++) {
      // Counted by RETURNING: D1's meta.changes would count the cascaded attempts too.
      const { results } = await d1.prepare(sql).bind(bound, batch).run();
      removed[key] += results.length;
      if (results.length < batch) break;
    }
  }
  return removed;
}
