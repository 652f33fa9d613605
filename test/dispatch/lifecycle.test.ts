// The failure lifecycle inside workerd (docs/lifecycle.md): operational events in the catalog and
// subscriptions, announced once per state change in the transaction of the change, delivered (rendered,
// signed) through the real queue to other destinations and never to the one they are about;
// delivery.exhausted throttled with a count; disables by 410, by hand and automatically.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consume, pendingDelivery } from "../support/consumer-helpers";
import {
  type Captured,
  call,
  createDestination,
  createWorkspace,
  json,
  receiver,
  verifySignature,
  type Workspace,
} from "../support/helpers";
import { destinationHistorySql, healthOf, objectRow, objectSql, setHealth } from "../support/history";

afterEach(() => vi.restoreAllMocks());

const HOUR = 3_600_000;

type Payload = Record<string, unknown> & {
  destination: { id: string };
  delivery?: { id: string };
  counting_since?: string | null;
  disabled_reason?: string | null;
  failing_since?: string | null;
  reason?: string;
};
type Stored = { type: string; payload: Payload };

/** The workspace's operational events, oldest first. */
async function operationalEvents(ws: Workspace): Promise<Stored[]> {
  const rows = await objectSql(
    `SELECT type, payload, created_at AS at, id FROM events WHERE workspace_uuid = ?
     AND type IN ('destination.failing', 'destination.recovered', 'destination.disabled', 'delivery.exhausted')`,
    [ws.uuid],
    ws.uuid,
  );
  rows.sort((a, b) => Number(a.at) - Number(b.at) || String(a.id).localeCompare(String(b.id)));
  return rows.map((r) => ({ type: String(r.type), payload: JSON.parse(String(r.payload)) }));
}

const deliveriesTo = async (destinationId: string, type: string) =>
  (await destinationHistorySql(
    destinationId,
    "SELECT id, status FROM deliveries WHERE destination_id = ? AND event_type = ?",
    [destinationId, type],
  )) as { id: string; status: string }[];

/** A destination as D1 (enabled, reason) and its workspace's object (its health) keep it. */
async function destinationRow(id: string) {
  const row = await env.DB.prepare("SELECT enabled, disabled_reason AS reason FROM destinations WHERE id = ?")
    .bind(id)
    .first<{ enabled: number; reason: string | null }>();
  const h = await healthOf(id);
  return (
    row &&
    h && {
      ...row,
      failures: h.consecutiveFailures,
      since: h.failuresSince,
      announced: h.failingAnnouncedSince,
    }
  );
}
const statusOf = async (deliveryId: string) =>
  (await objectRow<{ status: string }>("SELECT status FROM deliveries WHERE id = ?", [deliveryId]))?.status;

/** Routes the global fetch (what the real queue's consumer and the lanes send with) by host. */
function spyReceivers(byHost: Record<string, (r: Captured) => Response>) {
  const r = receiver((request) => {
    const handler = byHost[new URL(request.url).host];
    return handler ? handler(request) : new Response("ok");
  });
  vi.spyOn(globalThis, "fetch").mockImplementation(r.fetcher);
  return r.requests;
}

const failingNow = (ws: Workspace, destinationId: string, n = 10) =>
  Promise.all(Array.from({ length: n }, () => pendingDelivery(ws, destinationId)));

async function makeFailing(ws: Workspace, destinationId: string) {
  const ids = await failingNow(ws, destinationId);
  const down = receiver(() => new Response("down", { status: 500 }));
  await consume(
    down.fetcher,
    ids.map((deliveryId) => ({ deliveryId, attempts: 1 })),
  );
  return ids;
}

describe("operational events in the catalog and in subscriptions", () => {
  it("lists them as operational and subscribable; a destination subscribes; POST /events refuses them", async () => {
    const catalog = await json<{ data: { type: string; subscribable: boolean; operational: boolean }[] }>(
      await call("/v1/event-types"),
    );
    const operational = catalog.data.filter((t) => t.operational).map((t) => t.type);
    expect(operational.sort()).toEqual([
      "delivery.exhausted",
      "destination.disabled",
      "destination.failing",
      "destination.recovered",
    ]);
    expect(catalog.data.find((t) => t.type === "contact.created")?.operational).toBe(false);
    expect(catalog.data.filter((t) => t.operational).every((t) => t.subscribable)).toBe(true);

    const ws = await createWorkspace();
    const alerts = await createDestination(ws, {
      event_types: ["destination.failing", "delivery.exhausted"],
    });
    expect([...alerts.event_types].sort()).toEqual(["delivery.exhausted", "destination.failing"]);
    const refused = await call(`/v1/workspaces/${ws.uuid}/events`, {
      method: "POST",
      auth: ws.auth,
      body: { type: "destination.failing", contact: { _id: "ct_1" } },
    });
    expect(refused.status).toBe(400);
    expect(await operationalEvents(ws)).toEqual([]);
  });
});

describe("destination.failing and destination.recovered", () => {
  it("announces failing once, delivers it signed and rendered to the alert destination, never to itself", async () => {
    const ws = await createWorkspace();
    const crm = await createDestination(ws, {
      name: "CRM",
      url_template: "https://crm.example.com/hook",
      event_types: ["contact.created", "destination.failing"],
    });
    const chat = await createDestination(ws, {
      name: "Chat",
      url_template: "https://chat.example.com/hook",
      headers_template: [],
      query_template: [],
      event_types: ["destination.failing"],
      body_template:
        '{"text": "{{destination.name}} is failing since {{failing_since}} ({{consecutive_failures}} failures); disabled at {{disables_at}}"}',
    });
    const requests = spyReceivers({
      "chat.example.com": () => new Response("ok"),
      "crm.example.com": () => new Response("still down", { status: 503 }),
    });

    const before = Date.now();
    await makeFailing(ws, crm.id);
    const events = await operationalEvents(ws);
    expect(events.map((e) => e.type)).toEqual(["destination.failing"]);
    const payload = events[0]?.payload as Record<string, unknown>;
    expect(payload).toMatchObject({
      event: { type: "destination.failing" },
      workspace: { uuid: ws.uuid },
      destination: { id: crm.id, name: "CRM", url_template: "https://crm.example.com/hook" },
      consecutive_failures: 10,
      last_attempt: { status: 500, error_class: "http_status" },
    });
    expect(payload).not.toHaveProperty("contact");
    const since = Date.parse(payload.failing_since as string);
    expect(since).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(payload.disables_at as string) - since).toBe(120 * HOUR);
    // Never to the destination it is about, though it subscribes to the type.
    expect(await deliveriesTo(crm.id, "destination.failing")).toEqual([]);
    expect(await deliveriesTo(chat.id, "destination.failing")).toHaveLength(1);

    // Through the real queue and the chat destination's lane: rendered and signed.
    await vi.waitFor(
      () => expect(requests.filter((r) => r.url.includes("chat.example.com"))).toHaveLength(1),
      {
        timeout: 5_000,
        interval: 25,
      },
    );
    const sent = requests.find((r) => r.url.includes("chat.example.com")) as Captured;
    expect(JSON.parse(sent.body).text).toBe(
      `CRM is failing since ${payload.failing_since} (10 failures); disabled at ${payload.disables_at}`,
    );
    const header = (name: string) => sent.headers.get(name) ?? "";
    expect(
      await verifySignature(
        chat.secret,
        {
          id: header("x-leadpush-id"),
          timestamp: header("x-leadpush-timestamp"),
          signature: header("x-leadpush-signature"),
        },
        sent.body,
      ),
    ).toBe(true);
    expect(header("x-leadpush-event-type") || "destination.failing").toBe("destination.failing");

    // More failures while it fails (its lane probes, and the probe fails): nothing more is announced.
    await makeFailing(ws, crm.id);
    await vi.waitFor(
      () => expect(requests.filter((r) => r.url.includes("crm.example.com")).length).toBeGreaterThan(0),
      { timeout: 5_000, interval: 25 },
    );
    await vi.waitFor(async () => expect((await destinationRow(crm.id))?.failures).toBeGreaterThan(10));
    expect((await operationalEvents(ws)).map((e) => e.type)).toEqual(["destination.failing"]);
  });

  it("announces recovered once when the lane's probe succeeds, with failing_since and what was released", async () => {
    const ws = await createWorkspace();
    const crm = await createDestination(ws, { name: "CRM", url_template: "https://crm.example.com/hook" });
    const pager = await createDestination(ws, {
      name: "Pager",
      url_template: "https://pager.example.com/hook",
      event_types: ["destination.failing", "destination.recovered"],
    });
    spyReceivers({});
    await makeFailing(ws, crm.id);
    const failing = (await operationalEvents(ws))[0]?.payload as Record<string, unknown>;
    // The receiver is back: the next delivery goes to the lane (the destination is failing), whose probe succeeds.
    const next = await pendingDelivery(ws, crm.id);
    await consume(receiver().fetcher, [{ deliveryId: next, attempts: 1 }]);
    await vi.waitFor(
      async () => expect((await operationalEvents(ws)).map((e) => e.type)).toContain("destination.recovered"),
      {
        timeout: 5_000,
        interval: 25,
      },
    );
    const recovered = (await operationalEvents(ws)).filter((e) => e.type === "destination.recovered");
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.payload).toMatchObject({
      destination: { id: crm.id, name: "CRM" },
      failing_since: failing.failing_since,
    });
    expect(typeof ((recovered[0] as Stored).payload as Record<string, unknown>).released).toBe("number");
    expect(
      Date.parse(((recovered[0] as Stored).payload as Record<string, unknown>).recovered_at as string),
    ).not.toBeNaN();
    expect(await deliveriesTo(pager.id, "destination.recovered")).toHaveLength(1);
    expect((await destinationRow(crm.id))?.announced).toBeNull();
    // Another success announces nothing.
    const again = await pendingDelivery(ws, crm.id);
    await consume(receiver().fetcher, [{ deliveryId: again, attempts: 1 }]);
    await vi.waitFor(async () => expect(await statusOf(again)).toBe("succeeded"));
    expect((await operationalEvents(ws)).filter((e) => e.type === "destination.recovered")).toHaveLength(1);
  });

  it("delivers to a filtered subscriber whose filter matches, and not to one whose filter does not", async () => {
    const ws = await createWorkspace();
    const crm = await createDestination(ws, { name: "CRM", url_template: "https://crm.example.com/hook" });
    const mine = await createDestination(ws, {
      name: "CRM alerts",
      event_types: ["destination.failing"],
      filter: { "destination.name": "CRM" },
    });
    const other = await createDestination(ws, {
      name: "Billing alerts",
      event_types: ["destination.failing"],
      filter: { "destination.name": "Billing" },
    });
    spyReceivers({});
    await makeFailing(ws, crm.id);
    await vi.waitFor(async () => expect(await deliveriesTo(mine.id, "destination.failing")).toHaveLength(1));
    expect(await deliveriesTo(other.id, "destination.failing")).toEqual([]);
  });
});

describe("delivery.exhausted", () => {
  it("announces at most one an hour per destination, counting the ones held back", async () => {
    const ws = await createWorkspace();
    const crm = await createDestination(ws, { name: "CRM", url_template: "https://crm.example.com/hook" });
    const alerts = await createDestination(ws, { name: "Alerts", event_types: ["delivery.exhausted"] });
    spyReceivers({});
    const down = receiver(() => new Response("down", { status: 500 }));
    const lastTry = async (n: number) => {
      const ids = await failingNow(ws, crm.id, n);
      await consume(
        down.fetcher,
        ids.map((deliveryId) => ({ deliveryId, attempts: 1, attemptsBefore: 7 })),
      );
      return ids;
    };
    const first = await lastTry(2);
    let exhausted = (await operationalEvents(ws)).filter((e) => e.type === "delivery.exhausted");
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0]?.payload).toMatchObject({
      destination: { id: crm.id },
      exhausted_count: 2,
      counting_since: null,
      delivery: { attempts: 8, event_type: "contact.created" },
    });
    expect(first).toContain(((exhausted[0] as Stored).payload as { delivery: { id: string } }).delivery.id);

    await lastTry(3); // within the hour: held back, counted
    exhausted = (await operationalEvents(ws)).filter((e) => e.type === "delivery.exhausted");
    expect(exhausted).toHaveLength(1);

    // An hour later, the next one counts the three held back too.
    const announcedAt = (await healthOf(crm.id))?.exhaustedAnnouncedAt as number;
    await setHealth(crm.id, { exhausted_announced_at: announcedAt - HOUR });
    await lastTry(1);
    exhausted = (await operationalEvents(ws)).filter((e) => e.type === "delivery.exhausted");
    expect(exhausted).toHaveLength(2);
    expect(exhausted[1]?.payload).toMatchObject({ exhausted_count: 4 });
    expect(((exhausted[1] as Stored).payload as { counting_since: string }).counting_since).not.toBeNull();
    expect(await deliveriesTo(alerts.id, "delivery.exhausted")).toHaveLength(2);
    expect(await deliveriesTo(crm.id, "delivery.exhausted")).toEqual([]);
  });
});

describe("destination.disabled", () => {
  it("a 410 Gone disables the destination and announces it with reason gone, once", async () => {
    const ws = await createWorkspace();
    const crm = await createDestination(ws, { name: "CRM", url_template: "https://crm.example.com/hook" });
    const alerts = await createDestination(ws, { name: "Alerts", event_types: ["destination.disabled"] });
    spyReceivers({});
    const ids = await failingNow(ws, crm.id, 2);
    const gone = receiver(() => new Response("gone", { status: 410 }));
    await consume(
      gone.fetcher,
      ids.map((deliveryId) => ({ deliveryId, attempts: 1 })),
    );
    const row = await destinationRow(crm.id);
    expect(row?.enabled).toBe(0);
    expect(row?.reason).toMatch(/410 Gone/);
    const disabled = (await operationalEvents(ws)).filter((e) => e.type === "destination.disabled");
    expect(disabled).toHaveLength(1);
    expect(disabled[0]?.payload).toMatchObject({ reason: "gone", destination: { id: crm.id } });
    expect(((disabled[0] as Stored).payload as { disabled_reason: string }).disabled_reason).toBe(
      row?.reason,
    );
    expect(await deliveriesTo(alerts.id, "destination.disabled")).toHaveLength(1);
  });

  it("a disable by hand announces reason manual once; enabling again starts the record afresh", async () => {
    const ws = await createWorkspace();
    const crm = await createDestination(ws, { name: "CRM", url_template: "https://crm.example.com/hook" });
    const alerts = await createDestination(ws, { name: "Alerts", event_types: ["destination.disabled"] });
    spyReceivers({});
    await makeFailing(ws, crm.id);
    const path = `/v1/workspaces/${ws.uuid}/destinations/${crm.id}`;
    const patch = (enabled: boolean) => call(path, { method: "PATCH", auth: ws.auth, body: { enabled } });
    expect((await patch(false)).status).toBe(200);
    expect((await patch(false)).status).toBe(200);
    const disabled = (await operationalEvents(ws)).filter((e) => e.type === "destination.disabled");
    expect(disabled).toHaveLength(1);
    expect(disabled[0]?.payload).toMatchObject({ reason: "manual", disabled_reason: null });
    expect(
      ((disabled[0] as Stored).payload as { failing_since: string | null }).failing_since,
    ).not.toBeNull();
    expect(await deliveriesTo(alerts.id, "destination.disabled")).toHaveLength(1);

    expect((await patch(true)).status).toBe(200);
    const row = await destinationRow(crm.id);
    expect(row).toMatchObject({ enabled: 1, failures: 0, since: null, announced: null, reason: null });
    // Another workspace cannot disable it, and announces nothing about it.
    const other = await createWorkspace("Other");
    const foreign = await call(path.replace(ws.uuid, other.uuid), {
      method: "PATCH",
      auth: other.auth,
      body: { enabled: false },
    });
    expect(foreign.status).toBe(404);
    expect((await destinationRow(crm.id))?.enabled).toBe(1);
    expect(await operationalEvents(other)).toEqual([]);
  });

  it("auto-disables a destination failing without a break for AUTO_DISABLE_AFTER_HOURS, saying since when", async () => {
    const ws = await createWorkspace();
    const crm = await createDestination(ws, { name: "CRM", url_template: "https://crm.example.com/hook" });
    const young = await createDestination(ws, {
      name: "Young",
      url_template: "https://young.example.com/hook",
    });
    const alerts = await createDestination(ws, { name: "Alerts", event_types: ["destination.disabled"] });
    spyReceivers({});
    const since = Date.now() - 121 * HOUR;
    for (const [id, at] of [
      [crm.id, since],
      [young.id, Date.now() - HOUR],
    ] as const)
      await setHealth(id, { consecutive_failures: 40, failures_since: at });
    const disabled = await env.WORKSPACE.getByName(ws.uuid).autoDisable();
    expect(disabled).toBe(1);
    const row = await destinationRow(crm.id);
    expect(row?.enabled).toBe(0);
    expect(row?.reason).toContain(new Date(since).toISOString());
    expect(row?.reason).toMatch(
      /^Disabled automatically on .*: every attempt failed since .* \(40 in a row\)\.$/,
    );
    expect((await destinationRow(young.id))?.enabled).toBe(1);
    const events = (await operationalEvents(ws)).filter((e) => e.type === "destination.disabled");
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({
      reason: "failing",
      failing_since: new Date(since).toISOString(),
      disabled_reason: row?.reason,
    });
    expect(await deliveriesTo(alerts.id, "destination.disabled")).toHaveLength(1);
    // Its alarm again: nothing more.
    expect(await env.WORKSPACE.getByName(ws.uuid).autoDisable()).toBe(0);
  });

  it("the lane disables a destination past its time instead of probing it, and keeps what waited as skipped", async () => {
    const ws = await createWorkspace();
    const crm = await createDestination(ws, { name: "CRM", url_template: "https://crm.example.com/hook" });
    const requests = spyReceivers({ "crm.example.com": () => new Response("down", { status: 500 }) });
    const ids = await failingNow(ws, crm.id, 3);
    await setHealth(crm.id, {
      send_path: "lane",
      consecutive_failures: 12,
      failures_since: Date.now() - 200 * HOUR,
    });
    await env.LANES.getByName(crm.id).accept(crm.id, ws.uuid, ids);
    await vi.waitFor(
      async () => {
        const statuses = await Promise.all(ids.map(statusOf));
        expect(statuses).toEqual(["skipped", "skipped", "skipped"]);
      },
      { timeout: 5_000, interval: 25 },
    );
    expect(requests.filter((r) => r.url.includes("crm.example.com"))).toHaveLength(0);
    expect((await destinationRow(crm.id))?.enabled).toBe(0);
    expect(
      (await operationalEvents(ws)).map((e) => [e.type, (e.payload as { reason?: string }).reason]),
    ).toEqual([["destination.disabled", "failing"]]);
  });
});
