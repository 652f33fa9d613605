// Setting up workspaces, destinations and events through the worker's real API, and reading the
// outcome back from the history partitions' objects (through Miniflare's proxy, not through the worker's
// API, so it costs the worker's isolate nothing; bench/objects.mjs).
import { contact, destinationBody } from "./fixtures.mjs";
import { sleep } from "./lib.mjs";
import { deliveryRows, setDirect } from "./objects.mjs";

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
  // Health lives in the workspace's object: its `setSendPath` is what the consumer's own watch calls.
  if (ids.length) await setDirect(p, ws.uuid, ids);
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

/** The refs ({ id, destinationId }) of the deliveries a 202 answer lists. */
export const refsOf = (accepted) =>
  accepted.deliveries.map((d) => ({ id: d.id, destinationId: d.destination_id }));

/**
 * Waits until none of these deliveries (refs of `ws`) is pending in its history partition; returns counts
 * by status, and the attempts recorded (the sum of their attempts_made).
 */
export async function settled(p, workspaceUuid, refs, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const rows = await deliveryRows(p, workspaceUuid, refs);
    const byStatus = {};
    for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    if (rows.length < refs.length) byStatus.missing = refs.length - rows.length;
    if (!byStatus.pending || performance.now() > deadline)
      return { byStatus, attempts: rows.reduce((n, r) => n + r.attemptsMade, 0) };
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
