// End to end: the delivery pipeline of the real worker bundle (programmatic Miniflare, see harness.mjs)
// delivering to real HTTP receivers on 127.0.0.1. Ingest → queue → consumer → receiver → attempt records.
//
// One worker serves every test; each test has its own workspace and receiver, so none sees another's
// deliveries. The two tests that must watch the clock for ~5 s (a retry, and the absence of one) run
// concurrently at the end.
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { startWorker } from "./harness.mjs";
import { startReceiver } from "./receiver.mjs";

const POLL_INTERVAL_MS = 40;
// A stuck worker fails the test instead of hanging the run.
const LIMIT = { timeout: 20_000 };
// First retry: 5 s ± 20 % (docs/deliveries.md), plus queue and consumer latency.
const FIRST_RETRY_MIN_MS = 3_900;
const FIRST_RETRY_MAX_MS = 6_800;

/** @type {Awaited<ReturnType<typeof startWorker>>} */
let worker;

before(async () => {
  worker = await startWorker();
});

after(async () => {
  await worker?.dispose();
});

// ---------------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Polls `probe` until `done(value)` holds; returns that value, or fails with the last one seen. */
async function waitUntil(probe, done, { timeoutMs = 5_000, what = "the condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() >= deadline)
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await sleep(POLL_INTERVAL_MS);
  }
}

/** A workspace with its own API key, and calls scoped to it. */
async function newWorkspace(name) {
  const { uuid, apiKey } = await worker.createWorkspace(name);

  async function call(method, path, body) {
    const headers = { Authorization: `Bearer ${apiKey}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await worker.fetch(`/v1/workspaces/${uuid}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: the assertion below shows the text
    }
    return { status: res.status, headers: res.headers, body: json, text };
  }

  /** Calls the API and asserts the status, showing the response when it differs. */
  async function expect(status, method, path, body) {
    const res = await call(method, path, body);
    assert.equal(res.status, status, `${method} ${path} → ${res.status}: ${res.text}`);
    return res.body;
  }

  return {
    uuid,
    call,
    expect,
    createDestination: (fields) =>
      expect(201, "POST", "/destinations", {
        name: "e2e destination",
        method: "POST",
        event_types: ["contact.created"],
        ...fields,
      }),
    sendTest: (destinationId) => expect(202, "POST", `/destinations/${destinationId}/test`),
    ingest: (event) => expect(202, "POST", "/events", event),
    delivery: (id) => expect(200, "GET", `/deliveries/${id}`),
    waitForDelivery(id, done, what, timeoutMs) {
      return waitUntil(() => this.delivery(id), done, { what: `delivery ${id}: ${what}`, timeoutMs });
    },
  };
}

/** A receiver closed when the test ends, whatever its outcome. */
async function receiverFor(t, handler) {
  const receiver = await startReceiver(handler);
  t.after(() => receiver.close());
  return receiver;
}

/** The Standard Webhooks headers a Leadpush delivery carries under its own prefix. */
const standardHeaders = (request) => ({
  "webhook-id": request.headers["x-leadpush-id"],
  "webhook-timestamp": request.headers["x-leadpush-timestamp"],
  "webhook-signature": request.headers["x-leadpush-signature"],
});

/** The official library's verdict: true when any signature of the header matches `secret`. */
function verifiesWithLibrary(secret, request) {
  try {
    new Webhook(secret).verify(request.body, standardHeaders(request), { jsonParse: false });
    return true;
  } catch {
    return false;
  }
}

/**
 * An independent check, written from the spec: HMAC-SHA256 keyed with the base64 after `whsec_`, over
 * `{id}.{timestamp}.` plus the raw body bytes, compared in constant time with each `v1,` entry.
 * Returns one boolean per space-separated entry of X-Leadpush-Signature.
 */
function signatureMatches(secret, request) {
  assert.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/, "a secret is whsec_ + base64");
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  assert.equal(key.length, 32, "the secret decodes to 32 bytes");
  const id = request.headers["x-leadpush-id"];
  const timestamp = request.headers["x-leadpush-timestamp"];
  const expected = createHmac("sha256", key)
    .update(Buffer.from(`${id}.${timestamp}.`, "utf8"))
    .update(request.bodyBytes)
    .digest();
  return request.headers["x-leadpush-signature"].split(" ").map((entry) => {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") return false;
    const encoded = entry.slice(comma + 1);
    const given = Buffer.from(encoded, "base64");
    if (given.toString("base64") !== encoded || given.length !== expected.length) return false;
    return timingSafeEqual(given, expected);
  });
}

/** Asserts a request is signed by `secret` alone: one `v1,` entry, valid by both verifiers. */
function assertSignedBy(secret, request) {
  assert.match(request.headers["x-leadpush-signature"] ?? "", /^v1,[A-Za-z0-9+/]+={0,2}$/);
  assert.deepEqual(signatureMatches(secret, request), [true], "independent HMAC check");
  assert.ok(verifiesWithLibrary(secret, request), "standardwebhooks verifies the delivery");
}

function assertFreshTimestamp(request) {
  const timestamp = request.headers["x-leadpush-timestamp"];
  assert.match(timestamp, /^\d+$/, "X-Leadpush-Timestamp is unix seconds");
  const skew = Math.abs(Number(timestamp) - request.receivedAt / 1000);
  assert.ok(skew <= 5, `X-Leadpush-Timestamp ${timestamp} is ${skew.toFixed(1)} s away from arrival`);
}

const byPath = (requests) => new Map(requests.map((r) => [r.path, r]));

// ---------------------------------------------------------------------------------------------------
// Scenarios

test(
  "an ingested event reaches each subscribed, enabled destination once, rendered and signed",
  LIMIT,
  async (t) => {
    const receiver = await receiverFor(t, { status: 204 });
    const ws = await newWorkspace("e2e ingest");
    const other = await newWorkspace("e2e other tenant");

    const hostile = 'a"b\\c</script>\n@#?&=é\u2028';
    const contact = {
      _id: "ct 1/ä?#",
      attributes: { email: hostile, score: 42, tags: ["vip", 'q"uote'], nested: { "k<": "v&" } },
    };

    const templated = await ws.createDestination({
      name: "templated",
      url_template: `${receiver.url}/hooks/{{ contact._id }}?src=leadpush`,
      query_template: [
        { key: "email", value: "{{ contact.attributes.email }}" },
        { key: "type", value: "{{ event.type }}" },
      ],
      headers_template: [
        { key: "X-Workspace", value: "{{ workspace.uuid }}" },
        { key: "X-Static", value: "static value" },
        { key: "Authorization", value: "Bearer receiver-token" },
      ],
      body_template:
        '{"contact_id": "{{ contact._id }}", "email": "{{ contact.attributes.email }}", ' +
        '"type": "{{ event.type }}", "event_id": "{{ event.id }}", ' +
        '"attributes": {{ contact.attributes }}, "score": {{ contact.attributes.score }}}',
    });
    const fullPayload = await ws.createDestination({
      name: "full payload",
      method: "PUT",
      url_template: `${receiver.url}/full`,
      event_types: ["contact.updated", "contact.created"],
    });
    await ws.createDestination({
      name: "another type",
      url_template: `${receiver.url}/wrong-type`,
      event_types: ["contact.updated"],
    });
    await ws.createDestination({
      name: "disabled",
      url_template: `${receiver.url}/disabled`,
      enabled: false,
    });
    await other.createDestination({ name: "other tenant", url_template: `${receiver.url}/other-tenant` });

    const occurredAt = "2026-11-26T21:00:00.000Z";
    const event = { id: "client-evt-1", type: "contact.created", contact, occurred_at: occurredAt };
    const accepted = await ws.ingest(event);
    assert.equal(accepted.event_id, "client-evt-1", "the client's id is the event's id");
    assert.equal(accepted.delivery_count, 2);
    assert.equal(accepted.deliveries.length, 2, "one delivery per subscribed enabled destination");
    const deliveryFor = new Map(accepted.deliveries.map((d) => [d.destination_id, d]));
    assert.deepEqual(new Set(deliveryFor.keys()), new Set([templated.id, fullPayload.id]));
    for (const d of accepted.deliveries) assert.equal(d.event_type, "contact.created");

    await receiver.waitFor(2, 5_000);
    for (const d of accepted.deliveries)
      await ws.waitForDelivery(d.id, (x) => x.status === "succeeded", "succeeded");

    // The same client event id again: the first result, nothing new queued.
    const replay = await ws.call("POST", "/events", event);
    assert.equal(replay.status, 202);
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.equal(replay.body.event_id, accepted.event_id);

    await sleep(250); // anything duplicated or misrouted would have arrived by now
    assert.deepEqual(
      receiver.requests.map((r) => r.path).sort(),
      ["/full", `/hooks/${encodeURIComponent(contact._id)}`].sort(),
      "exactly one request per subscribed enabled destination, none for others",
    );
    const requests = byPath(receiver.requests);

    // The templated destination: method, path, query, headers, JSON body, signature.
    const hook = requests.get(`/hooks/${encodeURIComponent(contact._id)}`);
    assert.equal(hook.method, "POST");
    assert.deepEqual(
      [...hook.query.keys()],
      ["src", "email", "type"],
      "template query first, then query_template",
    );
    assert.equal(hook.query.get("src"), "leadpush");
    assert.equal(hook.query.get("email"), hostile);
    assert.equal(hook.query.get("type"), "contact.created");
    assert.equal(hook.headers["x-workspace"], ws.uuid);
    assert.equal(hook.headers["x-static"], "static value");
    assert.equal(hook.headers.authorization, "Bearer receiver-token");
    assert.match(hook.headers["content-type"], /^application\/json\b/);
    assert.match(hook.headers["user-agent"], /^Leadpush-Webhooks\//);
    assert.equal(hook.headers["x-leadpush-id"], deliveryFor.get(templated.id).id);
    assert.equal(hook.headers["x-leadpush-event"], "contact.created");
    assert.equal(Number(hook.headers["content-length"]), hook.bodyBytes.length);
    assertFreshTimestamp(hook);
    assert.deepEqual(JSON.parse(hook.body), {
      contact_id: contact._id,
      email: hostile,
      type: "contact.created",
      event_id: accepted.event_id,
      attributes: contact.attributes,
      score: 42,
    });
    assertSignedBy(templated.secret, hook);
    assert.ok(!verifiesWithLibrary(fullPayload.secret, hook), "another destination's secret does not verify");

    // Blank body template: the full payload as JSON.
    const full = requests.get("/full");
    assert.equal(full.method, "PUT");
    assert.equal(full.url, "/full");
    assert.match(full.headers["content-type"], /^application\/json\b/);
    assert.equal(full.headers["x-leadpush-id"], deliveryFor.get(fullPayload.id).id);
    assert.equal(full.headers["x-leadpush-event"], "contact.created");
    assertFreshTimestamp(full);
    assert.deepEqual(JSON.parse(full.body), {
      event: { id: accepted.event_id, type: "contact.created", occurred_at: occurredAt },
      workspace: { uuid: ws.uuid },
      contact,
    });
    assertSignedBy(fullPayload.secret, full);

    // The attempt record keeps the rendered request, without credentials.
    const recorded = await ws.delivery(deliveryFor.get(templated.id).id);
    assert.equal(recorded.attempts.length, 1);
    const [attempt] = recorded.attempts;
    assert.equal(attempt.response_status, 204);
    assert.equal(attempt.error_class, null);
    assert.equal(attempt.request.method, "POST");
    assert.equal(attempt.request.url, `${receiver.url}${hook.url}`);
    const recordedHeaders = JSON.stringify(attempt.request.headers);
    assert.ok(!recordedHeaders.includes("receiver-token"), "a configured Authorization value is not stored");
    assert.ok(!recordedHeaders.includes(hook.headers["x-leadpush-signature"].slice(3)), "nor the signature");
  },
);

test(
  "a test delivery sends webhook.test with the sample contact, signed, and records one attempt",
  LIMIT,
  async (t) => {
    const receiver = await receiverFor(t, { status: 200, body: "ok: received" });
    const ws = await newWorkspace("e2e test send");
    const destination = await ws.createDestination({ url_template: `${receiver.url}/hooks/test` });

    const queued = await ws.sendTest(destination.id);
    assert.equal(queued.event_type, "webhook.test");
    assert.equal(queued.destination_id, destination.id);
    const [request] = await receiver.waitFor(1, 5_000);

    assert.equal(request.method, "POST");
    assert.equal(request.url, "/hooks/test");
    assert.equal(request.headers["x-leadpush-id"], queued.id);
    assert.equal(request.headers["x-leadpush-event"], "webhook.test");
    assert.match(request.headers["content-type"], /^application\/json\b/);
    assertFreshTimestamp(request);
    assertSignedBy(destination.secret, request);
    const payload = JSON.parse(request.body);
    assert.equal(payload.event.type, "webhook.test");
    assert.equal(payload.event.id, queued.event_id);
    assert.equal(payload.workspace.uuid, ws.uuid);
    assert.equal(typeof payload.contact._id, "string");
    assert.ok(payload.contact._id.length > 0, "the sample contact has an id");
    assert.equal(typeof payload.contact.attributes?.email, "string", "the sample contact has an email");

    const delivery = await ws.waitForDelivery(queued.id, (d) => d.status === "succeeded", "succeeded");
    assert.equal(delivery.attempts.length, 1);
    const [attempt] = delivery.attempts;
    assert.equal(attempt.number, 1);
    assert.equal(attempt.response_status, 200);
    assert.equal(attempt.response_body, "ok: received");
    assert.equal(attempt.error_class, null);
    assert.equal(attempt.request.method, "POST");
    assert.equal(attempt.request.url, `${receiver.url}/hooks/test`);
    assert.ok(Number.isInteger(attempt.duration_ms) && attempt.duration_ms >= 0);
    assert.ok(!JSON.stringify(delivery).includes(destination.secret.slice(6)), "no secret in the record");
  },
);

test("a receiver that never answers fails the attempt as a timeout at timeout_seconds", LIMIT, async (t) => {
  const receiver = await receiverFor(t, { hang: true });
  const ws = await newWorkspace("e2e timeout");
  const destination = await ws.createDestination({
    url_template: `${receiver.url}/slow`,
    timeout_seconds: 1,
  });
  t.after(() => ws.call("DELETE", `/destinations/${destination.id}`)); // stops the retries

  const queued = await ws.sendTest(destination.id);
  await receiver.waitFor(1, 5_000);
  const delivery = await ws.waitForDelivery(queued.id, (d) => d.attempts.length >= 1, "1 attempt", 5_000);
  const [attempt] = delivery.attempts;
  assert.equal(attempt.error_class, "timeout", JSON.stringify(attempt));
  assert.equal(attempt.response_status, null);
  assert.ok(
    attempt.duration_ms >= 900 && attempt.duration_ms <= 2_500,
    `duration_ms ${attempt.duration_ms} should be close to the 1 s timeout`,
  );
  assert.equal(delivery.status, "pending", "a timeout is retried");
});

for (const [how, headers] of [
  ["streamed without a length", {}],
  ["after declaring a short Content-Length", { "Content-Length": "100" }],
]) {
  test(
    `a receiver that stalls in the middle of its body (${how}) also fails as a timeout`,
    LIMIT,
    async (t) => {
      const receiver = await receiverFor(t, { status: 200, hangBody: true, body: "first bytes", headers });
      const ws = await newWorkspace("e2e slow body");
      const destination = await ws.createDestination({
        url_template: `${receiver.url}/drip`,
        timeout_seconds: 1,
      });
      t.after(() => ws.call("DELETE", `/destinations/${destination.id}`));

      const queued = await ws.sendTest(destination.id);
      await receiver.waitFor(1, 5_000);
      const delivery = await ws.waitForDelivery(queued.id, (d) => d.attempts.length >= 1, "1 attempt", 5_000);
      const [attempt] = delivery.attempts;
      assert.equal(attempt.error_class, "timeout", JSON.stringify(attempt));
      assert.ok(
        attempt.duration_ms >= 900 && attempt.duration_ms <= 2_500,
        `duration_ms ${attempt.duration_ms} should be close to the 1 s timeout`,
      );
      assert.equal(delivery.status, "pending");
    },
  );
}

test(
  "header values go on the wire as UTF-8: non-ASCII as is, a lone surrogate as U+FFFD",
  LIMIT,
  async (t) => {
    const receiver = await receiverFor(t);
    const ws = await newWorkspace("utf-8 headers");
    await ws.createDestination({
      url_template: `${receiver.url}/hooks/utf8`,
      headers_template: [{ key: "X-Name", value: "{{ contact.attributes.name }}" }],
    });
    await ws.ingest({
      type: "contact.created",
      contact: { _id: "ct_utf8", attributes: { name: "Zoë \ud800 ✓" } },
    });
    const [request] = await receiver.waitFor(1, 5_000);
    // Node keeps header bytes as latin1 characters: back to the bytes that crossed the wire.
    const wire = Buffer.from(String(request.headers["x-name"]), "latin1");
    assert.deepEqual(wire, Buffer.from("Zoë \ufffd ✓", "utf8"));
    assert.equal(wire.toString("utf8"), "Zoë \ufffd ✓");
  },
);

test("a redirect is not followed: the 302 is a failed attempt", LIMIT, async (t) => {
  const receiver = await receiverFor(t, (request) =>
    request.path === "/elsewhere"
      ? { status: 200 }
      : { status: 302, headers: { Location: `http://127.0.0.1:${receiver.port}/elsewhere` } },
  );
  const ws = await newWorkspace("e2e redirect");
  const destination = await ws.createDestination({ url_template: `${receiver.url}/hooks/redirect` });
  t.after(() => ws.call("DELETE", `/destinations/${destination.id}`));

  const queued = await ws.sendTest(destination.id);
  const delivery = await ws.waitForDelivery(queued.id, (d) => d.attempts.length >= 1, "1 attempt");
  const [attempt] = delivery.attempts;
  assert.equal(attempt.error_class, "http_status");
  assert.equal(attempt.response_status, 302);
  assert.notEqual(delivery.status, "succeeded");

  await sleep(150); // a followed redirect would have arrived by now
  assert.deepEqual(
    receiver.requests.map((r) => r.path),
    ["/hooks/redirect"],
    "the receiver never sees the Location path",
  );
});

test(
  "during a rotation grace a delivery carries two signatures, new and previous secret",
  LIMIT,
  async (t) => {
    const receiver = await receiverFor(t, { status: 200 });
    const ws = await newWorkspace("e2e rotation");
    const destination = await ws.createDestination({ url_template: `${receiver.url}/hooks/rotation` });
    const original = destination.secret;

    const rotated = await ws.expect(200, "POST", `/destinations/${destination.id}/rotate-secret`, {
      grace_seconds: 3600,
    });
    assert.match(rotated.secret, /^whsec_/);
    assert.notEqual(rotated.secret, original);
    const expires = Date.parse(rotated.previous_secret_expires_at);
    assert.ok(Math.abs(expires - (Date.now() + 3_600_000)) < 60_000, "the grace ends in about an hour");

    await ws.sendTest(destination.id);
    const [during] = await receiver.waitFor(1, 5_000);
    const entries = during.headers["x-leadpush-signature"].split(" ");
    assert.equal(entries.length, 2, `two signatures: ${during.headers["x-leadpush-signature"]}`);
    for (const entry of entries) assert.match(entry, /^v1,[A-Za-z0-9+/]+={0,2}$/);
    const byNew = signatureMatches(rotated.secret, during);
    const byOld = signatureMatches(original, during);
    assert.equal(byNew.filter(Boolean).length, 1, "the new secret verifies one signature");
    assert.equal(byOld.filter(Boolean).length, 1, "the previous secret verifies the other");
    assert.notEqual(byNew.indexOf(true), byOld.indexOf(true));
    assert.ok(verifiesWithLibrary(rotated.secret, during), "standardwebhooks: the new secret verifies");
    assert.ok(verifiesWithLibrary(original, during), "standardwebhooks: the previous secret verifies");

    // Rotating again without grace: only the newest secret signs.
    const again = await ws.expect(200, "POST", `/destinations/${destination.id}/rotate-secret`, {});
    await ws.sendTest(destination.id);
    const [, afterRotation] = await receiver.waitFor(2, 5_000);
    assertSignedBy(again.secret, afterRotation);
    assert.ok(!verifiesWithLibrary(rotated.secret, afterRotation), "the replaced secret no longer verifies");
    assert.ok(!verifiesWithLibrary(original, afterRotation), "the first secret no longer verifies");
  },
);

describe("retries (these wait for the ~5 s retry slot, so they run side by side)", {
  concurrency: true,
}, () => {
  test(
    "a 500 is retried after about 5 s; the 200 that follows ends it succeeded with 2 attempts",
    LIMIT,
    async (t) => {
      const receiver = await receiverFor(t, (_request, index) =>
        index === 0 ? { status: 500, body: "boom" } : { status: 200, body: "fine now" },
      );
      const ws = await newWorkspace("e2e retry");
      const destination = await ws.createDestination({ url_template: `${receiver.url}/hooks/flaky` });

      const queued = await ws.sendTest(destination.id);
      const [first] = await receiver.waitFor(1, 5_000);
      const waiting = await ws.waitForDelivery(
        queued.id,
        (d) => d.attempts.length >= 1,
        "attempt 1 recorded",
      );
      assert.equal(waiting.status, "pending");
      const scheduledIn = Date.parse(waiting.next_attempt_at) - Date.parse(waiting.attempts[0].started_at);
      assert.ok(scheduledIn >= 3_900 && scheduledIn <= 6_500, `next attempt scheduled in ${scheduledIn} ms`);

      const [, second] = await receiver.waitFor(2, 10_000);
      const gap = second.receivedAt - first.receivedAt;
      assert.ok(
        gap >= FIRST_RETRY_MIN_MS && gap <= FIRST_RETRY_MAX_MS,
        `the retry came ${gap} ms after the first attempt (5 s ± 20 % expected)`,
      );
      assert.equal(first.headers["x-leadpush-id"], queued.id);
      assert.equal(second.headers["x-leadpush-id"], queued.id, "the same X-Leadpush-Id across retries");
      assert.notEqual(
        second.headers["x-leadpush-timestamp"],
        first.headers["x-leadpush-timestamp"],
        "each attempt has its own timestamp",
      );
      assertSignedBy(destination.secret, first);
      assertSignedBy(destination.secret, second);
      assert.equal(second.body, first.body, "the same body on every attempt");

      const done = await ws.waitForDelivery(queued.id, (d) => d.status === "succeeded", "succeeded");
      assert.deepEqual(
        done.attempts.map((a) => [a.number, a.error_class, a.response_status, a.response_body]),
        [
          [1, "http_status", 500, "boom"],
          [2, null, 200, "fine now"],
        ],
      );
      await sleep(150);
      assert.equal(receiver.requests.length, 2, "nothing more after the success");
    },
  );

  test("410 Gone fails the delivery, disables the destination and stops retries", LIMIT, async (t) => {
    const receiver = await receiverFor(t, { status: 410, body: "gone" });
    const ws = await newWorkspace("e2e gone");
    const destination = await ws.createDestination({ url_template: `${receiver.url}/hooks/gone` });

    const accepted = await ws.ingest({ type: "contact.created", contact: { _id: "ct_gone" } });
    assert.equal(accepted.deliveries.length, 1);
    const [queued] = accepted.deliveries;
    const [first] = await receiver.waitFor(1, 5_000);

    const failed = await ws.waitForDelivery(queued.id, (d) => d.status === "failed", "failed");
    assert.equal(failed.attempts.length, 1);
    assert.equal(failed.attempts[0].error_class, "http_status");
    assert.equal(failed.attempts[0].response_status, 410);
    assert.equal(failed.next_attempt_at, null, "no retry scheduled");

    const disabled = await ws.expect(200, "GET", `/destinations/${destination.id}`);
    assert.equal(disabled.enabled, false);
    assert.equal(typeof disabled.disabled_reason, "string");
    assert.match(disabled.disabled_reason, /410/);

    // A disabled destination gets no new deliveries.
    const later = await ws.ingest({ type: "contact.created", contact: { _id: "ct_after" } });
    assert.deepEqual(later.deliveries, []);
    const refused = await ws.call("POST", `/destinations/${destination.id}/test`);
    assert.equal(refused.status, 409, refused.text);

    // Past the first retry slot (5 s + 20 %): still the one request.
    await sleep(Math.max(0, first.receivedAt + FIRST_RETRY_MAX_MS - Date.now()));
    assert.equal(receiver.requests.length, 1, "no retry after 410 Gone");
    assert.equal((await ws.delivery(queued.id)).attempts.length, 1);
  });
});
