// The pipeline through the real queue: API → history object → queue → consumer → (spied) fetch → history.
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { messageFor, pendingDelivery } from "../support/consumer-helpers";
import {
  type Captured,
  call,
  contactEvent,
  countRows,
  createDestination,
  createWorkspace,
  type DeliveryJson,
  type DeliveryWithAttemptsJson,
  ingest,
  json,
  receiver,
  verifySignature,
  type Workspace,
} from "../support/helpers";
import { objectRow } from "../support/history";

afterEach(() => {
  vi.restoreAllMocks();
});

function spyReceivers(respond?: Parameters<typeof receiver>[0]) {
  const { requests, fetcher } = receiver(respond);
  vi.spyOn(globalThis, "fetch").mockImplementation(fetcher);
  return requests;
}

async function deliveryOf(ws: Workspace, id: string) {
  return json<DeliveryWithAttemptsJson>(
    await call(`/v1/workspaces/${ws.uuid}/deliveries/${id}`, { auth: ws.auth }),
  );
}

async function settled(ws: Workspace, id: string, status = "succeeded") {
  await vi.waitFor(async () => expect((await deliveryOf(ws, id)).status).toBe(status), {
    timeout: 5000,
    interval: 20,
  });
  return deliveryOf(ws, id);
}

describe("ingest and fan-out", () => {
  it("delivers a signed request to each enabled, subscribed destination and records the attempt", async () => {
    const requests = spyReceivers();
    const ws = await createWorkspace();
    const crm = await createDestination(ws, {
      name: "CRM",
      url_template: "https://crm.example.com/contacts/{{ contact._id }}/events",
      headers_template: [{ key: "X-Contact", value: "{{ contact.attributes.email }}" }],
      query_template: [{ key: "event", value: "{{ event.type }}" }],
      body_template: '{ "event": "{{ event.type }}", "email": "{{ contact.attributes.email }}" }',
      event_types: ["contact.created"],
    });
    await createDestination(ws, { name: "Other type", event_types: ["contact.deleted"] });
    const off = await createDestination(ws, { name: "Off", event_types: ["contact.created"] });
    await call(`/v1/workspaces/${ws.uuid}/destinations/${off.id}`, {
      method: "PATCH",
      auth: ws.auth,
      body: { enabled: false },
    });

    const response = await ingest(ws, contactEvent());
    expect(response.status).toBe(202);
    const accepted = await json<{ event_id: string; deliveries: DeliveryJson[] }>(response);
    expect(accepted.event_id).toMatch(/^evt_/);
    expect(accepted.deliveries).toHaveLength(1);
    const delivery = await settled(ws, accepted.deliveries[0]?.id ?? "");
    expect(requests).toHaveLength(1);

    const sent = requests[0] as Captured;
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("https://crm.example.com/contacts/ct_42/events?event=contact.created");
    expect(sent.headers.get("x-contact")).toBe("ada@example.com");
    expect(sent.headers.get("content-type")).toBe("application/json");
    expect(sent.headers.get("user-agent")).toMatch(/^Leadpush-Webhooks\//);
    expect(sent.headers.get("x-leadpush-id")).toBe(delivery.id);
    expect(sent.headers.get("x-leadpush-event")).toBe("contact.created");
    expect(JSON.parse(sent.body)).toEqual({ event: "contact.created", email: "ada@example.com" });
    const signed = {
      id: sent.headers.get("x-leadpush-id") ?? "",
      timestamp: sent.headers.get("x-leadpush-timestamp") ?? "",
      signature: sent.headers.get("x-leadpush-signature") ?? "",
    };
    expect(Math.abs(Number(signed.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(await verifySignature(crm.secret, signed, sent.body)).toBe(true);
    // The official Standard Webhooks library verifies it once the three headers are mapped.
    const verified = new Webhook(crm.secret).verify(sent.body, {
      "webhook-id": signed.id,
      "webhook-timestamp": signed.timestamp,
      "webhook-signature": signed.signature,
    });
    expect(verified).toEqual({ event: "contact.created", email: "ada@example.com" });

    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ number: 1, error_class: null, response_status: 200 });
    const recordedHeaders = Object.fromEntries(delivery.attempts[0]?.request.headers ?? []);
    expect(recordedHeaders["x-leadpush-signature"]).toBe("[redacted]");
  });

  it("sends the full payload when the body template is blank, and nothing for GET", async () => {
    const requests = spyReceivers();
    const ws = await createWorkspace();
    await createDestination(ws, { name: "post", method: "POST", body_template: null, query_template: [] });
    await createDestination(ws, { name: "get", method: "GET", body_template: null, query_template: [] });
    const accepted = await json<{ event_id: string; deliveries: DeliveryJson[] }>(
      await ingest(ws, contactEvent({ occurred_at: "2026-11-26T21:00:00Z" })),
    );
    for (const d of accepted.deliveries) await settled(ws, d.id);
    const post = requests.find((r) => r.method === "POST") as Captured;
    const get = requests.find((r) => r.method === "GET") as Captured;
    expect(JSON.parse(post.body)).toEqual({
      event: { id: accepted.event_id, type: "contact.created", occurred_at: "2026-11-26T21:00:00.000Z" },
      workspace: { uuid: ws.uuid },
      contact: { _id: "ct_42", attributes: { email: "ada@example.com", first_name: "Ada" } },
    });
    expect(get.body).toBe("");
    expect(get.headers.get("content-type")).toBeNull();
  });

  it("is idempotent on the client's event id: the same id twice creates one set of deliveries", async () => {
    const requests = spyReceivers();
    const ws = await createWorkspace();
    await createDestination(ws);
    const first = await ingest(ws, contactEvent({ id: "crm-evt-1" }));
    const firstBody = await json<{ event_id: string; deliveries: DeliveryJson[] }>(first);
    await settled(ws, firstBody.deliveries[0]?.id ?? "");
    const again = await ingest(ws, contactEvent({ id: "crm-evt-1" }));
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const againBody = await json<{ event_id: string; deliveries: DeliveryJson[] }>(again);
    expect(againBody.event_id).toBe(firstBody.event_id);
    expect(againBody.deliveries.map((d) => d.id)).toEqual(firstBody.deliveries.map((d) => d.id));
    expect(await countRows("deliveries", "event_id = ?", firstBody.event_id)).toBe(1);
    expect(await countRows("events", "workspace_uuid = ?", ws.uuid)).toBe(1);
    expect(requests).toHaveLength(1);
    // The client's id is the event's id; another workspace may use the same one for its own event.
    expect(firstBody.event_id).toBe("crm-evt-1");
    const other = await createWorkspace("Other");
    await createDestination(other);
    const theirs = await ingest(other, contactEvent({ id: "crm-evt-1" }));
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    const theirBody = await json<{ event_id: string; deliveries: DeliveryJson[] }>(theirs);
    expect(theirBody.event_id).toBe("crm-evt-1");
    expect(theirBody.deliveries).toHaveLength(1);
    await settled(other, theirBody.deliveries[0]?.id ?? "");
  });

  it("answers concurrent duplicates of one event id with one event", async () => {
    spyReceivers();
    const ws = await createWorkspace();
    await createDestination(ws);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => ingest(ws, contactEvent({ id: "dup" }))),
    );
    const ids = new Set(
      await Promise.all(responses.map(async (r) => (await json<{ event_id: string }>(r)).event_id)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(202));
    expect(ids.size).toBe(1);
    expect(await countRows("deliveries", "workspace_uuid = ?", ws.uuid)).toBe(1);
    const delivery = await objectRow<{ id: string }>("SELECT id FROM deliveries WHERE workspace_uuid = ?", [
      ws.uuid,
    ]);
    await settled(ws, delivery?.id ?? "");
  });

  it.each([
    ["an unknown type", contactEvent({ type: "contact.exploded" }), "type"],
    ["webhook.test", contactEvent({ type: "webhook.test" }), "type"],
    ["no contact", { type: "contact.created" }, "contact"],
    ["a contact without _id", { type: "contact.created", contact: { attributes: {} } }, "contact._id"],
    ["a bad occurred_at", contactEvent({ occurred_at: "yesterday" }), "occurred_at"],
    ["an unknown field", contactEvent({ extra: true }), "extra"],
    ["an empty id", contactEvent({ id: "" }), "id"],
  ])("rejects an event with %s and stores nothing", async (_, body, field) => {
    const ws = await createWorkspace();
    const response = await ingest(ws, body);
    expect(response.status).toBe(400);
    expect((await json<{ errors: { field: string }[] }>(response)).errors.map((e) => e.field)).toContain(
      field,
    );
    expect(await countRows("events", "workspace_uuid = ?", ws.uuid)).toBe(0);
  });

  it("refuses an event over 64 KiB with 413", async () => {
    const ws = await createWorkspace();
    const response = await ingest(
      ws,
      contactEvent({ contact: { _id: "x", attributes: { blob: "x".repeat(70_000) } } }),
    );
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await countRows("events", "workspace_uuid = ?", ws.uuid)).toBe(0);
  });
});

describe("test deliveries, history and redelivery", () => {
  it("sends webhook.test with a sample contact; a disabled destination answers 409", async () => {
    const requests = spyReceivers();
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { event_types: [], body_template: null });
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/test`, {
      method: "POST",
      auth: ws.auth,
    });
    expect(response.status).toBe(202);
    const delivery = await json<DeliveryJson>(response);
    expect(delivery).toMatchObject({ event_type: "webhook.test", status: "pending" });
    await settled(ws, delivery.id);
    const payload = JSON.parse(requests[0]?.body ?? "{}");
    expect(payload.event.type).toBe("webhook.test");
    expect(payload.contact.attributes.email).toBe("ada@example.com");
    expect(requests[0]?.headers.get("x-leadpush-event")).toBe("webhook.test");

    await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, {
      method: "PATCH",
      auth: ws.auth,
      body: { enabled: false },
    });
    const refused = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/test`, {
      method: "POST",
      auth: ws.auth,
    });
    expect(refused.status).toBe(409);
    expect((await json<{ detail: string }>(refused)).detail).toMatch(/disabled/);
  });

  it("lists history newest first with a status filter and cursor; redelivers as a new delivery", async () => {
    const requests = spyReceivers(
      (r) => new Response("", { status: r.body.includes("ct_fail") ? 400 : 200 }),
    );
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { body_template: null });
    const ids: string[] = [];
    for (const contact of ["ct_1", "ct_fail", "ct_3"]) {
      const body = await json<{ deliveries: DeliveryJson[] }>(
        await ingest(ws, contactEvent({ contact: { _id: contact } })),
      );
      ids.push(body.deliveries[0]?.id ?? "");
    }
    await settled(ws, ids[0] ?? "");
    await settled(ws, ids[2] ?? "");
    await vi.waitFor(async () => expect((await deliveryOf(ws, ids[1] ?? "")).attempts_made).toBe(1), {
      timeout: 5000,
    });

    const base = `/v1/workspaces/${ws.uuid}/destinations/${dest.id}/deliveries`;
    const all = await json<{ data: DeliveryJson[]; next_cursor: string | null }>(
      await call(`${base}?limit=2`, { auth: ws.auth }),
    );
    expect(all.data.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    const rest = await json<{ data: DeliveryJson[]; next_cursor: string | null }>(
      await call(`${base}?limit=2&cursor=${all.next_cursor}`, { auth: ws.auth }),
    );
    expect(rest.data.map((d) => d.id)).toEqual([ids[0]]);
    expect(rest.next_cursor).toBeNull();
    const pending = await json<{ data: DeliveryJson[] }>(
      await call(`${base}?status=pending`, { auth: ws.auth }),
    );
    expect(pending.data.map((d) => d.id)).toEqual([ids[1]]);
    const succeeded = await json<{ data: DeliveryJson[] }>(
      await call(`${base}?status=succeeded`, { auth: ws.auth }),
    );
    expect(succeeded.data.map((d) => d.id)).toEqual([ids[2], ids[0]]);
    expect((await call(`${base}?status=lost`, { auth: ws.auth })).status).toBe(400);

    const before = requests.length;
    const again = await call(`/v1/workspaces/${ws.uuid}/deliveries/${ids[0]}/redeliver`, {
      method: "POST",
      auth: ws.auth,
    });
    expect(again.status).toBe(202);
    const redelivered = await json<DeliveryJson>(again);
    expect(redelivered.id).not.toBe(ids[0]);
    await settled(ws, redelivered.id);
    expect(requests.length).toBe(before + 1);
    expect(requests.at(-1)?.headers.get("x-leadpush-id")).toBe(redelivered.id);
  });

  it("deleting a destination removes its deliveries and their attempts", async () => {
    spyReceivers();
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const body = await json<{ deliveries: DeliveryJson[] }>(await ingest(ws, contactEvent()));
    const id = body.deliveries[0]?.id ?? "";
    await settled(ws, id);
    expect(await countRows("attempts", "delivery_id = ?", id)).toBe(1);
    await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, { method: "DELETE", auth: ws.auth });
    expect(await countRows("deliveries", "destination_id = ?", dest.id)).toBe(0);
    expect(await countRows("attempts", "delivery_id = ?", id)).toBe(0);
    expect((await call(`/v1/workspaces/${ws.uuid}/deliveries/${id}`, { auth: ws.auth })).status).toBe(404);
  });

  it("keeps every delivery route inside its workspace", async () => {
    spyReceivers();
    const a = await createWorkspace("A");
    const b = await createWorkspace("B");
    const dest = await createDestination(b);
    const body = await json<{ deliveries: DeliveryJson[] }>(await ingest(b, contactEvent()));
    const id = body.deliveries[0]?.id ?? "";
    await settled(b, id);
    for (const [method, path] of [
      ["POST", `/v1/workspaces/${b.uuid}/events`],
      ["POST", `/v1/workspaces/${a.uuid}/destinations/${dest.id}/test`],
      ["POST", `/v1/workspaces/${a.uuid}/destinations/${dest.id}/preview`],
      ["GET", `/v1/workspaces/${a.uuid}/destinations/${dest.id}/deliveries`],
      ["GET", `/v1/workspaces/${a.uuid}/deliveries/${id}`],
      ["POST", `/v1/workspaces/${a.uuid}/deliveries/${id}/redeliver`],
      ["GET", `/v1/workspaces/${b.uuid}/deliveries/${id}`],
    ] as const) {
      const response = await call(path, {
        method,
        auth: a.auth,
        body: path.endsWith("/events") ? contactEvent() : method === "POST" ? {} : undefined,
      });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    expect(await countRows("deliveries", "workspace_uuid = ?", b.uuid)).toBe(1);
    expect(await countRows("events", "workspace_uuid = ?", a.uuid)).toBe(0);
  });

  it("a dead-lettered message marks its delivery failed, so nothing vanishes silently", async () => {
    const ws = await createWorkspace();
    await createDestination(ws);
    // Not enqueued through the pipeline: this delivery only ever reaches the dead-letter queue.
    const dest = await env.DB.prepare("SELECT id FROM destinations WHERE workspace_uuid = ?")
      .bind(ws.uuid)
      .first<{ id: string }>();
    const deliveryId = await pendingDelivery(ws, dest?.id ?? "");
    await env.DEAD_LETTER_QUEUE.send(messageFor(deliveryId));
    const delivery = await settled(ws, deliveryId, "failed");
    expect(delivery).toMatchObject({ status: "failed" });
    expect((delivery as unknown as { dead_lettered_at: string | null }).dead_lettered_at).not.toBeNull();
  });
});

describe("fan-out cost", () => {
  it("ingests with the same D1 statements however many unsubscribed destinations exist", async () => {
    spyReceivers();
    const statementsFor = async (ws: Workspace) => {
      const prepare = vi.spyOn(env.DB, "prepare");
      const response = await ingest(ws, contactEvent());
      const queries = prepare.mock.calls.map(([query]) => String(query));
      prepare.mockRestore();
      const body = await json<{ deliveries: DeliveryJson[] }>(response);
      for (const d of body.deliveries) await settled(ws, d.id);
      return { queries, deliveries: body.deliveries };
    };
    const small = await createWorkspace();
    await createDestination(small, { event_types: ["contact.created"] });
    const large = await createWorkspace();
    await createDestination(large, { event_types: ["contact.created"] });
    for (let i = 0; i < 30; i++) await createDestination(large, { event_types: ["contact.deleted"] });
    const a = await statementsFor(small);
    const b = await statementsFor(large);
    expect(a.deliveries).toHaveLength(1);
    expect(b.deliveries).toHaveLength(1);
    expect(b.queries).toEqual(a.queries);
    // Delivery ids made in SQL keep the id shape and sort after ids made earlier in JavaScript.
    expect(b.deliveries[0]?.id).toMatch(/^dlv_[0-9a-f]{32}$/);
    expect((b.deliveries[0]?.id ?? "") > (a.deliveries[0]?.id ?? "")).toBe(true);
  });
});
