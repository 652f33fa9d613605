// Retention: the cron trigger purges deliveries, their attempts and their events once older than
// RETENTION_DAYS, in bounded batches.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { retentionDays } from "../../src/config";
import { purgeExpiredHistory } from "../../src/deliveries/retention";
import worker from "../../src/index";
import { countRows, createDestination, createWorkspace, type Workspace } from "../support/helpers";

const DAY = 24 * 60 * 60 * 1000;
let serial = 0;
const idAt = (ms: number) =>
  `dlv_${ms.toString(16).padStart(12, "0")}${(++serial).toString(16).padStart(20, "0")}`;

/**
 * An event made `ageDays` ago with `deliveries` deliveries, each with one attempt, made `deliveryAgeDays`
 * ago (by default when the event was); returns their ids.
 */
async function history(
  ws: Workspace,
  destinationId: string,
  ageDays: number,
  deliveries = 1,
  deliveryAgeDays = ageDays,
) {
  const at = Date.now() - ageDays * DAY;
  const eventId = `evt-${++serial}`;
  const ids = Array.from({ length: deliveries }, () => idAt(Date.now() - deliveryAgeDays * DAY));
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO events (workspace_uuid, id, type, payload, created_at) VALUES (?, ?, 'contact.created', '{}', ?)",
    ).bind(ws.uuid, eventId, at),
    ...ids.flatMap((id) => [
      env.DB.prepare(
        `INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
           next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'contact.created', 'succeeded', 1, NULL, ?, ?)`,
      ).bind(id, ws.uuid, destinationId, eventId, at, at),
      env.DB.prepare(
        `INSERT INTO attempts (delivery_id, number, started_at, method, url, request_headers, duration_ms)
         VALUES (?, 1, ?, 'POST', 'https://example.com', '[]', 5)`,
      ).bind(id, at),
    ]),
  ]);
  return { eventId, ids };
}

describe("retention", () => {
  it("reads RETENTION_DAYS, 30 by default", () => {
    expect(retentionDays(env)).toBe(30);
    expect(retentionDays({ ...env, RETENTION_DAYS: "7" } as unknown as Env)).toBe(7);
    expect(retentionDays({ ...env, RETENTION_DAYS: "zero" } as unknown as Env)).toBe(30);
  });

  it("purges deliveries, attempts and events past the retention, keeping the rest", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const old = await history(ws, dest.id, 31);
    const recent = await history(ws, dest.id, 29);
    // An old event redelivered yesterday: the event stays as long as a delivery of it does.
    const redelivered = await history(ws, dest.id, 40, 1, 1);

    const removed = await purgeExpiredHistory(env);
    expect(removed).toEqual({ deliveries: 1, events: 1 });
    expect(await countRows("deliveries", "id = ?", old.ids[0])).toBe(0);
    expect(await countRows("attempts", "delivery_id = ?", old.ids[0])).toBe(0);
    expect(await countRows("events", "id = ?", old.eventId)).toBe(0);
    expect(await countRows("deliveries", "id = ?", recent.ids[0])).toBe(1);
    expect(await countRows("attempts", "delivery_id = ?", recent.ids[0])).toBe(1);
    expect(await countRows("events", "id IN (?, ?)", recent.eventId, redelivered.eventId)).toBe(2);
  });

  it("works in bounded batches: one run removes at most rounds × batch", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    await history(ws, dest.id, 45, 25);
    const first = await purgeExpiredHistory(env, { batch: 10, rounds: 2 });
    expect(first.deliveries).toBe(20);
    expect(await countRows("deliveries", "workspace_uuid = ?", ws.uuid)).toBe(5);
    expect(await countRows("events", "workspace_uuid = ?", ws.uuid)).toBe(1);
    const second = await purgeExpiredHistory(env, { batch: 10, rounds: 2 });
    expect(second).toEqual({ deliveries: 5, events: 1 });
    expect(await countRows("deliveries", "workspace_uuid = ?", ws.uuid)).toBe(0);
  });

  it("runs from the worker's cron trigger", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const old = await history(ws, dest.id, 60);
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env);
    expect(await countRows("deliveries", "id = ?", old.ids[0])).toBe(0);
  });
});
