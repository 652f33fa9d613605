// The workspace's activity and an event's page in the dashboard (docs/lifecycle.md): operational events
// newest first in sentences, a destination's own on its page, and "why did this destination not get it",
// reached from a delivery. Another workspace's event is a 404.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call, contactEvent, createDestination, createWorkspace, ingest, json } from "../support/helpers";
import { currentHistorySql } from "../support/history";
import { dashboardUrls, Visitor } from "./helpers";

beforeEach(() => {
  vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
});
afterEach(() => vi.restoreAllMocks());

async function signedIn() {
  const ws = await createWorkspace();
  const visitor = new Visitor();
  await visitor.signIn(ws.key);
  return { ws, visitor, at: dashboardUrls(ws.uuid) };
}

describe("Activity", () => {
  it("lists the workspace's operational events, newest first, and a destination's own on its page", async () => {
    const { ws, visitor } = await signedIn();
    const crm = await createDestination(ws, { name: "CRM intake" });
    const other = await createDestination(ws, { name: "Warehouse" });
    await createDestination(ws, { name: "Alerts", event_types: ["destination.disabled"] });
    for (const d of [crm, other])
      await call(`/v1/workspaces/${ws.uuid}/destinations/${d.id}`, {
        method: "PATCH",
        auth: ws.auth,
        body: { enabled: false },
      });
    const page = await visitor.fetch(`/w/${ws.uuid}/activity`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Warehouse</a> was disabled: someone disabled it.");
    expect(html.indexOf("Warehouse</a>")).toBeLessThan(html.indexOf("CRM intake</a>"));
    expect(html).toContain('aria-current="page"');

    const own = await (await visitor.fetch(dashboardUrls(ws.uuid).destination(crm.id))).text();
    expect(own).toContain('id="activity-title"');
    expect(own).toContain("CRM intake</a> was disabled");
    expect(own).not.toContain("Warehouse</a> was disabled");
  });

  it("says so when nothing has happened, and shows no other workspace's", async () => {
    const { ws: mine, visitor } = await signedIn();
    const theirs = await createWorkspace("Other");
    const d = await createDestination(theirs, { name: "Theirs" });
    await call(`/v1/workspaces/${theirs.uuid}/destinations/${d.id}`, {
      method: "PATCH",
      auth: theirs.auth,
      body: { enabled: false },
    });
    const html = await (await visitor.fetch(`/w/${mine.uuid}/activity`)).text();
    expect(html).toContain("Nothing yet.");
    expect(html).not.toContain("Theirs");
  });

  it("pages 50 at a time, newest first, with a link to the older ones", async () => {
    const { ws, visitor } = await signedIn();
    const d = await createDestination(ws, { name: "Paged" });
    for (let i = 0; i < 52; i++) {
      const id = `evt_${(Date.now() + i).toString(16).padStart(12, "0")}${"0".repeat(20)}`;
      const payload = JSON.stringify({ destination: { id: d.id, name: `Paged ${i}` }, reason: "manual" });
      await currentHistorySql(
        ws.uuid,
        "INSERT INTO events (workspace_uuid, id, type, payload, created_at) VALUES (?, ?, 'destination.disabled', ?, ?)",
        [ws.uuid, id, payload, Date.now() + i],
      );
    }
    const first = await (await visitor.fetch(`/w/${ws.uuid}/activity`)).text();
    expect(first.match(/class="activity-item"/g)).toHaveLength(50);
    expect(first.indexOf("Paged 51<")).toBeLessThan(first.indexOf("Paged 50<"));
    expect(first).not.toContain("Paged 1<");
    const older = first.match(/href="([^"]+\?before=evt_[0-9a-f]{32})"/)?.[1] ?? "";
    expect(older).not.toBe("");
    const second = await (await visitor.fetch(older)).text();
    expect(second.match(/class="activity-item"/g)).toHaveLength(2);
    expect(second).toContain("Paged 1<");
    expect(second).toContain("Paged 0<");
    expect(second).not.toContain("?before=");
  });
});

describe("an event's page", () => {
  it("answers, from a delivery, which destinations got the event and why others did not", async () => {
    const { ws, visitor, at } = await signedIn();
    const got = await createDestination(ws, { name: "Gets it" });
    await createDestination(ws, { name: "Other type", event_types: ["contact.deleted"] });
    await createDestination(ws, { name: "Pro only", filter: { "contact.attributes.plan": "pro" } });
    const accepted = await json<{ deliveries: { id: string }[] }>(
      await ingest(ws, contactEvent({ id: "crm-77" })),
    );
    const deliveryId = accepted.deliveries[0]?.id ?? "";

    const delivery = await (await visitor.fetch(at.delivery(got.id, deliveryId))).text();
    const link = `/w/${ws.uuid}/events/crm-77?from=${got.id}`;
    expect(delivery).toContain(`href="${link}"`);
    const page = await visitor.fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(at.delivery(got.id, deliveryId));
    expect(html).toContain("Not subscribed to this event type.");
    expect(html).toContain("Its filter does not match this event.");
    expect(html).toContain("<code>filter.contact.attributes.plan</code>");

    const stranger = await signedIn();
    expect((await stranger.visitor.fetch(`/w/${stranger.ws.uuid}/events/crm-77`)).status).toBe(404);
    expect((await visitor.fetch(`/w/${ws.uuid}/events/nope`)).status).toBe(404);
  });
});
