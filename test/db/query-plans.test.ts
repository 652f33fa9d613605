// The hot statements stay index lookups: a plan that scans, or walks the wrong index, is a regression even
// when every result is still right. Each plan is of the SQL production runs, not a copy of it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { historyQuery } from "../../src/deliveries/store";
import { LOAD_DELIVERIES_SQL, LOAD_DESTINATIONS_SQL, LOAD_EVENTS_SQL } from "../../src/dispatch/load";
import { RECORD_OUTCOMES_SQL, RECORD_SKIPPED_SQL } from "../../src/dispatch/record";
import { SWEEP_SQL } from "../../src/dispatch/recover";
import { FILTERED_TARGETS_SQL } from "../../src/events/filtered-fanout";
import { FANOUT_SQL } from "../../src/events/store";
import { ACTIVITY_SQL } from "../../src/lifecycle/activity";

async function plan(sql: string, ...binds: unknown[]): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...binds)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

const planOf = (query: { toSQL(): { sql: string; params: unknown[] } }) => {
  const { sql, params } = query.toSQL();
  return plan(sql, ...params);
};

describe("query plans", () => {
  it("reads a workspace's activity through the operational events' partial index, newest first", async () => {
    for (const binds of [
      ["w", null, null, 20],
      ["w", "evt_x", "dst_x", 20],
    ]) {
      const activity = await plan(ACTIVITY_SQL, ...binds);
      expect(activity).toMatch(/SEARCH events USING INDEX events_operational \(workspace_uuid=\?/);
      expect(activity).not.toMatch(/SCAN|TEMP B-TREE/);
    }
  });

  it("fans an event out from the subscription index, each destination by its primary key", async () => {
    const fanout = await plan(FANOUT_SQL, "w", "contact.created", "evt_x", 0);
    expect(fanout).toMatch(/SEARCH s USING (COVERING )?INDEX subscriptions_fanout/);
    expect(fanout).toMatch(/SEARCH d USING INDEX sqlite_autoindex_destinations_1 \(id=\?\)/);
    expect(fanout).not.toMatch(/SCAN/);
  });

  it("reads filtered destinations by key seeks: one per distinct key path, never a scan of the type", async () => {
    const filtered = await plan(FILTERED_TARGETS_SQL, "w", "contact.created", "{}");
    expect(filtered).toMatch(
      /SEARCH s USING (COVERING )?INDEX subscriptions_fanout \(workspace_uuid=\? AND event_type=\? AND filter_kind=\? AND filter_path=\? AND filter_value=\?\)/,
    );
    expect(filtered).not.toMatch(/SCAN (s|d|destination_event_types|destinations)\b/);
  });

  it("loads a consumer batch by primary keys: deliveries, their destinations, their events", async () => {
    const ids = '["dlv_x"]';
    const deliveries = await plan(LOAD_DELIVERIES_SQL, ids);
    expect(deliveries).toMatch(/SEARCH deliveries USING PRIMARY KEY \(id=\?\)/);
    const destinations = await plan(LOAD_DESTINATIONS_SQL, ids);
    expect(destinations).toMatch(/SEARCH destinations USING INDEX sqlite_autoindex_destinations_1 \(id=\?\)/);
    expect(destinations).toMatch(/SEARCH deliveries USING PRIMARY KEY \(id=\?\)/);
    const events = await plan(LOAD_EVENTS_SQL, ids);
    expect(events).toMatch(/SEARCH events USING PRIMARY KEY \(workspace_uuid=\? AND id=\?\)/);
    for (const p of [deliveries, destinations, events])
      expect(p).not.toMatch(/SCAN (deliveries|destinations|events)\b/);
  });

  it("records a batch's outcomes by primary key", async () => {
    for (const sql of [RECORD_OUTCOMES_SQL, RECORD_SKIPPED_SQL]) {
      const outcomes = await plan(sql, 0, "[]");
      expect(outcomes).toMatch(/SEARCH deliveries USING PRIMARY KEY \(id=\?\)/);
      expect(outcomes).not.toMatch(/SCAN deliveries/);
    }
  });

  it("sweeps retried deliveries through the due index and never-attempted ones by id range", async () => {
    const sweep = await plan(SWEEP_SQL, 0, 0, 500, 0, "dlv_0", "dlv_1");
    expect(sweep).toMatch(/SEARCH deliveries USING INDEX deliveries_due \(next_attempt_at<\?\)/);
    expect(sweep).toMatch(/SEARCH deliveries USING PRIMARY KEY \(id>\? AND id<\?\)/);
    expect(sweep).not.toMatch(/SCAN deliveries/);
  });

  it("walks a destination's history by (destination, id), with or without a status filter", async () => {
    const db = database(env.DB);
    const first = await planOf(historyQuery(db, "dst_x", 20, {}));
    expect(first).toMatch(/SEARCH deliveries USING INDEX deliveries_destination \(destination_id=\?\)/);
    const deep = await planOf(
      historyQuery(db, "dst_x", 20, { before: "dlv_x", status: ["failed", "pending"] }),
    );
    expect(deep).toMatch(
      /SEARCH deliveries USING INDEX deliveries_destination \(destination_id=\? AND id<\?\)/,
    );
    for (const p of [first, deep]) expect(p).not.toMatch(/TEMP B-TREE|SCAN deliveries/);
  });
});
