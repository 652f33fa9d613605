// Setting up workspaces, destinations and events through the worker's real API, and reading the
// outcome back from D1 (through Miniflare, not through the worker, so it costs the worker nothing).
import { contact, destinationBody } from "./fixtures.mjs";
import { sleep } from "./lib.mjs";

export async function createWorkspace(p, name) {
  const { json } = await p.client("POST", "/v1/workspaces", {
    token: p.operatorToken,
    body: { name },
    expect: 201,
  });
  return { uuid: json.uuid, key: json.api_key };
}

/** `count` destinations sending to `${receiverUrl}/pipeline`, subscribed to `eventTypes`; their ids. */
export async function createDestinations(
  p,
  ws,
  count,
  receiverUrl,
  eventTypes = ["contact.updated"],
  filter,
) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const { json } = await p.client("POST", `/v1/workspaces/${ws.uuid}/destinations`, {
      token: ws.key,
      body: {
        ...destinationBody(`${receiverUrl}/pipeline`, `bench ${i}`, eventTypes),
        ...(filter && { filter }),
      },
      expect: 201,
    });
    ids.push(json.id);
  }
  // The bench measures the healthy steady state: destinations that have answered quickly before and so
  // are on the consumer's direct path. A new destination's first deliveries go through its lane until it
  // answers quickly once (docs/flow-control.md); bench/isolation.mjs measures the lanes.
  if (p.db && ids.length)
    await p.db
      .prepare("UPDATE destinations SET send_path = 'direct' WHERE id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(ids))
      .run();
  return ids;
}

let contactSeq = 0;
/** A fresh contact each call, so no two events of a run are alike. */
export const nextContact = () => contact(++contactSeq);

/** POST /v1/workspaces/{ws}/events; the 202 answer (event_id, deliveries). */
export async function ingest(p, ws, type = "contact.updated") {
  const { json } = await p.client("POST", `/v1/workspaces/${ws.uuid}/events`, {
    token: ws.key,
    body: { type, contact: nextContact() },
    expect: 202,
  });
  return json;
}

/** Waits until none of the deliveries of these events is pending in D1; returns counts by status. */
export async function settled(db, eventIds, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  const ids = JSON.stringify(eventIds);
  for (;;) {
    const { results } = await db
      .prepare(
        `SELECT status, count(*) AS n FROM deliveries
         WHERE event_id IN (SELECT value FROM json_each(?1)) GROUP BY status`,
      )
      .bind(ids)
      .all();
    const byStatus = Object.fromEntries(results.map((r) => [r.status, r.n]));
    if (!byStatus.pending || performance.now() > deadline) {
      const attempts = await db
        .prepare(
          `SELECT count(*) AS n FROM attempts WHERE delivery_id IN
             (SELECT id FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?1)))`,
        )
        .bind(ids)
        .first("n");
      return { byStatus, attempts };
    }
    await sleep(20);
  }
}

/** A test delivery to the receiver: does this workerd reach 127.0.0.1 with these flags? */
export async function probeDelivery(p, receiver) {
  const ws = await createWorkspace(p, "probe");
  const [destinationId] = await createDestinations(p, ws, 1, receiver.url);
  const { json } = await p.client("POST", `/v1/workspaces/${ws.uuid}/destinations/${destinationId}/test`, {
    token: ws.key,
    expect: 202,
  });
  try {
    await receiver.expect([json.id], 5_000);
    return true;
  } catch {
    return false;
  }
}

/**
 * A key is used (so an isolate cache holds it), revoked through the operator route, then used again at
 * once: the answer to that next POST /events (401 expected). The worker runs in one isolate locally, so
 * this checks the revoking isolate only; others are bound by the cache's TTL (docs, src/).
 */
export async function revocationCheck(p, receiver) {
  const ws = await createWorkspace(p, "revocation");
  await createDestinations(p, ws, 1, receiver.url);
  const { json: issued } = await p.client("POST", `/v1/workspaces/${ws.uuid}/api-keys`, {
    token: p.operatorToken,
    expect: 201,
  });
  const key = { uuid: ws.uuid, key: issued.api_key };
  const post = () =>
    p.client("POST", `/v1/workspaces/${ws.uuid}/events`, {
      token: key.key,
      body: { type: "contact.updated", contact: nextContact() },
    });
  const before = await post();
  await p.client("DELETE", `/v1/workspaces/${ws.uuid}/api-keys/${issued.id}`, {
    token: p.operatorToken,
    expect: 204,
  });
  const start = performance.now();
  const after = await post();
  return { before: before.status, after: after.status, afterMs: performance.now() - start };
}
