// A destination's filter in the API (create, update, JSON, OpenAPI, errors) and at fan-out: an event
// that does not match creates nothing for that destination, and an event is stored with its whole
// fan-out, filtered or not, in one transaction (so no ingest is ever left half fanned out).
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { filterCandidates, subscribersOf } from "../../src/events/subscriptions";
import { filterKey } from "../../src/filters/key";
import { WorkspaceHistory } from "../../src/history/object";
import {
  call,
  contactEvent,
  countRows,
  createDestination,
  createWorkspace,
  ingest,
  json,
  type Workspace,
} from "../support/helpers";

afterEach(() => vi.restoreAllMocks());

const PAID = { "contact.attributes.plan": { $in: ["pro", "enterprise"] } };
const event = (plan: string, id?: string) =>
  contactEvent({ ...(id ? { id } : {}), contact: { _id: "ct_1", attributes: { plan } } });

async function deliveriesOf(destinationId: string) {
  return countRows("deliveries", "destination_id = ?", destinationId);
}

async function accepted(ws: Workspace, body: Record<string, unknown>) {
  const response = await ingest(ws, body);
  expect(response.status).toBe(202);
  return json<{ event_id: string; delivery_count: number; deliveries: { destination_id: string }[] }>(
    response,
  );
}

describe("filter in the API", () => {
  it("is taken on create and update, shown in the JSON, and cleared with null or {}", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { filter: PAID });
    expect(dest.filter).toEqual(PAID);
    const path = `/v1/workspaces/${ws.uuid}/destinations/${dest.id}`;
    const got = await json<{ filter: unknown }>(await call(path, { auth: ws.auth }));
    expect(got.filter).toEqual(PAID);
    const plain = await createDestination(ws);
    expect(plain.filter).toBeNull();
    const cleared = await call(path, { method: "PATCH", auth: ws.auth, body: { filter: {} } });
    expect((await json<{ filter: unknown }>(cleared)).filter).toBeNull();
    const set = await call(path, {
      method: "PATCH",
      auth: ws.auth,
      body: { filter: { "event.type": "contact.created" } },
    });
    expect((await json<{ filter: unknown }>(set)).filter).toEqual({ "event.type": "contact.created" });
  });

  it("refuses an invalid filter with a 400 naming the place and the reason, and writes nothing", async () => {
    const ws = await createWorkspace();
    const before = await countRows("destinations");
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
      method: "POST",
      auth: ws.auth,
      body: {
        name: "x",
        method: "POST",
        url_template: "https://example.com/",
        event_types: ["contact.created"],
        filter: { $or: [{ "contact.seats": { $gt: true } }] },
      },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const problem = await json<{ errors: { field: string; detail: string }[] }>(response);
    expect(problem.errors[0]?.field).toBe("filter");
    expect(problem.errors[0]?.detail).toBe("filter.$or[0].contact.seats.$gt: must be a number or a string");
    expect(await countRows("destinations")).toBe(before);

    const dest = await createDestination(ws, { filter: PAID });
    const patch = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, {
      method: "PATCH",
      auth: ws.auth,
      body: { filter: [1] },
    });
    expect(patch.status).toBe(400);
    const row = await env.DB.prepare("SELECT filter FROM destinations WHERE id = ?")
      .bind(dest.id)
      .first<{ filter: string }>();
    expect(JSON.parse(row?.filter ?? "null")).toEqual(PAID);
  });

  it("is in the OpenAPI document", async () => {
    const doc = await json<{
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    }>(await call("/openapi.json"));
    expect(doc.components.schemas.DestinationCreate?.properties.filter).toBeDefined();
    expect(doc.components.schemas.Destination?.properties.filter).toBeDefined();
  });
});

describe("filter at fan-out", () => {
  it("creates a delivery only for destinations whose filter the event matches", async () => {
    const ws = await createWorkspace();
    const paid = await createDestination(ws, { filter: PAID });
    const all = await createDestination(ws);
    const free = await accepted(ws, event("free"));
    expect(free.delivery_count).toBe(1);
    expect(free.deliveries.map((d) => d.destination_id)).toEqual([all.id]);
    const pro = await accepted(ws, event("pro"));
    expect(pro.delivery_count).toBe(2);
    expect(pro.deliveries.map((d) => d.destination_id).sort()).toEqual([paid.id, all.id].sort());
    expect(await deliveriesOf(paid.id)).toBe(1);
    expect(await deliveriesOf(all.id)).toBe(2);
  });

  it("answers a replayed id with the first result, without matching again", async () => {
    const ws = await createWorkspace();
    const paid = await createDestination(ws, { filter: PAID });
    const first = await accepted(ws, event("pro", "evt-replay-1"));
    const again = await accepted(ws, event("pro", "evt-replay-1"));
    expect(again.delivery_count).toBe(first.delivery_count);
    expect(await deliveriesOf(paid.id)).toBe(1);
  });

  it("stores the event with its filtered and unfiltered deliveries in one call, one transaction", async () => {
    const ws = await createWorkspace();
    const paid = await createDestination(ws, { filter: PAID });
    const all = await createDestination(ws);
    const store = vi.spyOn(WorkspaceHistory.prototype, "store");
    await accepted(ws, event("pro", "evt-whole-1"));
    expect(store).toHaveBeenCalledTimes(1);
    const [, events] = store.mock.calls[0] ?? [];
    expect([...(events?.[0]?.targets ?? [])].sort()).toEqual([paid.id, all.id].sort());
    expect(await deliveriesOf(paid.id)).toBe(1);
    // Its retry is the first answer, with nothing more stored.
    await accepted(ws, event("pro", "evt-whole-1"));
    expect(await deliveriesOf(paid.id)).toBe(1);
  });

  it("sends no delivery to a disabled filtered destination", async () => {
    const ws = await createWorkspace();
    const paid = await createDestination(ws, { filter: PAID, enabled: false });
    const pro = await accepted(ws, event("pro"));
    expect(pro.delivery_count).toBe(0);
    expect(await deliveriesOf(paid.id)).toBe(0);
  });
});

describe("filter keys: the fan-out reads only the filtered destinations an event may match", () => {
  it("takes a string equality that must hold as the key, and nothing else", () => {
    const plan = '$."contact"."attributes"."plan"';
    expect(filterKey({ "contact.attributes.plan": "paid" })).toEqual({ path: plan, value: "paid" });
    expect(filterKey({ "contact.attributes.plan": { $eq: "paid", $neq: "x" } })).toEqual({
      path: plan,
      value: "paid",
    });
    // The first string equality of an AND, at any depth of $and.
    expect(
      filterKey({ "contact.seats": { $gt: 3 }, $and: [{ "contact.attributes.plan": "paid" }, { x: "y" }] }),
    ).toEqual({ path: plan, value: "paid" });
    for (const none of [
      null,
      {},
      { "contact.seats": 3 },
      { "contact.ok": true },
      PAID,
      { $or: [{ "contact.attributes.plan": "paid" }, { x: "y" }] },
      { $not: { "contact.attributes.plan": "paid" } },
      { 'contact.attributes.first "name"': "Ada" },
    ])
      expect(filterKey(none)).toBeNull();
  });

  it("reads keyed filters only when the payload has the key's value there, and unkeyed ones always", async () => {
    const ws = await createWorkspace();
    const paid = await createDestination(ws, {
      filter: { "contact.attributes.plan": "paid", "contact.seats": { $gt: 3 } },
    });
    const vip = await createDestination(ws, { filter: { "contact.attributes.tags": "vip" } });
    const unkeyed = await createDestination(ws, { filter: PAID });
    const candidates = async (contact: unknown) => {
      const payload = { event: { type: "contact.created" }, contact };
      const subscribers = await subscribersOf(env.DB, ws.uuid);
      return filterCandidates(subscribers, "contact.created", payload)
        .map((f) => f.id)
        .sort();
    };
    expect(await candidates({ attributes: { plan: "free", tags: ["new"] } })).toEqual([unkeyed.id]);
    expect(await candidates({ attributes: { plan: "paid", tags: ["new", "vip"] } })).toEqual(
      [paid.id, vip.id, unkeyed.id].sort(),
    );
    // Numbers, booleans and paths into arrays are not the key's string.
    expect(await candidates({ attributes: { plan: 7, tags: [["vip"]] } })).toEqual([unkeyed.id]);
    // And at fan-out every condition still decides: plan = paid but 2 seats is not a match.
    const two = await accepted(ws, event("paid"));
    expect(two.deliveries.map((d) => d.destination_id)).toEqual([]);
    const many = await accepted(
      ws,
      contactEvent({ contact: { _id: "ct_2", seats: 5, attributes: { plan: "paid", tags: ["vip"] } } }),
    );
    expect(many.deliveries.map((d) => d.destination_id).sort()).toEqual([paid.id, vip.id].sort());
  });

  it("keeps the subscriptions in step with the filter through every update", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, {
      filter: { "contact.attributes.plan": "paid" },
      event_types: ["contact.created"],
    });
    const path = `/v1/workspaces/${ws.uuid}/destinations/${dest.id}`;
    const kinds = async () => {
      const { results } = await env.DB.prepare(
        "SELECT event_type, filter_kind, filter_path, filter_value FROM destination_event_types WHERE destination_id = ? ORDER BY event_type",
      )
        .bind(dest.id)
        .all();
      return results;
    };
    const patch = async (body: Record<string, unknown>) =>
      expect((await call(path, { method: "PATCH", auth: ws.auth, body })).status).toBe(200);
    const key = { filter_kind: 1, filter_path: '$."contact"."attributes"."plan"', filter_value: "paid" };
    expect(await kinds()).toEqual([{ event_type: "contact.created", ...key }]);
    await patch({ event_types: ["contact.created", "contact.updated"] });
    expect(await kinds()).toEqual([
      { event_type: "contact.created", ...key },
      { event_type: "contact.updated", ...key },
    ]);
    await patch({ filter: PAID });
    expect((await kinds()).map((r) => r.filter_kind)).toEqual([2, 2]);
    await patch({ filter: null, event_types: ["contact.updated"] });
    expect(await kinds()).toEqual([
      { event_type: "contact.updated", filter_kind: 0, filter_path: null, filter_value: null },
    ]);
    // Unfiltered again: every contact.updated event reaches it.
    const got = await accepted(ws, contactEvent({ type: "contact.updated", contact: { _id: "ct_3" } }));
    expect(got.deliveries.map((d) => d.destination_id)).toEqual([dest.id]);
  });
});

describe("filter in the preview", () => {
  it("says whether the event matches, and if not which condition failed", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { filter: PAID });
    const preview = (plan: string) =>
      call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/preview`, {
        method: "POST",
        auth: ws.auth,
        body: { event: { type: "contact.created", contact: { _id: "ct_1", attributes: { plan } } } },
      }).then((r) => json<{ url: string; filter: unknown }>(r));
    expect((await preview("pro")).filter).toEqual({ matches: true, failed_condition: null });
    const free = await preview("free");
    expect(free.filter).toEqual({ matches: false, failed_condition: "filter.contact.attributes.plan.$in" });
    // The request is still shown: what would be sent if the event matched.
    expect(free.url).toContain("https://example.com/");
    const plain = await createDestination(ws);
    const none = await call(`/v1/workspaces/${ws.uuid}/destinations/${plain.id}/preview`, {
      method: "POST",
      auth: ws.auth,
    });
    expect((await json<{ filter: unknown }>(none)).filter).toBeNull();
  });
});
