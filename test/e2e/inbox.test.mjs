// End to end: the local inbox of the real worker bundle (programmatic Miniflare, see harness.mjs). A
// destination pointed at the worker's own /dev/inbox receives a test delivery and an ingested event
// over real HTTP; the inbox shows them as sent, and its verdict agrees with a Standard Webhooks library
// verifying the same bytes. A rotation with grace shows both secrets verifying. With the production
// configuration (no ALLOW_PRIVATE_DESTINATIONS) the inbox, its page and its link do not exist.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { startWorker } from "./harness.mjs";

const LIMIT = { timeout: 30_000 };
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function waitUntil(probe, done, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() >= deadline)
      assert.fail(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

async function api(worker, apiKey, method, path, body) {
  const headers = { Authorization: `Bearer ${apiKey}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await worker.fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const headerOf = (request, name) => request.headers.find(([n]) => n === name)?.[1];

/** Verifies what the inbox kept with the standardwebhooks library, as a receiver would. */
function verifiesWith(secret, request) {
  try {
    new Webhook(secret).verify(request.body, {
      "webhook-id": headerOf(request, "x-leadpush-id"),
      "webhook-timestamp": headerOf(request, "x-leadpush-timestamp"),
      "webhook-signature": headerOf(request, "x-leadpush-signature"),
    });
    return true;
  } catch {
    return false;
  }
}

describe("the local inbox in development", () => {
  let worker;
  before(async () => {
    worker = await startWorker();
  });
  after(async () => worker?.dispose());

  const requestsOf = async (name) => {
    const res = await worker.fetch(`/dev/inbox/${name}/requests`);
    assert.equal(res.status, 200);
    return (await res.json()).requests;
  };

  test("a test delivery and an event arrive at the inbox, as sent, and verify", LIMIT, async () => {
    const { uuid, apiKey } = await worker.createWorkspace("e2e inbox");
    const ws = `/v1/workspaces/${uuid}`;
    const created = await api(worker, apiKey, "POST", `${ws}/destinations`, {
      name: "Inbox",
      method: "POST",
      url_template: `${worker.url}/dev/inbox/e2e/{{ event.type }}`,
      headers_template: [{ key: "X-Team", value: "growth" }],
      event_types: ["contact.created"],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { id, secret } = created.body;

    const sent = await api(worker, apiKey, "POST", `${ws}/destinations/${id}/test`);
    assert.equal(sent.status, 202);
    const event = {
      type: "contact.created",
      contact: { _id: "ct_1", attributes: { email: "ada@example.com" } },
    };
    const ingested = await api(worker, apiKey, "POST", `${ws}/events`, event);
    assert.equal(ingested.status, 202);

    const requests = await waitUntil(
      () => requestsOf("e2e"),
      (r) => r.length === 2,
      "two requests",
    );
    const byType = Object.fromEntries(requests.map((r) => [headerOf(r, "x-leadpush-event"), r]));
    for (const [type, request] of Object.entries(byType)) {
      assert.deepEqual(
        request.verified_by,
        { workspace_id: uuid, destination_id: id, secrets: ["current"] },
        type,
      );
      assert.ok(verifiesWith(secret, request), `${type}: the library verifies what the inbox kept`);
      assert.equal(request.method, "POST");
      assert.equal(request.url, `${worker.url}/dev/inbox/e2e/${type}`);
      assert.equal(headerOf(request, "x-team"), "growth");
    }
    assert.equal(headerOf(byType["webhook.test"], "x-leadpush-id"), sent.body.id);
    assert.equal(JSON.parse(byType["contact.created"].body).contact.attributes.email, "ada@example.com");

    // The attempts record the inbox's answer.
    const delivery = await waitUntil(
      () => api(worker, apiKey, "GET", `${ws}/deliveries/${sent.body.id}`),
      (d) => d.body.status === "succeeded",
      "the test delivery to succeed",
    );
    assert.equal(delivery.body.attempts[0].response_status, 200);
  });

  test("a rotation with grace: both secrets verify, each on its own", LIMIT, async () => {
    const { uuid, apiKey } = await worker.createWorkspace("e2e inbox rotation");
    const ws = `/v1/workspaces/${uuid}`;
    const created = await api(worker, apiKey, "POST", `${ws}/destinations`, {
      name: "Rotating",
      method: "POST",
      url_template: `${worker.url}/dev/inbox/e2e-rotation`,
      event_types: [],
    });
    const { id, secret: previous } = created.body;
    const rotated = await api(worker, apiKey, "POST", `${ws}/destinations/${id}/rotate-secret`, {
      grace_seconds: 3600,
    });
    assert.equal(rotated.status, 200);
    const current = rotated.body.secret;
    await api(worker, apiKey, "POST", `${ws}/destinations/${id}/test`);
    const [request] = await waitUntil(
      () => requestsOf("e2e-rotation"),
      (r) => r.length === 1,
      "the test delivery",
    );
    assert.deepEqual(request.verified_by, {
      workspace_id: uuid,
      destination_id: id,
      secrets: ["current", "previous"],
    });
    assert.match(request.signature_detail, /current and previous secrets/);
    assert.ok(verifiesWith(current, request), "the new secret verifies");
    assert.ok(verifiesWith(previous, request), "the previous secret verifies during the grace");
    assert.equal(headerOf(request, "x-leadpush-signature").split(" ").length, 2);
  });

  test(
    "?status= makes the inbox a failing receiver: the attempt records it and is retried",
    LIMIT,
    async () => {
      const { uuid, apiKey } = await worker.createWorkspace("e2e inbox status");
      const ws = `/v1/workspaces/${uuid}`;
      const created = await api(worker, apiKey, "POST", `${ws}/destinations`, {
        name: "Failing",
        method: "POST",
        url_template: `${worker.url}/dev/inbox/e2e-failing?status=503`,
        event_types: [],
      });
      const sent = await api(worker, apiKey, "POST", `${ws}/destinations/${created.body.id}/test`);
      const delivery = await waitUntil(
        () => api(worker, apiKey, "GET", `${ws}/deliveries/${sent.body.id}`),
        (d) => d.body.attempts?.length >= 1,
        "the first attempt",
      );
      assert.equal(delivery.body.status, "pending", "a 503 is retried");
      assert.equal(delivery.body.attempts[0].response_status, 503);
      assert.equal(delivery.body.attempts[0].error_class, "http_status");
      const [request] = await requestsOf("e2e-failing");
      assert.equal(request.answered_status, 503);
      assert.equal(request.verified_by.destination_id, created.body.id);
    },
  );
});

describe("the local inbox with the production configuration", () => {
  let worker;
  before(async () => {
    // wrangler.toml's vars and nothing else: production never sets ALLOW_PRIVATE_DESTINATIONS.
    worker = await startWorker({ vars: { ALLOW_PRIVATE_DESTINATIONS: undefined } });
  });
  after(async () => worker?.dispose());

  test("every /dev/… path is a 404, and the dashboard has no Inbox page or link", LIMIT, async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) {
      for (const path of [
        "/dev/inbox/demo",
        "/dev/inbox/demo/requests",
        "/dev/inbox/demo/a/b?status=200",
        "/dev/",
        "/dev",
      ]) {
        const res = await worker.fetch(path, {
          method,
          body: ["GET", "HEAD"].includes(method) ? undefined : "{}",
        });
        await res.arrayBuffer();
        assert.equal(res.status, 404, `${method} ${path}`);
      }
    }
    const { uuid, apiKey } = await worker.createWorkspace("e2e production");
    // A private URL is refused, as it must be wherever the inbox is absent.
    const refused = await api(worker, apiKey, "POST", `/v1/workspaces/${uuid}/destinations`, {
      name: "Local",
      method: "POST",
      url_template: `${worker.url}/dev/inbox/demo`,
      event_types: [],
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errors[0].field, "url_template");

    // Sign in to the dashboard as a browser would, then look for the page and its link.
    const jar = new Map();
    const send = async (path, init = {}) => {
      const headers = { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") };
      const res = await worker.fetch(path, { ...init, headers, redirect: "manual" });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const at = pair.indexOf("=");
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return res;
    };
    const signInPage = await (await send("/sign-in")).text();
    const csrf = signInPage.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
    const signedIn = await send("/sign-in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: worker.url },
      body: new URLSearchParams({ _csrf: csrf, api_key: apiKey }),
    });
    assert.equal(signedIn.status, 303);
    const home = await send(`/w/${uuid}/integrations`);
    assert.equal(home.status, 200);
    const html = await home.text();
    assert.ok(!html.includes("/inbox"), "no link to the inbox");
    const form = await (await send(`/w/${uuid}/integrations/webhooks/destinations/new`)).text();
    assert.ok(!form.includes("data-use-inbox"), "no inbox button on the Create form");
    const page = await send(`/w/${uuid}/inbox`);
    assert.equal(page.status, 404);
    await page.arrayBuffer();
  });
});
