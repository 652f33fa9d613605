// A destination's health on the dashboard: latest outcome, success rate and median duration over its
// newest 50 deliveries, read in one statement that stays on the indexes.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { destinationHealth, HEALTH_SQL, median, summarizeHealth } from "../../src/deliveries/health";
import { createDestination, createWorkspace, type Workspace } from "../support/helpers";

/** Writes `statuses` (oldest first) as deliveries of a destination, each with one attempt of `ms`. */
async function seedDeliveries(
  ws: Workspace,
  destinationId: string,
  statuses: string[],
  ms = (i: number) => i,
) {
  const eventId = `evt_${crypto.randomUUID().replaceAll("-", "")}`;
  const statements = [
    env.DB.prepare(
      "INSERT INTO events (id, workspace_uuid, type, payload, created_at) VALUES (?, ?, 'contact.created', '{}', 0)",
    ).bind(eventId, ws.uuid),
  ];
  statuses.forEach((status, i) => {
    const id = `dlv_${String(i).padStart(12, "0")}${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    statements.push(
      env.DB.prepare(
        `INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'contact.created', ?, 0, 0)`,
      ).bind(id, ws.uuid, destinationId, eventId, status),
    );
    if (status !== "skipped") {
      statements.push(
        env.DB.prepare(
          `INSERT INTO attempts (delivery_id, number, started_at, method, url, request_headers, duration_ms)
           VALUES (?, 1, 0, 'POST', 'https://example.com', '[]', ?)`,
        ).bind(id, ms(i)),
      );
    }
  });
  await env.DB.batch(statements);
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
    const health = await destinationHealth(database(env.DB), ws.uuid, [busy.id, quiet.id]);
    expect(health.get(busy.id)).toEqual({
      latest: "succeeded",
      deliveries: 50,
      successRate: 1,
      medianDurationMs: 34.5, // durations 10..59
    });
    expect(health.get(quiet.id)).toEqual(summarizeHealth([]));

    const other = await createWorkspace("Other");
    const theirs = await destinationHealth(database(env.DB), other.uuid, [busy.id]);
    expect(theirs.get(busy.id)?.latest).toBeNull();
  });

  it("reads through the (destination_id, id) index and the attempts primary key, never a scan", async () => {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${HEALTH_SQL}`)
      .bind("[]", 50, "ws")
      .all<{ detail: string }>();
    const plan = results.map((r) => r.detail).join("\n");
    expect(plan).toMatch(/SEARCH w USING COVERING INDEX deliveries_destination \(destination_id=\?\)/);
    expect(plan).toMatch(/SEARCH d USING PRIMARY KEY \(id=\?\)/);
    expect(plan).toMatch(/SEARCH a USING PRIMARY KEY \(delivery_id=\?\)/);
    expect(plan).not.toMatch(/SCAN (d|w|a)\b|deliveries_event/);
  });
});
