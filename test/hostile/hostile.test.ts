// Hostile templates and events (docs/limits.md): rendering is bounded, a bad template fails its own
// delivery as template_error and nothing else, deep events are refused, and header values stay sendable.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { partitionName } from "../../src/history/ids";
import { MAX_SECTION_DEPTH, RENDER_LIMITS } from "../../src/limits";
import { consume, pendingDelivery } from "../support/consumer-helpers";
import {
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
  type Workspace,
} from "../support/helpers";
import { objectSql, partitionsOf } from "../support/history";

afterEach(() => {
  vi.restoreAllMocks();
});

const readDelivery = async (ws: Workspace, id: string) =>
  json<DeliveryWithAttemptsJson>(await call(`/v1/workspaces/${ws.uuid}/deliveries/${id}`, { auth: ws.auth }));

// 90 bytes: three nested loops over one list make a list of n numbers cost n³ iterations.
const CUBIC = "{{#contact}}{{#attributes}}{{#l}}{{#l}}{{#l}}x{{/l}}{{/l}}{{/l}}{{/attributes}}{{/contact}}";
// A contact of just under 64 KiB whose list `l` makes CUBIC run 10¹⁰ iterations unbounded.
const bigContact = () => {
  const l = Array.from({ length: 2100 }, (_, i) => i % 10_000);
  const contact = { _id: "ct_big", attributes: { l, pad: "" } };
  contact.attributes.pad = "p".repeat(64 * 1024 - 512 - JSON.stringify(contact).length);
  return contact;
};

describe("bounded rendering", () => {
  it("a cubic template on a 64 KiB event: preview 422, template_error, nothing sent, the batch unharmed", async () => {
    const ws = await createWorkspace("Hostile");
    const dest = await createDestination(ws, {
      body_template: CUBIC,
      headers_template: [{ key: "Content-Type", value: "text/plain" }],
    });
    const contact = bigContact();
    expect(JSON.stringify({ type: "contact.updated", contact }).length).toBeLessThan(64 * 1024);

    const started = Date.now();
    const preview = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/preview`, {
      method: "POST",
      auth: ws.auth,
      body: { event: { type: "contact.updated", contact } },
    });
    expect(preview.status).toBe(422);
    expect((await json<{ detail: string }>(preview)).detail).toMatch(
      new RegExp(`more than (${RENDER_LIMITS.steps} steps|${RENDER_LIMITS.bodyBytes} characters)`),
    );
    // Not a performance target: unbounded, this render would run out the isolate's memory.
    expect(Date.now() - started).toBeLessThan(2000);

    const other = await createWorkspace("Neighbour");
    const fine = await createDestination(other, { body_template: null });
    const hostileId = await pendingDelivery(ws, dest.id, "contact.updated", contact);
    const fineId = await pendingDelivery(other, fine.id);
    const { fetcher, requests } = receiver();
    const result = await consume(fetcher, [
      { deliveryId: hostileId, attempts: 1 },
      { deliveryId: fineId, attempts: 1 },
    ]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(requests.map((r) => r.headers.get("x-leadpush-id"))).toEqual([fineId]);
    const hostile = await readDelivery(ws, hostileId);
    expect(hostile.status).toBe("failed");
    expect(hostile.attempts.map((a) => a.error_class)).toEqual(["template_error"]);
    expect((await readDelivery(other, fineId)).status).toBe("succeeded");
  });

  it("bounds work that writes nothing, and output that fits no part", async () => {
    const ws = await createWorkspace();
    const list = Array.from({ length: 100 }, (_, i) => i);
    const cases = [
      // 10⁶ iterations, no output at all: only the step bound stops it.
      {
        over: {
          body_template:
            "{{#contact.attributes.l}}{{#contact.attributes.l}}{{#contact.attributes.l}}{{/contact.attributes.l}}{{/contact.attributes.l}}{{/contact.attributes.l}}",
          headers_template: [{ key: "Content-Type", value: "text/plain" }],
        },
        message: /steps/,
      },
      {
        over: {
          headers_template: [
            {
              key: "X-Big",
              value: "{{#contact.attributes.l}}{{contact.attributes.pad}}{{/contact.attributes.l}}",
            },
          ],
        },
        message: /header "X-Big" rendered more than/,
      },
      {
        over: {
          url_template:
            "https://example.com/{{#contact.attributes.l}}{{contact.attributes.pad}}{{/contact.attributes.l}}",
        },
        message: /url rendered more than/,
      },
      {
        over: {
          query_template: [
            {
              key: "q",
              value: "{{#contact.attributes.l}}{{contact.attributes.pad}}{{/contact.attributes.l}}",
            },
          ],
        },
        message: /query "q" rendered more than/,
      },
    ];
    for (const { over, message } of cases) {
      const dest = await createDestination(ws, over);
      const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/preview`, {
        method: "POST",
        auth: ws.auth,
        body: {
          event: {
            type: "contact.updated",
            contact: { _id: "c", attributes: { l: list, pad: "x".repeat(1000) } },
          },
        },
      });
      expect(response.status, JSON.stringify(over)).toBe(422);
      expect((await json<{ detail: string }>(response)).detail).toMatch(message);
    }
  });

  it(`refuses templates nested more than ${MAX_SECTION_DEPTH} sections deep when saved`, async () => {
    const ws = await createWorkspace();
    const nest = (n: number) => `${"{{#a}}".repeat(n)}x${"{{/a}}".repeat(n)}`;
    const ok = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
      method: "POST",
      auth: ws.auth,
      body: {
        name: "ok",
        method: "POST",
        url_template: "https://example.com/",
        event_types: [],
        body_template: nest(MAX_SECTION_DEPTH),
      },
    });
    expect(ok.status).toBe(201);
    for (const depth of [MAX_SECTION_DEPTH + 1, 5000]) {
      const before = await countRows("destinations");
      const response = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
        method: "POST",
        auth: ws.auth,
        body: {
          name: "deep",
          method: "POST",
          url_template: "https://example.com/",
          event_types: [],
          body_template: nest(depth),
        },
      });
      expect(response.status).toBe(400);
      const problem = await json<{ errors: { field: string; detail: string }[] }>(response);
      expect(problem.errors[0]).toMatchObject({ field: "body_template" });
      expect(problem.errors[0]?.detail).toMatch(`nested at most ${MAX_SECTION_DEPTH} deep`);
      expect(await countRows("destinations")).toBe(before);
    }
  });

  it("a template nested 5,000 deep that reached the database fails as template_error, never a silent loop", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, { body_template: null });
    const deep = `${"{{#a}}".repeat(5000)}x${"{{/a}}".repeat(5000)}`;
    await env.DB.prepare("UPDATE destinations SET body_template = ? WHERE id = ?").bind(deep, dest.id).run();
    const id = await pendingDelivery(ws, dest.id);
    const { fetcher, requests } = receiver();
    const result = await consume(fetcher, [{ deliveryId: id, attempts: 1 }]);
    expect(result.retryMessages).toEqual([]);
    expect(requests).toHaveLength(0);
    const failed = await readDelivery(ws, id);
    expect(failed.status).toBe("failed");
    expect(failed.attempts.map((a) => a.error_class)).toEqual(["template_error"]);
  });
});

describe("hostile events", () => {
  const nested = (depth: number) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  };

  it("refuses events nested deeper than 32 levels with a 400 naming the limit, at any depth", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const ws = await createWorkspace();
    await createDestination(ws, { event_types: ["contact.created"] });
    // The event object is level 1, contact 2, attributes 3: the array may add 29 more.
    const ok = await ingest(ws, contactEvent({ contact: { _id: "c", attributes: { a: nested(29) } } }));
    expect(ok.status).toBe(202);
    const deliveries = await countRows("deliveries");
    for (const depth of [30, 6000]) {
      const body = JSON.stringify(contactEvent({ contact: { _id: "c", attributes: { a: nested(depth) } } }));
      const response = await call(`/v1/workspaces/${ws.uuid}/events`, {
        method: "POST",
        auth: ws.auth,
        raw: body,
        headers: { "content-type": "application/json" },
      });
      expect(response.status, `depth ${depth}`).toBe(400);
      const problem = await json<{ errors: { field: string; detail: string }[] }>(response);
      expect(problem.errors[0]).toMatchObject({ field: "contact" });
      expect(problem.errors[0]?.detail).toMatch(/deeper than 32 levels/);
    }
    expect(await countRows("deliveries")).toBe(deliveries);
  });

  it("refuses a deep contact in a preview too", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/preview`, {
      method: "POST",
      auth: ws.auth,
      body: { event: { type: "contact.created", contact: { _id: "c", attributes: { a: nested(6000) } } } },
    });
    expect(response.status).toBe(400);
  });
});

describe("header values", () => {
  it("refuses control characters but tab when saved, in any header", async () => {
    const ws = await createWorkspace();
    for (const value of ["a\u0001b", "a\u007fb", "a\u001bb", "a\u0085b"]) {
      const response = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
        method: "POST",
        auth: ws.auth,
        body: {
          name: "h",
          method: "POST",
          url_template: "https://example.com/",
          event_types: [],
          headers_template: [{ key: "X-V", value }],
        },
      });
      expect(response.status, JSON.stringify(value)).toBe(400);
      const problem = await json<{ errors: { field: string; detail: string }[] }>(response);
      expect(problem.errors[0]).toMatchObject({ field: "headers_template[0].value" });
      expect(problem.errors[0]?.detail).toMatch(/control character \(U\+00(01|7F|1B|85)\)/);
    }
    const tab = await createDestination(ws, { headers_template: [{ key: "X-V", value: "a\tb" }] });
    expect(tab.id).toMatch(/^dst_/);
  });

  it("fails a rendered control character as template_error; sends non-ASCII, and a lone surrogate as U+FFFD", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, {
      body_template: null,
      headers_template: [{ key: "X-Name", value: "{{ contact.attributes.name }}" }],
    });
    const send = async (name: string) => {
      const id = await pendingDelivery(ws, dest.id, "contact.updated", { _id: "c", attributes: { name } });
      const { fetcher, requests } = receiver();
      await consume(fetcher, [{ deliveryId: id, attempts: 1 }]);
      return { delivery: await readDelivery(ws, id), requests };
    };
    const escaped = await send("Ada\u001b[31m");
    expect(escaped.requests).toHaveLength(0);
    expect(escaped.delivery.attempts[0]).toMatchObject({ error_class: "template_error" });
    expect(escaped.delivery.attempts[0]?.error_message).toMatch(
      /header "X-Name" rendered a control character \(U\+001B\)/,
    );
    const accented = await send("Zoë ✓");
    expect(accented.requests[0]?.headers.get("x-name")).toBe("Zoë ✓");
    const surrogate = await send("a\ud800b");
    expect(surrogate.requests[0]?.headers.get("x-name")).toBe("a\ufffdb");
  });

  it("redacts every credential-like header in the recorded attempt", async () => {
    const ws = await createWorkspace();
    const names = [
      "Authorization",
      "Cookie",
      "X-Api-Key",
      "X-Auth-User",
      "X-Session-Id",
      "X-Access-Token",
      "X-Client-Secret",
      "X-Password",
      "X-Hub-Signature",
    ];
    const dest = await createDestination(ws, {
      body_template: null,
      headers_template: [...names, "X-Plain"].map((key) => ({ key, value: `value-of-${key}` })),
    });
    const id = await pendingDelivery(ws, dest.id);
    await consume(receiver().fetcher, [{ deliveryId: id, attempts: 1 }]);
    const recorded = Object.fromEntries((await readDelivery(ws, id)).attempts[0]?.request.headers ?? []);
    for (const name of names) expect(recorded[name.toLowerCase()], name).toBe("[redacted]");
    expect(recorded["x-leadpush-signature"]).toBe("[redacted]");
    expect(recorded["x-plain"]).toBe("value-of-X-Plain");
  });
});

describe("hostile responses", () => {
  it("a batch of 16 KiB answers that escape six-fold is recorded whole, the neighbour's delivery with it", async () => {
    // Each excerpt is 16 KiB of U+0001, 96 KiB once JSON-escaped: 40 of them are ~3.8 MB, over D1's
    // 2 MB bound on one parameter, so the attempt rows must travel in several.
    const ws = await createWorkspace("Noisy receiver");
    const loud = await createDestination(ws, { body_template: null });
    const other = await createWorkspace("Neighbour");
    const fine = await createDestination(other, { body_template: null });
    const loudIds = [];
    for (let i = 0; i < 40; i++) loudIds.push(await pendingDelivery(ws, loud.id));
    const fineId = await pendingDelivery(other, fine.id);
    const noise = "\u0001".repeat(16 * 1024);
    const { fetcher } = receiver((r) =>
      r.headers.get("x-leadpush-id") === fineId ? new Response("ok") : new Response(noise),
    );
    const messages = [...loudIds, fineId].map((deliveryId) => ({ deliveryId, attempts: 1 }));
    const result = await consume(fetcher, messages);
    expect(result.explicitAcks).toHaveLength(41);
    expect(result.retryMessages).toEqual([]);
    expect((await readDelivery(other, fineId)).status).toBe("succeeded");
    const recorded = await objectSql(
      "SELECT length(response_body) AS kept FROM attempts WHERE delivery_id IN (SELECT value FROM json_each(?1))",
      [JSON.stringify(loudIds)],
    );
    expect({ n: recorded.length, shortest: Math.min(...recorded.map((r) => Number(r.kept))) }).toEqual({
      n: 40,
      shortest: 16 * 1024,
    });
  });
});

describe("ingest answers", () => {
  it("the client's id is the event's id: in the payload, in templates, in the answer and in each delivery", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws, {
      body_template: null,
      event_types: ["contact.created"],
      headers_template: [{ key: "X-Event", value: "{{ event.id }}" }],
    });
    const { fetcher, requests } = receiver();
    vi.spyOn(globalThis, "fetch").mockImplementation(fetcher);
    const answer = await json<{ event_id: string; delivery_count: number; deliveries: DeliveryJson[] }>(
      await ingest(ws, contactEvent({ id: "crm-7f3a" })),
    );
    expect(answer).toMatchObject({ event_id: "crm-7f3a", delivery_count: 1 });
    expect(answer.deliveries[0]).toMatchObject({ destination_id: dest.id, event_id: "crm-7f3a" });
    await vi.waitFor(() => expect(requests).toHaveLength(1), { timeout: 5000, interval: 20 });
    expect(requests[0]?.headers.get("x-event")).toBe("crm-7f3a");
    expect(JSON.parse(requests[0]?.body ?? "{}").event.id).toBe("crm-7f3a");
    const stored = await readDelivery(ws, answer.deliveries[0]?.id ?? "");
    expect(stored.event_id).toBe("crm-7f3a");
  });

  it("stays small whatever the fan-out: a count and at most 100 deliveries, the same on a replay", async () => {
    vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const ws = await createWorkspace();
    for (let i = 0; i < 150; i++)
      await createDestination(ws, { name: `d${i}`, event_types: ["contact.created"] });
    const first = await ingest(ws, contactEvent({ id: "wide" }));
    const answer = await json<{ delivery_count: number; deliveries: DeliveryJson[] }>(first.clone());
    expect(answer.delivery_count).toBe(150);
    expect(answer.deliveries).toHaveLength(100);
    const ids = answer.deliveries.map((d) => d.id);
    expect(ids).toEqual([...ids].sort());
    expect((await first.text()).length).toBeLessThan(45_000);
    const again = await json<{ delivery_count: number; deliveries: DeliveryJson[] }>(
      await ingest(ws, contactEvent({ id: "wide" })),
    );
    expect(again.delivery_count).toBe(150);
    expect(again.deliveries.map((d) => d.id)).toEqual(ids);
    // A redelivery of the event is not part of the first answer.
    await call(`/v1/workspaces/${ws.uuid}/deliveries/${ids[0]}/redeliver`, { method: "POST", auth: ws.auth });
    const third = await json<{ delivery_count: number }>(await ingest(ws, contactEvent({ id: "wide" })));
    expect(third.delivery_count).toBe(150);
  });

  it("answers 202 when the queue refuses the deliveries, and leaves them to the next recovery sweep", async () => {
    const ws = await createWorkspace();
    await createDestination(ws, { event_types: ["contact.created"] });
    await createDestination(ws, { event_types: ["contact.created"] });
    const sendBatch = vi
      .spyOn(env.DELIVERY_QUEUE, "sendBatch")
      .mockRejectedValueOnce(new Error("Too Many Requests"));
    const response = await ingest(ws, contactEvent());
    expect(response.status).toBe(202);
    const { deliveries } = await json<{ deliveries: DeliveryJson[] }>(response);
    await vi.waitFor(() => expect(sendBatch).toHaveBeenCalledTimes(1), { timeout: 5000, interval: 20 });
    // Queued after the answer (ctx.waitUntil): wait until the refusal has handed them to the sweep.
    const handedOver = () =>
      countRows("deliveries", "workspace_uuid = ? AND next_attempt_at < created_at", ws.uuid);
    await vi.waitFor(async () => expect(await handedOver()).toBe(2), { timeout: 5000, interval: 20 });
    // The very next sweep queues them (with attempt numbers from 1).
    sendBatch.mockResolvedValue(undefined as never);
    for (const p of await partitionsOf(ws.uuid))
      await runDurableObjectAlarm(env.HISTORY.getByName(partitionName(p)));
    const queued = sendBatch.mock.calls
      .slice(1)
      .flatMap(([messages]) => [...messages].map((m) => (m.body as { deliveryId: string }).deliveryId));
    expect(queued.sort()).toEqual(deliveries.map((d) => d.id).sort());
  });
});

describe("fan-out bound", () => {
  it("a workspace holds at most 10,000 destinations, so one event fans out to at most that many", async () => {
    const ws = await createWorkspace();
    const first = await createDestination(ws);
    // 9,998 more, written straight to D1 (making them one by one through the API would take minutes).
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9998)
       INSERT INTO destinations (id, workspace_uuid, name, enabled, method, url_template, headers_template,
         query_template, timeout_seconds, secret_ciphertext, secret_hint, secret_version, created_at, updated_at)
       SELECT printf('dst_%032x', i), workspace_uuid, 'bulk', 1, 'POST', url_template, '[]', '[]', 10,
              secret_ciphertext, secret_hint, 1, 0, 0
       FROM n, destinations WHERE destinations.id = ?`,
    )
      .bind(first.id)
      .run();
    expect(await countRows("destinations", "workspace_uuid = ?", ws.uuid)).toBe(9999);
    await createDestination(ws, { name: "the 10,000th" });
    const refused = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
      method: "POST",
      auth: ws.auth,
      body: { name: "one too many", method: "POST", url_template: "https://example.com/", event_types: [] },
    });
    expect(refused.status).toBe(409);
    expect((await json<{ detail: string }>(refused)).detail).toMatch(/at most 10000 destinations/);
    expect(await countRows("destinations", "workspace_uuid = ?", ws.uuid)).toBe(10_000);

    // The largest fan-out there can be: every destination subscribed. One D1 batch, 100 sendBatch calls of
    // 100 messages (well within a request's subrequests), and an answer that stays small.
    await env.DB.prepare(
      `INSERT OR IGNORE INTO destination_event_types (destination_id, workspace_uuid, event_type)
       SELECT id, workspace_uuid, 'contact.deleted' FROM destinations WHERE workspace_uuid = ?`,
    )
      .bind(ws.uuid)
      .run();
    const sendBatch = vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const response = await ingest(ws, contactEvent({ type: "contact.deleted" }));
    expect(response.status).toBe(202);
    const text = await response.text();
    expect(text.length).toBeLessThan(45_000);
    expect(JSON.parse(text)).toMatchObject({ delivery_count: 10_000 });
    await vi.waitFor(() => expect(sendBatch).toHaveBeenCalledTimes(100), { timeout: 10_000, interval: 20 });
    for (const [messages] of sendBatch.mock.calls) expect([...messages]).toHaveLength(100);
    expect(await countRows("deliveries", "workspace_uuid = ?", ws.uuid)).toBe(10_000);
  });
});
