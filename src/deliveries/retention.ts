// Retention: deliveries (with their attempts) and events older than RETENTION_DAYS are purged by the
// cron trigger, in bounded batches so one run never holds the database for long (docs/deliveries.md).

import { configOf } from "../config";
import { database } from "../db/client";
import { PURGE } from "../limits";

const DAY_MS = 24 * 60 * 60 * 1000;

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
  const { now = Date.now(), batch = PURGE.batch, rounds = PURGE.rounds } = options;
  const cutoff = now - configOf(env).retentionDays * DAY_MS;
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
