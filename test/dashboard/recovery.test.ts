// The failure lifecycle in the dashboard (docs/lifecycle.md): Recover deliveries… (a window, statuses, a
// count before it starts, its progress), the refusals, the offer to recover skipped deliveries after
// re-enabling, and the failing banner's disable time.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { countRows, createDestination, createWorkspace, type Workspace } from "../support/helpers";
import { destinationHistorySql, objectSql, seedDeliveries, setHealth } from "../support/history";
import { dashboardUrls, Visitor } from "./helpers";

beforeEach(() => {
  // Nothing is sent: the recovery re-opens and queues; the queue's messages are dropped here.
  vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
});
afterEach(() => vi.restoreAllMocks());

const HOUR = 3_600_000;
const minutes = (ms: number) => new Date(ms).toISOString().slice(0, 16);

async function seedFailed(ws: Workspace, destinationId: string, count: number, status = "failed") {
  const eventId = `evt-dash-${status}-${destinationId}`;
  const created = Date.now() - 2 * HOUR;
  const seeds = Array.from({ length: count }, (_, i) => ({
    createdAt: created + i,
    status,
    attemptsMade: 8,
  }));
  await seedDeliveries(ws.uuid, destinationId, { id: eventId, payload: "{}" }, seeds);
}

async function signedIn() {
  const ws = await createWorkspace();
  const destination = await createDestination(ws, { event_types: ["contact.created"] });
  const visitor = new Visitor();
  await visitor.signIn(ws.key);
  return { ws, destination, visitor, at: dashboardUrls(ws.uuid) };
}

describe("Recover deliveries…", () => {
  it("counts what a window selects, starts it, and shows its progress", async () => {
    const { ws, destination, visitor, at } = await signedIn();
    await seedFailed(ws, destination.id, 7);
    await seedFailed(ws, destination.id, 3, "skipped");
    const page = await (await visitor.fetch(at.destination(destination.id))).text();
    expect(page).toContain(`href="${at.destination(destination.id)}/recover"`);

    const form = await visitor.fetch(`${at.destination(destination.id)}/recover`);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('type="datetime-local"');
    expect(formHtml).not.toContain("deliveries match");

    const since = minutes(Date.now() - 3 * HOUR);
    const both = await visitor.fetch(
      `${at.destination(destination.id)}/recover?since=${since}&until=&statuses=failed&statuses=skipped&count=1`,
    );
    expect(await both.text()).toContain("10 deliveries match");
    const onlyFailed = await (
      await visitor.fetch(
        `${at.destination(destination.id)}/recover?since=${since}&until=&statuses=failed&count=1`,
      )
    ).text();
    expect(onlyFailed).toContain("7 deliveries match");
    expect(onlyFailed).toContain("Recover 7 deliveries");

    const started = await visitor.post(`${at.destination(destination.id)}/recover`, [
      ["since", since],
      ["until", ""],
      ["statuses", "failed"],
    ]);
    expect(started.status).toBe(303);
    const location = started.headers.get("location") ?? "";
    expect(location).toMatch(new RegExp(`${at.destination(destination.id)}/recoveries/rcv_[0-9a-f]{32}$`));
    const progress = await (await visitor.fetch(location)).text();
    expect(progress).toMatch(/7 of 7 deliveries|0 of 7 deliveries/);
    await vi.waitFor(
      async () => expect(await (await visitor.fetch(location)).text()).toContain("7 of 7 deliveries"),
      { timeout: 5_000, interval: 50 },
    );
    expect(await (await visitor.fetch(location)).text()).toContain("Finished");
    const statuses = await destinationHistorySql(
      destination.id,
      "SELECT status, count(*) AS n FROM deliveries WHERE destination_id = ? GROUP BY status ORDER BY status",
      [destination.id],
    );
    expect(statuses).toEqual([
      { status: "pending", n: 7 },
      { status: "skipped", n: 3 },
    ]);
  });

  it("says what is wrong with a window, and starts nothing", async () => {
    const { ws, destination, visitor, at } = await signedIn();
    await seedFailed(ws, destination.id, 2);
    const wide = await visitor.fetch(
      `${at.destination(destination.id)}/recover?since=${minutes(Date.now() - 20 * 24 * HOUR)}&statuses=failed&count=1`,
    );
    expect(wide.status).toBe(400);
    expect(await wide.text()).toContain("The window may cover at most 14 days.");
    const none = await visitor.post(`${at.destination(destination.id)}/recover`, [
      ["since", minutes(Date.now() - HOUR)],
      ["until", ""],
    ]);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Choose at least one status.");
    const garbled = await visitor.post(`${at.destination(destination.id)}/recover`, [
      ["since", "yesterday"],
      ["statuses", "failed"],
    ]);
    expect(garbled.status).toBe(400);
    const made = await countRows("recoveries", "destination_id = ?", destination.id);
    expect(made).toBe(0);
  });

  it("refuses while one runs and while the destination is disabled; another workspace's is a 404", async () => {
    const { ws, destination, visitor, at } = await signedIn();
    const running = `rcv_${"a".repeat(32)}`;
    await objectSql(
      "INSERT INTO recoveries (id, workspace_uuid, destination_id, since, until, statuses, total, sent, created_at, updated_at) VALUES (?, ?, ?, 0, 1, '[\"failed\"]', 40, 12, ?, ?)",
      [running, ws.uuid, destination.id, Date.now(), Date.now()],
      ws.uuid,
    );
    const page = await (await visitor.fetch(at.destination(destination.id))).text();
    expect(page).toContain("A recovery is running: 12 of 40");
    const form = [
      ["since", minutes(Date.now() - HOUR)],
      ["until", ""],
      ["statuses", "failed"],
    ] as [string, string][];
    const busy = await visitor.post(`${at.destination(destination.id)}/recover`, form);
    expect(busy.status).toBe(409);
    expect(await busy.text()).toContain(`${at.destination(destination.id)}/recoveries/${running}`);

    await visitor.post(at.action(destination.id, "disable"));
    const off = await visitor.post(`${at.destination(destination.id)}/recover`, form);
    expect(off.status).toBe(409);
    expect(await off.text()).toContain("this destination is disabled");

    const stranger = await signedIn();
    const theirs = await stranger.visitor.fetch(`${stranger.at.destination(destination.id)}/recover`);
    expect(theirs.status).toBe(404);
    const theirsProgress = await stranger.visitor.fetch(
      `${stranger.at.destination(destination.id)}/recoveries/${running}`,
    );
    expect(theirsProgress.status).toBe(404);
  });

  it("offers to recover skipped deliveries after re-enabling, from when it began to fail", async () => {
    const { destination, visitor, at } = await signedIn();
    const failingSince = Date.now() - 5 * HOUR;
    await env.DB.prepare(
      "UPDATE destinations SET enabled = 0, disabled_reason = 'Disabled automatically' WHERE id = ?",
    )
      .bind(destination.id)
      .run();
    await setHealth(destination.id, { consecutive_failures: 40, failures_since: failingSince });
    await visitor.fetch(at.destination(destination.id));
    const on = await visitor.post(at.action(destination.id, "enable"));
    const location = on.headers.get("location") ?? "";
    expect(location).toContain("notice=enabled");
    const page = await (await visitor.fetch(location)).text();
    expect(page).toContain("Recover skipped deliveries…");
    const link = page.match(/href="([^"]+\/recover\?[^"]+)"/)?.[1]?.replaceAll("&amp;", "&") ?? "";
    expect(link).toContain("statuses=skipped");
    const offered = await (await visitor.fetch(link)).text();
    expect(offered).toContain(`value="${minutes(failingSince)}"`);
    expect(offered).toMatch(/id="status-skipped"[^>]*checked/);
    expect(offered).not.toMatch(/id="status-failed"[^>]*checked/);
  });
});

describe("the failing banner", () => {
  it("says when the destination will be disabled if no probe succeeds", async () => {
    const { destination, visitor, at } = await signedIn();
    const since = Date.now() - HOUR;
    await setHealth(destination.id, { consecutive_failures: 12, failures_since: since });
    const page = await (await visitor.fetch(at.destination(destination.id))).text();
    expect(page).toContain("This destination is failing");
    const disablesAt = new Date(since + 120 * HOUR).toISOString();
    expect(page).toContain(`If no probe succeeds by <time datetime="${disablesAt}">`);
  });
});
