// The hot statements stay index lookups: a plan that scans, or drives an update through the wrong
// index, is a regression even when every result is still right.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RECORD_OUTCOMES_SQL, RECORD_SKIPPED_SQL } from "../src/dispatch/record";
import { SWEEP_SQL } from "../src/dispatch/recover";
import { FANOUT_SQL } from "../src/events/store";

async function plan(sql: string, ...binds: unknown[]): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...binds)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

describe("query plans", () => {
  it("records a batch's outcomes by primary key, not through the status index", async () => {
    const outcomes = await plan(RECORD_OUTCOMES_SQL, 0, "[]");
    expect(outcomes).toMatch(/SEARCH deliveries USING INDEX sqlite_autoindex_deliveries_1 \(id=\?\)/);
    expect(outcomes).not.toMatch(/deliveries_status/);
    expect(outcomes).not.toMatch(/SCAN deliveries/);
    const skipped = await plan(RECORD_SKIPPED_SQL, 0, "[]");
    expect(skipped).toMatch(/SEARCH deliveries USING INDEX sqlite_autoindex_deliveries_1 \(id=\?\)/);
    expect(skipped).not.toMatch(/SCAN deliveries/);
  });

  it("fans an event out from the subscription index, each destination by its primary key", async () => {
    const fanout = await plan(FANOUT_SQL, "w", "contact.created", "evt_x", 0);
    expect(fanout).toMatch(/SEARCH s USING (COVERING )?INDEX subscriptions_fanout/);
    expect(fanout).toMatch(/SEARCH d USING INDEX sqlite_autoindex_destinations_1 \(id=\?\)/);
    expect(fanout).not.toMatch(/SCAN/);
  });

  it("sweeps stalled deliveries through the (status, next_attempt_at) index", async () => {
    const sweep = await plan(SWEEP_SQL, 0, 0, 500);
    expect(sweep).toMatch(
      /SEARCH deliveries USING INDEX deliveries_status_next_attempt \(status=\? AND next_attempt_at<\?\)/,
    );
    expect(sweep).not.toMatch(/SCAN deliveries/);
  });
});
