// 6. Ingest fan-out scaling and 7. history pagination: figures that must not grow with the data.
import { createDestinations, createWorkspace, nextContact } from "./api.mjs";
import { sleep, summary } from "./lib.mjs";
import { historyId, objectsOf, partitionAt, plain } from "./objects.mjs";
import { FANOUT, HISTORY_ROWS, INGEST_SAMPLES, PAGE_SAMPLES, UNSUBSCRIBED } from "./workload.mjs";

async function timeRequest(p, path, token, init = {}) {
  const start = performance.now();
  const response = await fetch(p.url + path, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
  });
  const body = await response.json();
  return { ms: performance.now() - start, status: response.status, body };
}

// The 9,990 other destinations of the big workspaces, seeded in SQL: a name, the realistic shape and a
// secret nobody reads (they never get a delivery). `filter` is destination i's filter and `key` its
// equality key (src/filters/key.ts) as SQL expressions of i; the subscriptions carry the key as the API's
// writes do (checked against one made by the API, in keyOfApiDestination). Binds: ?1 workspace, ?2 count,
// ?3 now (the event type for subscriptions), ?4 the number before the first id's.
const seedDestinationsSql = ({ filter, keyPath, keyValue }) => `
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
  INSERT INTO destinations (id, workspace_uuid, name, enabled, method, url_template, headers_template,
    query_template, body_template, timeout_seconds, secret_ciphertext, secret_hint, secret_version,
    created_at, updated_at, filter, filter_key_path, filter_key_value)
  SELECT printf('dst_%032x', ?4 + i), ?1, 'seeded ' || i, 1, 'POST',
    'https://hooks.example.com/seeded', '[]', '[]', NULL, 10, 'v1.unused.unused', 'xxxx', 1, ?3, ?3,
    ${filter}, ${keyPath}, ${keyValue} FROM n`;
const seedSubscriptionsSql = ({ filter, keyPath, keyValue }) => `
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
  INSERT INTO destination_event_types (destination_id, workspace_uuid, event_type, filter_kind, filter_path,
    filter_value)
  SELECT printf('dst_%032x', ?4 + i), ?1, ?3,
    CASE WHEN ${filter} IS NULL THEN 0 WHEN ${keyPath} IS NULL THEN 2 ELSE 1 END, ${keyPath}, ${keyValue}
  FROM n`;
const FILTERED_IDS_FROM = 1_000_000;
const UNFILTERED = { filter: "NULL", keyPath: "NULL", keyValue: "NULL" };

// The filtered workspace's filters: every one different (so none is served from another's parse), two
// conditions each, as a CRM's "this city, above this value" would be; none matches the bench contact.
const CITY_KEY_PATH = '$."contact"."attributes"."city"';
const NON_MATCHING = {
  filter: `json_object('contact.attributes.city', 'City ' || i, 'contact.attributes.lifetime_value',
    json_object('$gte', i))`,
  keyPath: `'${CITY_KEY_PATH}'`,
  keyValue: "'City ' || i",
};
const nonMatchingFilter = (i) => ({
  "contact.attributes.city": `City ${i}`,
  "contact.attributes.lifetime_value": { $gte: i },
});

/** The key the API writes on the subscription of a destination with the seeded filter of i = 1. */
async function keyOfApiDestination(p, receiver) {
  const ws = await createWorkspace(p, "fan-out key check");
  const [id] = await createDestinations(p, ws, 1, receiver.url, ["contact.updated"], nonMatchingFilter(1));
  return p.db
    .prepare(
      "SELECT filter_kind, filter_path, filter_value FROM destination_event_types WHERE destination_id = ?",
    )
    .bind(id)
    .first();
}

/** The 10 filtered destinations that do get the event: the bench contact is an enterprise with consent. */
const MATCHING_FILTER = { "contact.attributes.plan": "enterprise", "contact.attributes.consent.email": true };

/**
 * 6. POST /events in a workspace of 10,000 destinations three ways, in the same run:
 * - big: 10 subscribed + 9,990 subscribed to another type (the fan-out is chosen by the subscriptions);
 * - filtered: 10,000 subscribed, each with its own filter; 10 match and 9,990 do not (chosen by filters);
 * - small: only the 10 destinations (the baseline both are held against).
 * Each delivers to the same 10 destinations, so the figures differ only by the selection's cost.
 */
export async function fanoutScaling(p, receiver) {
  const big = await createWorkspace(p, "fan-out 10 + 9,990");
  const filtered = await createWorkspace(p, "fan-out 10 + 9,990 filtered out");
  const small = await createWorkspace(p, "fan-out 10");
  await createDestinations(p, big, FANOUT, receiver.url);
  await createDestinations(p, filtered, FANOUT, receiver.url, ["contact.updated"], MATCHING_FILTER);
  await createDestinations(p, small, FANOUT, receiver.url);
  const seedStart = performance.now();
  const now = Date.now();
  const apiKey = await keyOfApiDestination(p, receiver);
  if (apiKey?.filter_kind !== 1 || apiKey.filter_path !== CITY_KEY_PATH || apiKey.filter_value !== "City 1")
    throw new Error(`the seeded filter key is not the API's: ${JSON.stringify(apiKey)}`);
  await p.db.batch([
    p.db.prepare(seedDestinationsSql(UNFILTERED)).bind(big.uuid, UNSUBSCRIBED, now, 0),
    p.db.prepare(seedSubscriptionsSql(UNFILTERED)).bind(big.uuid, UNSUBSCRIBED, "contact.deleted", 0),
    p.db.prepare(seedDestinationsSql(NON_MATCHING)).bind(filtered.uuid, UNSUBSCRIBED, now, FILTERED_IDS_FROM),
    p.db
      .prepare(seedSubscriptionsSql(NON_MATCHING))
      .bind(filtered.uuid, UNSUBSCRIBED, "contact.updated", FILTERED_IDS_FROM),
  ]);
  const seedMs = performance.now() - seedStart;
  const count = (ws) =>
    p.db.prepare("SELECT count(*) AS n FROM destinations WHERE workspace_uuid = ?1").bind(ws.uuid).first("n");
  const [destinations, filteredDestinations] = [await count(big), await count(filtered)];

  const post = (ws) =>
    timeRequest(p, `/v1/workspaces/${ws.uuid}/events`, ws.key, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "contact.updated", contact: nextContact() }),
    });
  const times = { big: [], filtered: [], small: [] };
  const order = [
    ["big", big],
    ["filtered", filtered],
    ["small", small],
  ];
  for (let i = 0; i < 5 + INGEST_SAMPLES; i++) {
    // Rotate which goes first; after each POST, let its 10 deliveries arrive and be recorded, so
    // every POST meets an idle worker rather than the consumer's work for the previous event.
    const turn = [...order.slice(i % 3), ...order.slice(0, i % 3)];
    for (const [name, ws] of turn) {
      const r = await post(ws);
      if (r.status !== 202 || r.body.delivery_count !== FANOUT)
        throw new Error(
          `fan-out ingest (${name}) answered ${r.status} with ${r.body.delivery_count} deliveries`,
        );
      if (i >= 5) times[name].push(r.ms);
      await receiver.expect(
        r.body.deliveries.map((d) => d.id),
        10_000,
      );
      await sleep(15);
    }
  }
  return {
    destinations,
    filteredDestinations,
    seedMs,
    big: summary(times.big),
    filtered: summary(times.filtered),
    small: summary(times.small),
  };
}

const cursorOf = (id) => Buffer.from(id).toString("base64url");
const SEED_EVENTS = 100; // HISTORY_ROWS deliveries as 100 events of 1,000 deliveries each to the one destination
const SEED_CHUNK = 10; // events per `store` call
const RECORD_CHUNK = 5_000; // outcomes per `record` call

/**
 * 7. History: page 1 vs a page 90,000 rows deep, of a destination with 100,000 deliveries, all in the
 * current partition. Seeded through the partition object's own write methods (bench/objects.mjs): `store`
 * (events whose fan-out repeats the destination) and `record` (every 10th, by id, failed; the rest
 * succeeded), as the worker's ingest and consumer would write them.
 */
export async function pagination(p, receiver) {
  const ws = await createWorkspace(p, "history");
  const [destinationId] = await createDestinations(p, ws, 1, receiver.url, ["contact.created"]);
  const seconds = 24 * 3600; // wrangler.toml's HISTORY_PARTITION_HOURS
  const part = partitionAt(ws.uuid, Date.now(), seconds);
  const stub = (await objectsOf(p)).history(part);
  const seedStart = performance.now();
  const perEvent = HISTORY_ROWS / SEED_EVENTS;
  const targets = Array.from({ length: perEvent }, () => destinationId);
  const ids = [];
  for (let e = 0; e < SEED_EVENTS; e += SEED_CHUNK) {
    const events = Array.from({ length: SEED_CHUNK }, () => {
      const id = historyId("evt", Math.max(part.start, Date.now()), seconds);
      const payload = JSON.stringify({
        event: { id, type: "contact.created" },
        workspace: { uuid: ws.uuid },
        contact: {},
      });
      return { id, type: "contact.created", payload, targets };
    });
    for (const r of plain(await stub.store(part, events))) ids.push(...r.created.map((c) => c.id));
  }
  ids.sort();
  const now = Date.now();
  const outcome = (id, i) => ({
    destinationId,
    attempt: {
      deliveryId: id,
      number: 1,
      startedAt: now,
      method: "POST",
      url: "https://hooks.example.com/x",
      requestHeaders: [],
      responseStatus: (i + 1) % 10 === 0 ? 500 : 200,
      responseBody: "",
      durationMs: 12,
      errorClass: (i + 1) % 10 === 0 ? "http_status" : null,
      errorMessage: null,
    },
    status: (i + 1) % 10 === 0 ? "failed" : "succeeded",
    nextAttemptAt: null,
    laneDueAt: null,
    reason: (i + 1) % 10 === 0 ? "seeded" : null,
  });
  for (let i = 0; i < ids.length; i += RECORD_CHUNK)
    await stub.record(
      part,
      ids.slice(i, i + RECORD_CHUNK).map((id, j) => outcome(id, i + j)),
      [],
      "seeded",
    );
  const seedMs = performance.now() - seedStart;
  const rows = ids.length;

  // Ascending ids[k] is the (k + 1)th oldest; failed when (k + 1) % 10 === 0. The cursor at the 10,000th
  // oldest has 90,000 newer ids above it.
  const deep = HISTORY_ROWS - 90_000;
  const base = `/v1/workspaces/${ws.uuid}/destinations/${destinationId}/deliveries?limit=50`;
  const cases = {
    page1: { path: base, first: ids[rows - 1] },
    deep: { path: `${base}&cursor=${cursorOf(ids[deep - 1])}`, first: ids[deep - 2] },
    failedPage1: { path: `${base}&status=failed`, first: ids[rows - 1] },
    failedDeep: { path: `${base}&status=failed&cursor=${cursorOf(ids[deep - 1])}`, first: ids[deep - 11] },
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < 5 + PAGE_SAMPLES; i++) {
    for (const [name, c] of Object.entries(cases)) {
      const r = await timeRequest(p, c.path, ws.key);
      if (r.status !== 200 || r.body.data.length !== 50 || r.body.data[0].id !== c.first)
        throw new Error(`history ${name}: ${r.status}, first ${r.body.data?.[0]?.id}, expected ${c.first}`);
      if (i >= 5) times[name].push(r.ms);
    }
  }
  return {
    rows,
    seedMs,
    ...Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)])),
  };
}
