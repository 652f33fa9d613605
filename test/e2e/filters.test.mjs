// End to end: filters on the real worker bundle (programmatic Miniflare) with a real receiver on
// 127.0.0.1. Destinations with filters of every kind (nested paths, arrays, missing keys, numbers
// against strings, $or, $not, keyed and unkeyed), a stream of events, and the receiver counts what
// arrives at each destination's path: exactly the events the filter matches, each once, each signed by
// its own destination's secret. A hostile event (a 1,000-element array at a filtered path, deep
// nesting) is answered 202 quickly and matched like any other.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { startWorker } from "./harness.mjs";
import { startReceiver } from "./receiver.mjs";

const LIMIT = { timeout: 60_000 };

/** Each destination's filter, and which of EVENTS (by index) it must receive. */
const DESTINATIONS = [
  { name: "enterprise", filter: { "contact.attributes.plan": "enterprise" }, expect: [0, 3, 6] },
  {
    name: "enterprise-consented",
    filter: { "contact.attributes.plan": "enterprise", "contact.attributes.consent.email": true },
    expect: [0, 6],
  },
  { name: "tag-vip", filter: { "contact.attributes.tags": "vip" }, expect: [1, 3, 7] },
  { name: "no-plan", filter: { "contact.attributes.plan": { $exists: false } }, expect: [2, 5, 7] },
  { name: "score-over-50", filter: { "contact.attributes.score": { $gt: 50 } }, expect: [0, 4] },
  { name: "score-string-10", filter: { "contact.attributes.score": "10" }, expect: [5] },
  {
    name: "free-or-eu",
    filter: {
      $or: [{ "contact.attributes.plan": "free" }, { "contact.attributes.region": { $in: ["eu"] } }],
    },
    expect: [1, 4],
  },
  {
    name: "not-enterprise",
    filter: { $not: { "contact.attributes.plan": "enterprise" } },
    expect: [1, 2, 4, 5, 7],
  },
  { name: "everything", filter: null, expect: [0, 1, 2, 3, 4, 5, 6, 7] },
];

const many = Array.from({ length: 1_000 }, (_, i) => `tag${i}`);

const EVENTS = [
  { plan: "enterprise", consent: { email: true }, score: 90 },
  { plan: "free", tags: ["new", "vip"] },
  { region: "us" },
  { plan: "enterprise", consent: { email: false }, tags: "vip", score: 50 },
  { plan: "pro", region: "eu", score: 51 },
  { score: "10" },
  { plan: "enterprise", consent: { email: true }, score: "90" },
  // Hostile: a long array at the filtered path, and deep nesting the filters do not reach.
  { tags: [...many, "vip"], deep: JSON.parse(`${"[".repeat(25)}1${"]".repeat(25)}`) },
];

const headerOf = (request, name) => request.headers[name];

function verifies(secret, request) {
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

describe("filters, counted at a real receiver", () => {
  let worker;
  let receiver;
  before(async () => {
    worker = await startWorker();
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
    await worker?.dispose();
  });

  test("each destination receives exactly the events its filter matches, once, signed", LIMIT, async () => {
    const { uuid, apiKey } = await worker.createWorkspace("filters");
    const api = async (method, path, body, status) => {
      const res = await worker.fetch(`/v1/workspaces/${uuid}${path}`, {
        method,
        headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      assert.equal(res.status, status, `${method} ${path} → ${res.status}: ${text}`);
      return text ? JSON.parse(text) : null;
    };

    const secrets = new Map();
    for (const d of DESTINATIONS) {
      const created = await api(
        "POST",
        "/destinations",
        {
          name: d.name,
          method: "POST",
          url_template: `${receiver.url}/d/${d.name}`,
          event_types: ["contact.updated"],
          filter: d.filter,
        },
        201,
      );
      secrets.set(d.name, created.secret);
    }

    const ingestMs = [];
    for (const [i, attributes] of EVENTS.entries()) {
      const started = performance.now();
      const accepted = await api(
        "POST",
        "/events",
        { id: `evt_filter_${i}`, type: "contact.updated", contact: { _id: `ct_${i}`, attributes } },
        202,
      );
      ingestMs.push(performance.now() - started);
      const expected = DESTINATIONS.filter((d) => d.expect.includes(i)).length;
      assert.equal(accepted.deliveries.length, expected, `event ${i} fans out to ${expected} destinations`);
    }
    // A second ingest of the same id (a client's retry) answers the same fan-out and creates nothing more.
    const replayed = await api(
      "POST",
      "/events",
      { id: "evt_filter_0", type: "contact.updated", contact: { _id: "ct_0", attributes: EVENTS[0] } },
      202,
    );
    assert.equal(replayed.delivery_count, 4);

    const total = DESTINATIONS.reduce((n, d) => n + d.expect.length, 0);
    await receiver.waitFor(total, 20_000);
    await new Promise((done) => setTimeout(done, 500)); // anything extra would have arrived by now
    assert.equal(receiver.requests.length, total, "nothing beyond what the filters match arrives");

    for (const d of DESTINATIONS) {
      const arrived = receiver.requests.filter((r) => r.path === `/d/${d.name}`);
      const events = arrived.map((r) => Number(JSON.parse(r.body).event.id.replace("evt_filter_", "")));
      assert.deepEqual(
        events.sort((a, b) => a - b),
        d.expect,
        `${d.name}: ${JSON.stringify(d.filter)} receives events ${d.expect.join(", ")}`,
      );
      for (const r of arrived) assert.ok(verifies(secrets.get(d.name), r), `${d.name}: signed by its secret`);
    }
    // The hostile event took no longer than a bound the ordinary ones also keep.
    assert.ok(ingestMs[7] < 2_000, `the hostile event's ingest took ${ingestMs[7].toFixed(0)} ms`);
  });
});
