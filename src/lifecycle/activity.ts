// The workspace's activity: its operational events (docs/lifecycle.md), newest first across its history
// partitions, for the dashboard's Activity page and each destination's page. Each partition reads them
// through its partial index events_operational (src/history/reads.ts).
import type { HistoryView } from "../history/client";
import { timeOfId } from "../history/ids";

export type ActivityItem = {
  id: string;
  type: string;
  createdAt: number;
  payload: Record<string, unknown>;
};

export async function listActivity(
  view: HistoryView,
  options: { limit: number; before?: string; destinationId?: string },
): Promise<ActivityItem[]> {
  const { limit, before, destinationId } = options;
  const cursorTime = before ? timeOfId(before) : null;
  const rows = await view.newest(
    limit,
    (stub, p) => stub.activity(p, limit, { before, destinationId }),
    (row) => row.id,
    cursorTime === null ? undefined : (p) => p.start <= cursorTime,
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    createdAt: r.createdAt,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }));
}
