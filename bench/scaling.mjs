// 6. Ingest fan-out scaling and 7. history pagination: figures that must not grow with the data.
import { createDestinations, createWorkspace, nextContact } from "./api.mjs";
import { sleep, summary } from "./lib.mjs";
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

/** 6. POST /events in a workspace with 10 subscribed + 9,990 unsubscribed destinations vs 10 only. */
export async function fanoutScaling(p, receiver) {
  const big = await createWorkspace(p, "fan-out 10 + 9,990");
  const small = await createWorkspace(p, "fan-out 10");
  await createDestinations(p, big, FANOUT, receiver.url);
  await createDestinations(p, small, FANOUT, receiver.url);
  const seedStart = performance.now();
  const now = Date.now();
  await p.db.batch([
    p.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO destinations (id, workspace_uuid, name, enabled, method, url_template, headers_template,
           query_template, body_template, timeout_seconds, secret_ciphertext, secret_hint, secret_version,
           created_at, updated_at)
         SELECT printf('dst_%032x', i), ?1, 'seeded ' || i, 1, 'POST', 'https://hooks.example.com/seeded',
           '[]', '[]', NULL, 10, 'v1.unused.unused', 'xxxx', 1, ?3, ?3 FROM n`,
      )
      .bind(big.uuid, UNSUBSCRIBED, now),
    p.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO destination_event_types (destination_id, workspace_uuid, event_type)
         SELECT printf('dst_%032x', i), ?1, 'contact.deleted' FROM n`,
      )
      .bind(big.uuid, UNSUBSCRIBED),
  ]);
  const seedMs = performance.now() - seedStart;
  const count = await p.db
    .prepare("SELECT count(*) AS n FROM destinations WHERE workspace_uuid = ?1")
    .bind(big.uuid)
    .first("n");

  const post = (ws) =>
    timeRequest(p, `/v1/workspaces/${ws.uuid}/events`, ws.key, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "contact.updated", contact: nextContact() }),
    });
  const times = { big: [], small: [] };
  const pair = [
    ["big", big],
    ["small", small],
  ];
  for (let i = 0; i < 5 + INGEST_SAMPLES; i++) {
    // Alternate which goes first; after each POST, let its 10 deliveries arrive and be recorded, so
    // every POST meets an idle worker rather than the consumer's work for the previous event.
    for (const [name, ws] of i % 2 ? [...pair].reverse() : pair) {
      const r = await post(ws);
      if (r.status !== 202 || r.body.deliveries.length !== FANOUT)
        throw new Error(`fan-out ingest answered ${r.status} with ${r.body.deliveries?.length} deliveries`);
      if (i >= 5) times[name].push(r.ms);
      await receiver.expect(
        r.body.deliveries.map((d) => d.id),
        10_000,
      );
      await sleep(15);
    }
  }
  return { destinations: count, seedMs, big: summary(times.big), small: summary(times.small) };
}

const hexId = (prefix, n) => `${prefix}_${n.toString(16).padStart(32, "0")}`;
const cursorOf = (id) => Buffer.from(id).toString("base64url");

/** 7. History: page 1 vs a page 90,000 rows deep, of a destination with 100,000 deliveries. */
export async function pagination(p, receiver) {
  const ws = await createWorkspace(p, "history");
  const [destinationId] = await createDestinations(p, ws, 1, receiver.url, ["contact.created"]);
  const eventId = hexId("evt", 1);
  const now = Date.now();
  const seedStart = performance.now();
  await p.db.batch([
    p.db
      .prepare(
        `INSERT INTO events (workspace_uuid, id, type, payload, created_at)
         VALUES (?2, ?1, 'contact.created', '{}', ?3)`,
      )
      .bind(eventId, ws.uuid, now),
    // Every 10th delivery failed, the rest succeeded; ids ascend with time as UUIDv7 ids do.
    p.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?4)
         INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
           next_attempt_at, status_reason, dead_lettered_at, created_at, updated_at)
         SELECT printf('dlv_%032x', i), ?1, ?2, ?3, 'contact.created',
           CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'succeeded' END, 1, NULL, NULL, NULL, ?5 + i, ?5 + i FROM n`,
      )
      .bind(ws.uuid, destinationId, eventId, HISTORY_ROWS, now - HISTORY_ROWS),
  ]);
  const seedMs = performance.now() - seedStart;
  const rows = await p.db
    .prepare("SELECT count(*) AS n FROM deliveries WHERE destination_id = ?1")
    .bind(destinationId)
    .first("n");

  const deepN = HISTORY_ROWS - 90_000; // 90,000 newer ids above it
  const base = `/v1/workspaces/${ws.uuid}/destinations/${destinationId}/deliveries?limit=50`;
  const cases = {
    page1: { path: base, first: hexId("dlv", HISTORY_ROWS) },
    deep: { path: `${base}&cursor=${cursorOf(hexId("dlv", deepN))}`, first: hexId("dlv", deepN - 1) },
    failedPage1: { path: `${base}&status=failed`, first: hexId("dlv", HISTORY_ROWS) },
    failedDeep: {
      path: `${base}&status=failed&cursor=${cursorOf(hexId("dlv", deepN))}`,
      first: hexId("dlv", deepN - 10),
    },
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
