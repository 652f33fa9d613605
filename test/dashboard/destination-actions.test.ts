// A destination's page and its actions through the dashboard: enable and disable, rotate with a grace
// period (a new one-time secret), send a test, the history with its filter and pages, one delivery's
// attempts shown as text, redeliver, and delete with what goes with it.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { consume, pendingDelivery } from "../support/consumer-helpers";
import { call, countRows, createDestination, createWorkspace, json } from "../support/helpers";
import { destinationHistorySql } from "../support/history";
import { dashboardUrls, shownSecret, Visitor } from "./helpers";

beforeEach(() => {
  // Nothing leaves the test: queued messages are dropped, attempts are made by hand through consume().
  vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
});
afterEach(() => vi.restoreAllMocks());

async function destinationPage() {
  const ws = await createWorkspace();
  const destination = await createDestination(ws, { event_types: ["contact.created"] });
  const visitor = new Visitor();
  await visitor.signIn(ws.key);
  const at = dashboardUrls(ws.uuid);
  const page = await visitor.fetch(at.destination(destination.id));
  expect(page.status).toBe(200);
  return { ws, destination, visitor, at };
}

const apiView = async (ws: { uuid: string; auth: string }, id: string) =>
  json<{ enabled: boolean; secret_version: number; previous_secret_expires_at: string | null }>(
    await call(`/v1/workspaces/${ws.uuid}/destinations/${id}`, { auth: ws.auth }),
  );

describe("enable and disable", () => {
  it("changes the state through the API's rules and says what it means", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    const off = await visitor.post(at.action(destination.id, "disable"));
    expect(off.headers.get("location")).toBe(`${at.destination(destination.id)}?notice=disabled`);
    expect((await apiView(ws, destination.id)).enabled).toBe(false);
    const page = await (await visitor.fetch(off.headers.get("location") ?? "")).text();
    expect(page).toContain("Destination disabled.");
    expect(page).toContain("Enable destination");
    await visitor.post(at.action(destination.id, "enable"));
    expect((await apiView(ws, destination.id)).enabled).toBe(true);
  });
});

describe("rotate", () => {
  it("shows the new secret once, with the grace period chosen", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    const rotated = await visitor.post(at.action(destination.id, "rotate"), { grace_seconds: "3600" });
    expect(rotated.status).toBe(303);
    expect(rotated.headers.get("location")).toBe(at.destination(destination.id));
    const page = await (await visitor.fetch(at.destination(destination.id))).text();
    const secret = shownSecret(page);
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(destination.secret);
    expect(page).toContain("New signing secret");
    const view = await apiView(ws, destination.id);
    expect(view.secret_version).toBe(2);
    const grace = Date.parse(view.previous_secret_expires_at ?? "") - Date.now();
    expect(grace).toBeGreaterThan(3_500_000);
    expect(grace).toBeLessThanOrEqual(3_600_000);
    expect(shownSecret(await (await visitor.fetch(at.destination(destination.id))).text())).toBeNull();
  });

  it("refuses a grace period the API would refuse, and rotates nothing", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    for (const grace of ["604801", "-1", "soon", ""]) {
      const refused = await visitor.post(at.action(destination.id, "rotate"), { grace_seconds: grace });
      expect(refused.status, grace).toBe(400);
      expect(await refused.text()).toContain('id="grace_seconds-error"');
    }
    expect((await apiView(ws, destination.id)).secret_version).toBe(1);
  });
});

describe("send a test, then read its attempts", () => {
  it("queues a webhook.test delivery and opens its page, which shows it pending", async () => {
    const { destination, visitor, at } = await destinationPage();
    const sent = await visitor.post(at.action(destination.id, "test"));
    expect(sent.status).toBe(303);
    const location = sent.headers.get("location") ?? "";
    expect(location).toMatch(
      new RegExp(`^${at.destination(destination.id)}/deliveries/dlv_[0-9a-f]{32}\\?notice=test$`),
    );
    const page = await (await visitor.fetch(location)).text();
    expect(page).toContain("Test sent");
    expect(page).toContain("Pending");
    expect(page).toContain("data-refresh-after");
  });

  it("refuses a test of a disabled destination with a reason, and creates nothing", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    await visitor.post(at.action(destination.id, "disable"));
    const refused = await visitor.post(at.action(destination.id, "test"));
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("No test was sent: this destination is disabled.");
    expect(await countRows("deliveries", "workspace_uuid = ?", ws.uuid)).toBe(0);
  });

  it("shows each attempt: request, status, body excerpt as text, duration, error class and message", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    const id = await pendingDelivery(ws, destination.id);
    const hostile = "<script>alert(1)</script> & {{ x }}";
    const fetcher = (async () => new Response(hostile, { status: 500 })) as typeof fetch;
    await consume(fetcher, [{ deliveryId: id, attempts: 1 }]);
    const page = await (await visitor.fetch(at.delivery(destination.id, id))).text();
    expect(page).toContain("Attempt 1");
    expect(page).toContain("500 Internal Server Error");
    expect(page).toContain("http_status");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ x }}");
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain("https://example.com/webhooks/contact.created");
    expect(page).toContain("[redacted]");
    // What a 500 means and what to do, linked to its Troubleshooting section.
    expect(page).toContain("5xx Server error");
    expect(page).toContain('href="/docs/troubleshooting#server-error"');
  });

  it("explains a 401 beside its attempt, with its own section", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    const denied = await pendingDelivery(ws, destination.id);
    await consume((async () => new Response("no", { status: 401 })) as typeof fetch, [
      { deliveryId: denied, attempts: 1 },
    ]);
    const page = await (await visitor.fetch(at.delivery(destination.id, denied))).text();
    expect(page).toContain("401 Unauthorized or 403 Forbidden");
    expect(page).toContain('href="/docs/troubleshooting#unauthorized"');
    expect(page).not.toContain("#server-error");
  });
});

describe("redeliver", () => {
  it("makes a new delivery of the same event, and refuses while the destination is disabled", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    const id = await pendingDelivery(ws, destination.id);
    const again = await visitor.post(`${at.delivery(destination.id, id)}/redeliver`);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toMatch(/\/deliveries\/dlv_[0-9a-f]{32}\?notice=redelivered$/);
    expect(again.headers.get("location")).not.toContain(id);
    await visitor.post(at.action(destination.id, "disable"));
    const refused = await visitor.post(`${at.delivery(destination.id, id)}/redeliver`);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("Nothing was sent: this destination is disabled.");
    expect(await countRows("deliveries", "workspace_uuid = ?", ws.uuid)).toBe(2);
  });
});

describe("history", () => {
  it("pages 20 at a time with the API's cursor, filters by status and states the retention", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    for (let i = 0; i < 21; i++) await pendingDelivery(ws, destination.id);
    await destinationHistorySql(
      destination.id,
      "UPDATE deliveries SET status = 'failed' WHERE id = (SELECT min(id) FROM deliveries WHERE destination_id = ?)",
      [destination.id],
    );
    const first = await (await visitor.fetch(at.destination(destination.id))).text();
    expect(first).toContain("Deliveries are kept for 30 days.");
    expect(first.match(/class="cell-event"/g)).toHaveLength(20);
    const older = first.match(/href="([^"]+cursor=[^"]+)"/)?.[1]?.replaceAll("&amp;", "&") ?? "";
    const second = await (await visitor.fetch(older)).text();
    expect(second.match(/class="cell-event"/g)).toHaveLength(1);
    expect(second).toContain("Failed");
    const failed = await (await visitor.fetch(`${at.destination(destination.id)}?status=failed`)).text();
    expect(failed.match(/class="cell-event"/g)).toHaveLength(1);
    expect(failed).toMatch(
      /aria-current="page"[^>]*>Failed|href="[^"]*status=failed[^"]*"[^>]*aria-current="page"/,
    );
    const skipped = await (await visitor.fetch(`${at.destination(destination.id)}?status=skipped`)).text();
    expect(skipped).toContain("No skipped deliveries.");
  });
});

describe("delete", () => {
  it("asks first, saying what goes with it, then removes the destination and its records", async () => {
    const { ws, destination, visitor, at } = await destinationPage();
    await pendingDelivery(ws, destination.id);
    const confirm = await (await visitor.fetch(at.action(destination.id, "delete"))).text();
    expect(confirm).toContain(
      "Deleting a destination also removes its event subscriptions and related delivery records.",
    );
    const deleted = await visitor.post(at.action(destination.id, "delete"));
    expect(deleted.headers.get("location")).toBe(`${at.list}?notice=deleted`);
    expect(await (await visitor.fetch(`${at.list}?notice=deleted`)).text()).toContain("Destination deleted");
    for (const table of ["destinations", "destination_event_types", "deliveries"]) {
      expect(await countRows(table, "workspace_uuid = ?", ws.uuid), table).toBe(0);
    }
    expect((await visitor.fetch(at.destination(destination.id))).status).toBe(404);
  });
});
