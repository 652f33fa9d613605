// A workspace's history spread over several partitions (docs/storage.md) reads as one table: pages newest
// first with nothing missing and nothing twice, cursors that cross partitions, status filters, an event
// found by the client's id in an older partition, a recovery over a window of several partitions, the
// dashboard's history, and another workspace's records still a 404.
import { afterEach, describe, expect, it, vi } from "vitest";
import { partitionOfId } from "../../src/history/ids";
import { dashboardUrls, Visitor } from "../dashboard/helpers";
import {
  call,
  createDestination,
  createWorkspace,
  type DeliveryJson,
  json,
  type RecoveryJson,
  type Workspace,
} from "../support/helpers";
import { partitionsOf, seedDeliveries } from "../support/history";

afterEach(() => vi.restoreAllMocks());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `count` deliveries of one event, made `ageMs` ago (a millisecond apart), in that time's partition. */
async function seedAt(
  ws: Workspace,
  destinationId: string,
  ageMs: number,
  count: number,
  status = "succeeded",
) {
  const created = Date.now() - ageMs;
  const eventId = `evt-part-${ageMs}-${status}-${destinationId}`;
  const payload = JSON.stringify({
    event: { id: eventId, type: "contact.created" },
    workspace: { uuid: ws.uuid },
    contact: { _id: "ct_1" },
  });
  return seedDeliveries(
    ws.uuid,
    destinationId,
    { id: eventId, payload },
    Array.from({ length: count }, (_, i) => ({
      createdAt: created + i,
      status,
      attemptsMade: status === "pending" ? 0 : 8,
      nextAttemptAt: status === "pending" ? created + i : null,
      updatedAt: created + i,
    })),
  );
}

/** Every delivery of a destination through the API, page by page; and how many pages it took. */
async function allPages(ws: Workspace, destinationId: string, query: string) {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const path = `/v1/workspaces/${ws.uuid}/destinations/${destinationId}/deliveries?${query}${cursor ? `&cursor=${cursor}` : ""}`;
    const page: { data: DeliveryJson[]; next_cursor: string | null } = await json(
      await call(path, { auth: ws.auth }),
    );
    seen.push(...page.data.map((d) => d.id));
    cursor = page.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  return { seen, pages };
}

const newestFirst = (ids: string[]) => [...ids].sort().reverse();

describe("a history over several partitions", () => {
  it("pages newest first across partitions, with nothing missing and nothing twice", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws);
    const ids = [
      ...(await seedAt(ws, d.id, 0, 5)),
      ...(await seedAt(ws, d.id, DAY, 7)),
      ...(await seedAt(ws, d.id, 3 * DAY, 6)),
      ...(await seedAt(ws, d.id, 9 * DAY, 3)),
    ];
    const partitions = new Set(ids.map((id) => JSON.stringify(partitionOfId(ws.uuid, id))));
    expect(partitions.size).toBe(4);
    expect((await partitionsOf(ws.uuid)).length).toBeGreaterThanOrEqual(4);
    for (const limit of [1, 4, 6, 100]) {
      const { seen, pages } = await allPages(ws, d.id, `limit=${limit}`);
      expect(seen).toEqual(newestFirst(ids));
      expect(pages).toBeLessThanOrEqual(Math.ceil(ids.length / limit) + 1);
    }
  });

  it("filters by status across partitions, and keeps each workspace's partitions its own", async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace("Other");
    const d = await createDestination(ws);
    const failed = [
      ...(await seedAt(ws, d.id, 2 * HOUR, 3, "failed")),
      ...(await seedAt(ws, d.id, 2 * DAY, 4, "failed")),
    ];
    await seedAt(ws, d.id, DAY, 5, "succeeded");
    const { seen } = await allPages(ws, d.id, "limit=2&status=failed");
    expect(seen).toEqual(newestFirst(failed));
    // Another workspace's key sees none of it: the destination and each delivery are a 404.
    const stranger = await call(`/v1/workspaces/${ws.uuid}/destinations/${d.id}/deliveries`, {
      auth: other.auth,
    });
    expect(stranger.status).toBe(404);
    expect(
      (await call(`/v1/workspaces/${other.uuid}/deliveries/${failed[0]}`, { auth: other.auth })).status,
    ).toBe(404);
    expect((await call(`/v1/workspaces/${ws.uuid}/deliveries/${failed[6]}`, { auth: ws.auth })).status).toBe(
      200,
    );
  });

  it("finds an event by the client's id in an older partition, with its deliveries", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws);
    const created = Date.now() - 5 * DAY;
    const [id] = await seedDeliveries(
      ws.uuid,
      d.id,
      {
        id: "crm-older",
        payload: JSON.stringify({
          event: { id: "crm-older", type: "contact.created" },
          workspace: { uuid: ws.uuid },
        }),
      },
      [{ createdAt: created, status: "succeeded", attemptsMade: 1, nextAttemptAt: null }],
    );
    await seedAt(ws, d.id, 0, 2);
    const explained = await json<{ event: { id: string }; destinations: { deliveries: { id: string }[] }[] }>(
      await call(`/v1/workspaces/${ws.uuid}/events/crm-older`, { auth: ws.auth }),
    );
    expect(explained.event.id).toBe("crm-older");
    expect(explained.destinations[0]?.deliveries.map((x) => x.id)).toEqual([id]);
  });

  it("recovers a window that spans partitions, each selected delivery once", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws);
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const failed = [
      ...(await seedAt(ws, d.id, 4 * HOUR, 3, "failed")),
      ...(await seedAt(ws, d.id, DAY + HOUR, 4, "failed")),
      ...(await seedAt(ws, d.id, 2 * DAY + HOUR, 2, "failed")),
    ];
    await seedAt(ws, d.id, 6 * DAY, 5, "failed"); // before the window
    const since = new Date(Date.now() - 3 * DAY).toISOString();
    const started = await call(`/v1/workspaces/${ws.uuid}/destinations/${d.id}/recover`, {
      method: "POST",
      auth: ws.auth,
      body: { since },
    });
    expect(started.status).toBe(202);
    const recovery = await json<RecoveryJson>(started);
    expect(recovery.total).toBe(failed.length);
    await vi.waitFor(
      async () => {
        const now = await json<RecoveryJson>(
          await call(`/v1/workspaces/${ws.uuid}/destinations/${d.id}/recoveries/${recovery.id}`, {
            auth: ws.auth,
          }),
        );
        expect(now).toMatchObject({ status: "finished", sent: failed.length });
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it("shows the dashboard's delivery history across partitions, newest first", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws, { name: "Spread" });
    const ids = [...(await seedAt(ws, d.id, 0, 2)), ...(await seedAt(ws, d.id, 2 * DAY, 2))];
    const visitor = new Visitor();
    await visitor.signIn(ws.key);
    const page = await visitor.fetch(dashboardUrls(ws.uuid).destination(d.id));
    const html = await page.text();
    expect(page.status, html.slice(0, 300)).toBe(200);
    const shown = newestFirst(ids).filter((id) => html.includes(id));
    expect(shown).toEqual(newestFirst(ids));
    const positions = newestFirst(ids).map((id) => html.indexOf(id));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });
});
