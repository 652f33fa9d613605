// The workspace's activity: its operational events (docs/lifecycle.md), newest first, for the dashboard's
// Activity page and each destination's page. Read through the partial index events_operational (named:
// the planner would walk the primary key, the same columns, through every contact event); the type
// list below must stay the index's, word for word, for SQLite to use it.
import { OPERATIONAL_EVENT_TYPES } from "../events/catalog";

const TYPES = OPERATIONAL_EVENT_TYPES.map((t) => `'${t}'`).join(", ");

/**
 * Binds: ?1 workspace, ?2 before this id (or null), ?3 about this destination (or null), ?4 limit.
 * A destination's own are found among the workspace's (a state change each, so few) by their payload.
 */
export const ACTIVITY_SQL = `
  SELECT id, type, payload, created_at FROM events INDEXED BY events_operational
  WHERE workspace_uuid = ?1 AND type IN (${TYPES}) AND (?2 IS NULL OR id < ?2)
    AND (?3 IS NULL OR payload ->> '$.destination.id' = ?3)
  ORDER BY id DESC LIMIT ?4`;

export type ActivityItem = {
  id: string;
  type: string;
  createdAt: number;
  payload: Record<string, unknown>;
};

export async function listActivity(
  db: D1Database,
  workspaceUuid: string,
  options: { limit: number; before?: string; destinationId?: string },
): Promise<ActivityItem[]> {
  const { results } = await db
    .prepare(ACTIVITY_SQL)
    .bind(workspaceUuid, options.before ?? null, options.destinationId ?? null, options.limit)
    .all<{ id: string; type: string; payload: string; created_at: number }>();
  return results.map((r) => ({
    id: r.id,
    type: r.type,
    createdAt: r.created_at,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }));
}
