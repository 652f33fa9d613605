import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../src/app";
import type { InboxRequest } from "../../src/inbox/inbox";
import { inboxStub } from "../../src/inbox/routes";
import { INBOX_BODY_BYTES, INBOX_KEEP } from "../../src/limits";
import { importSigningKey, signPayload } from "../../src/rules/signature";
import { call, createDestination, createWorkspace, json } from "../support/helpers";

// The inbox exists only where private destinations are allowed (development). The test worker's own
// bindings say "false", as production does; these calls run the same app with the development value.
const devEnv = { ...env, ALLOW_PRIVATE_DESTINATIONS: "true" };
const dev = (path: string, init?: RequestInit) =>
  app.fetch(new Request(`http://127.0.0.1:8787${path}`, init), devEnv);

type Listing = { name: string; url: string; requests: InboxRequest[] };

let inboxes = 0;
const freshName = () => `t${Date.now().toString(36)}-${inboxes++}`;

async function listed(name: string): Promise<InboxRequest[]> {
  const response = await dev(`/dev/inbox/${name}/requests`);
  expect(response.status).toBe(200);
  return (await json<Listing>(response)).requests;
}

/** A request signed as a delivery of `deliveryId` with these secrets (the order the worker uses). */
async function signedRequest(deliveryId: string, secrets: string[], body: string, timestamp?: number) {
  const ts = timestamp ?? Math.floor(Date.now() / 1000);
  const keys = await Promise.all(secrets.map(importSigningKey));
  return {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-leadpush-id": deliveryId,
      "x-leadpush-timestamp": String(ts),
      "x-leadpush-signature": await signPayload(keys, deliveryId, ts, body),
    },
  };
}

async function testDelivery(wsUuid: string, auth: string, destinationId: string): Promise<string> {
  const response = await call(`/v1/workspaces/${wsUuid}/destinations/${destinationId}/test`, {
    method: "POST",
    auth,
  });
  expect(response.status).toBe(202);
  return (await json<{ id: string }>(response)).id;
}

describe("the local inbox (development)", () => {
  it("keeps any method's request and answers 200, or the ?status= asked for", async () => {
    const name = freshName();
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "GET"]) {
      const response = await dev(`/dev/inbox/${name}/contacts/42?x=1`, {
        method,
        body: method === "GET" ? undefined : `{"m":"${method}"}`,
        headers: { "x-custom": "yes" },
      });
      expect(response.status).toBe(200);
    }
    const failing = await dev(`/dev/inbox/${name}?status=503`, { method: "POST", body: "down" });
    expect(failing.status).toBe(503);
    expect((await dev(`/dev/inbox/${name}?status=204`, { method: "POST" })).status).toBe(204);

    const requests = await listed(name);
    expect(requests.map((r) => r.method)).toEqual(["POST", "POST", "GET", "DELETE", "PATCH", "PUT", "POST"]);
    expect(requests[0]?.answered_status).toBe(204);
    expect(requests[1]).toMatchObject({ body: "down", answered_status: 503, body_truncated: false });
    const put = requests[5];
    expect(put?.url).toBe(`http://127.0.0.1:8787/dev/inbox/${name}/contacts/42?x=1`);
    expect(put?.body).toBe('{"m":"PUT"}');
    expect(put?.headers).toContainEqual(["x-custom", "yes"]);
    expect(put).toMatchObject({ verified_by: null });
    expect(put?.signature_detail).toMatch(/^Not signed/);
    // Newest first, ids increasing with arrival.
    const ids = requests.map((r) => r.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it("refuses a bad name or status with a 400 and keeps nothing", async () => {
    const name = freshName();
    for (const status of ["abc", "99", "600", "1e3", ""]) {
      const response = await dev(`/dev/inbox/${name}?status=${status}`, { method: "POST" });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect((await json<{ detail: string }>(response)).detail).toContain("status");
    }
    expect(await listed(name)).toEqual([]);
    const badName = await dev(`/dev/inbox/${"x".repeat(65)}`, { method: "POST" });
    expect(badName.status).toBe(400);
    expect((await dev("/dev/inbox/-dash/requests")).status).toBe(400);
    expect((await dev(`/dev/inbox/${name}/requests?limit=0`)).status).toBe(400);
  });

  it("keeps the last 500 per name, newest first, and each name apart", async () => {
    const name = freshName();
    const stub = inboxStub(devEnv, name);
    const base = {
      received_at: new Date().toISOString(),
      method: "POST",
      url: "http://127.0.0.1/",
      headers: [] as [string, string][],
      body_bytes: 1,
      body_truncated: false,
      answered_status: 200,
      verified_by: null,
      signature_detail: "Not signed",
    };
    for (let i = 0; i < INBOX_KEEP + 7; i++) await stub.record({ ...base, body: String(i) });
    const requests = await listed(name);
    expect(requests).toHaveLength(INBOX_KEEP);
    expect(requests[0]?.body).toBe(String(INBOX_KEEP + 6));
    expect(requests.at(-1)?.body).toBe("7");
    const newer = await dev(`/dev/inbox/${name}/requests?after=${requests[1]?.id}`);
    expect((await json<Listing>(newer)).requests.map((r) => r.body)).toEqual([String(INBOX_KEEP + 6)]);
    expect(await listed(freshName())).toEqual([]);

    expect((await dev(`/dev/inbox/${name}/requests`, { method: "DELETE" })).status).toBe(204);
    expect(await listed(name)).toEqual([]);
  });

  it("keeps at most 256 KiB of a body, says it was cut, and does not verify it", async () => {
    const name = freshName();
    const big = "a".repeat(INBOX_BODY_BYTES + 10);
    expect((await dev(`/dev/inbox/${name}`, { method: "POST", body: big })).status).toBe(200);
    const [request] = await listed(name);
    expect(request?.body).toHaveLength(INBOX_BODY_BYTES);
    expect(request).toMatchObject({
      body_truncated: true,
      body_bytes: INBOX_BODY_BYTES + 10,
      verified_by: null,
    });
  });

  it("says which destination's secret verifies a request: current, previous, both, or none", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const deliveryId = await testDelivery(ws.uuid, ws.auth, dest.id);
    const name = freshName();
    const body = '{"event":{"type":"webhook.test"}}';

    await dev(`/dev/inbox/${name}`, await signedRequest(deliveryId, [dest.secret], body));
    const [current] = await listed(name);
    expect(current?.verified_by).toEqual({
      workspace_id: ws.uuid,
      destination_id: dest.id,
      secrets: ["current"],
    });
    expect(current?.signature_detail).toBe(`Verified with ${dest.id}'s current secret.`);

    const rotated = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/rotate-secret`, {
      method: "POST",
      auth: ws.auth,
      body: { grace_seconds: 3600 },
    });
    const { secret } = await json<{ secret: string }>(rotated);
    await dev(`/dev/inbox/${name}`, await signedRequest(deliveryId, [secret, dest.secret], body));
    await dev(`/dev/inbox/${name}`, await signedRequest(deliveryId, [dest.secret], body));
    const [oldOnly, both] = await listed(name);
    expect(both?.verified_by?.secrets).toEqual(["current", "previous"]);
    expect(both?.signature_detail).toContain("current and previous secrets");
    expect(oldOnly?.verified_by?.secrets).toEqual(["previous"]);

    // A body changed on the way, another destination's secret, an unknown delivery: none verifies.
    const other = await createDestination(ws);
    const tampered = await signedRequest(deliveryId, [secret], body);
    await dev(`/dev/inbox/${name}`, { ...tampered, body: `${body} ` });
    await dev(`/dev/inbox/${name}`, await signedRequest(deliveryId, [other.secret], body));
    await dev(`/dev/inbox/${name}`, await signedRequest(`dlv_${"0".repeat(32)}`, [secret], body));
    const [unknown, wrongSecret, changed] = await listed(name);
    for (const request of [unknown, wrongSecret, changed]) expect(request?.verified_by).toBeNull();
    expect(changed?.signature_detail).toBe(
      `No signature verifies with ${dest.id}'s current or previous secret.`,
    );
    expect(unknown?.signature_detail).toContain("No delivery");

    // An old timestamp still verifies, with a warning that a receiver would refuse it.
    await dev(
      `/dev/inbox/${name}`,
      await signedRequest(deliveryId, [secret], body, Math.floor(Date.now() / 1000) - 3600),
    );
    const [late] = await listed(name);
    expect(late?.verified_by?.secrets).toEqual(["current"]);
    expect(late?.signature_detail).toContain("5-minute tolerance");
  });
});

describe("a delivery sent by the consumer to the inbox", () => {
  afterEach(() => vi.restoreAllMocks());

  it("arrives as sent, with its verdict, and the inbox's status is the attempt's", async () => {
    // The consumer's fetch goes to the inbox of the development app, as a destination's would on this
    // machine (the test worker refuses private URLs, so the destination's URL is public and redirected here).
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (url.hostname !== "inbox.example.com") return realFetch(input, init);
      return dev(`/dev${url.pathname}${url.search}`, request);
    });
    const ws = await createWorkspace();
    const name = freshName();
    const dest = await createDestination(ws, {
      url_template: `https://inbox.example.com/inbox/${name}`,
      query_template: [{ key: "status", value: "202" }],
      headers_template: [{ key: "X-Team", value: "growth" }],
    });
    const deliveryId = await testDelivery(ws.uuid, ws.auth, dest.id);
    await vi.waitFor(async () => expect(await listed(name)).toHaveLength(1), { timeout: 5000, interval: 25 });
    const [request] = await listed(name);
    expect(request?.verified_by).toEqual({
      workspace_id: ws.uuid,
      destination_id: dest.id,
      secrets: ["current"],
    });
    expect(request?.headers).toContainEqual(["x-team", "growth"]);
    expect(request?.headers).toContainEqual(["x-leadpush-id", deliveryId]);
    expect(JSON.parse(request?.body ?? "{}").event.type).toBe("webhook.test");
    await vi.waitFor(
      async () => {
        const delivery = await json<{ status: string; attempts: { response_status: number }[] }>(
          await call(`/v1/workspaces/${ws.uuid}/deliveries/${deliveryId}`, { auth: ws.auth }),
        );
        expect(delivery.status).toBe("succeeded");
        expect(delivery.attempts[0]?.response_status).toBe(202);
      },
      { timeout: 5000, interval: 25 },
    );
  });
});

describe("the local inbox in production", () => {
  it("does not exist: every /dev/… path and method is the API's 404, and nothing is kept", async () => {
    const name = freshName();
    const production = { ...env, ALLOW_PRIVATE_DESTINATIONS: undefined } as unknown as Env;
    for (const bindings of [env, production]) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) {
        for (const path of [`/dev/inbox/${name}`, `/dev/inbox/${name}/requests`, "/dev/", "/dev/anything"]) {
          const response = await app.fetch(new Request(`https://api.test${path}`, { method }), bindings);
          expect(response.status, `${method} ${path}`).toBe(404);
        }
      }
    }
    // The worker's own handler, with the test bindings (as production, "false"), too.
    expect((await call(`/dev/inbox/${name}`, { method: "POST", raw: "{}" })).status).toBe(404);
    expect(await listed(name)).toEqual([]);
  });
});
