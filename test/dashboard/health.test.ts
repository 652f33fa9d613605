// A destination's health on the dashboard: latest outcome, success rate and median duration over its
// newest 50 deliveries, each partition's part a walk of its primary key.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { destinationHealth, median, summarizeHealth } from "../../src/deliveries/health";
import { HistoryView } from "../../src/history/client";
import { partitionAt } from "../../src/history/ids";
import { createDestination, createWorkspace, type Workspace } from "../support/helpers";
import { openPartition, seedDeliveries as seedHistory } from "../support/history";

/** Writes `statuses` (oldest first) as deliveries of a destination, each with one attempt of `ms`. */
async function seedDeliveries(
  ws: Workspace,
  destinationId: string,
  statuses: string[],
  ms = (i: number) => i,
) {
  const eventId = `evt_${crypto.randomUUID().replaceAll("-", "")}`;
  const base = Date.now() - 60_000;
  await seedHistory(
    ws.uuid,
    destinationId,
    { id: eventId },
    statuses.map((status, i) => ({
      createdAt: base + i,
      status,
      attempts:
        status === "skipped"
          ? []
          : [[1, 0, "POST", "https://example.com", [], null, null, ms(i), null, null]],
    })),
  );
}

describe("health figures", () => {
  it("takes the median of an odd and an even count, and of nothing", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it("rates only finished deliveries: pending and skipped ones neither succeed nor fail", () => {
    const health = summarizeHealth([
      { status: "pending", duration_ms: 30 },
      { status: "succeeded", duration_ms: 10 },
      { status: "failed", duration_ms: 20 },
      { status: "skipped", duration_ms: null },
      { status: "succeeded", duration_ms: 40 },
    ]);
    expect(health).toEqual({ latest: "pending", deliveries: 5, successRate: 2 / 3, medianDurationMs: 25 });
  });

  it("has no figures for a destination without deliveries", () => {
    expect(summarizeHealth([])).toEqual({
      latest: null,
      deliveries: 0,
      successRate: null,
      medianDurationMs: null,
    });
  });
});

describe("destinationHealth", () => {
  it("covers each destination's newest 50 deliveries, and only its own workspace's", async () => {
    const ws = await createWorkspace();
    const busy = await createDestination(ws);
    const quiet = await createDestination(ws);
    // 10 old failures, then 50 successes: the failures fall out of the window.
    await seedDeliveries(
      ws,
      busy.id,
      [...Array(10).fill("failed"), ...Array(50).fill("succeeded")],
      (i) => i,
    );
    const health = await destinationHealth(new HistoryView(env, ws.uuid), [busy.id, quiet.id]);
    expect(health.get(busy.id)).toEqual({
      latest: "succeeded",
      deliveries: 50,
      successRate: 1,
      medianDurationMs: 34.5, // durations 10..59
    });
    expect(health.get(quiet.id)).toEqual(summarizeHealth([]));

    const other = await createWorkspace("Other");
    const theirs = await destinationHealth(new HistoryView(env, other.uuid), [busy.id]);
    expect(theirs.get(busy.id)?.latest).toBeNull();
  });

  it("reads each destination's newest deliveries by the primary key, never a scan", async () => {
    const p = partitionAt("ws-plan", Date.now(), 86_400);
    const plan = await runInDurableObject(await openPartition(p), (_instance, state) =>
      state.storage.sql
        .exec(
          `EXPLAIN QUERY PLAN SELECT status, attempts ->> '$[#-1][7]' AS duration_ms FROM deliveries
           WHERE destination_id = ? ORDER BY id DESC LIMIT ?`,
          "dst",
          50,
        )
        .toArray()
        .map((r) => String(r.detail))
        .join("\n"),
    );
    expect(plan).toMatch(/SEARCH deliveries USING PRIMARY KEY \(destination_id=\?\)/);
    expect(plan).not.toMatch(/SCAN|TEMP B-TREE/);
  });
});
