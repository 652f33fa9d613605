// The soak's fuzz phase: test/hostile/hostile-requests.mjs's requests over real HTTP to the running
// worker. Two workspaces of its own (their destinations subscribe to nothing, so a wrongly accepted
// event queues nothing); the rows are counted straight on the bindings around each batch: D1's
// control-plane tables, and the history objects and workspace objects that keep the rest.
import fc from "fast-check";
import { hostileRequest, ROUTES, runHostileRequests } from "../../test/hostile/hostile-requests.mjs";
import { send } from "./http.mjs";

/** The routes /openapi.json lists that the fuzzer does not know (a new route needs its entry). */
export async function uncoveredRoutes(worker) {
  const doc = JSON.parse((await send(worker.url, "/openapi.json")).text);
  const known = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
  const missing = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}))
    for (const method of Object.keys(item))
      if (!known.has(`${method.toUpperCase()} ${path}`)) missing.push(`${method.toUpperCase()} ${path}`);
  return missing;
}

/** Awaits an exchange of http.mjs's `send` and parses its JSON, when its status is `status`. */
async function expectStatus(exchange, status, what) {
  const { status: got, text } = await exchange;
  if (got !== status) throw new Error(`${what} answered ${got}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** Two workspaces, as the Fixtures type of test/hostile/hostile-requests.mjs; waits for their test deliveries. */
async function createFixtures(worker, receiverUrl, history) {
  const operator = { Authorization: `Bearer ${worker.operatorToken}` };
  const made = [];
  for (const name of ["fuzz own", "fuzz other"]) {
    const ws = await worker.createWorkspace(name);
    const headers = { Authorization: `Bearer ${ws.apiKey}`, "Content-Type": "application/json" };
    const destination = async () =>
      expectStatus(
        send(worker.url, `/v1/workspaces/${ws.uuid}/destinations`, {
          method: "POST",
          headers,
          body: JSON.stringify({
            name: `${name} destination`,
            method: "POST",
            url_template: `${receiverUrl}/fuzz/{{ contact._id }}`,
            event_types: [],
          }),
        }),
        201,
        "creating a fuzz destination",
      );
    const first = await destination();
    const delivery = await expectStatus(
      send(worker.url, `/v1/workspaces/${ws.uuid}/destinations/${first.id}/test`, {
        method: "POST",
        headers,
      }),
      202,
      "a fuzz test delivery",
    );
    const key = await expectStatus(
      send(worker.url, `/v1/workspaces/${ws.uuid}/api-keys`, { method: "POST", headers: operator }),
      201,
      "issuing a key",
    );
    made.push({ ws, headers, first, second: await destination(), delivery, key });
  }
  const deadline = Date.now() + 15_000;
  const testDeliveries = new Set(made.map((m) => m.delivery.id));
  const succeeded = async () =>
    (await history.census(made.map((m) => m.ws.uuid))).deliveries.filter(
      (d) => testDeliveries.has(d.id) && d.status === "succeeded",
    ).length;
  for (;;) {
    if ((await succeeded()) === 2) break;
    if (Date.now() > deadline)
      throw new Error("the fuzz fixtures' test deliveries did not succeed within 15 s");
    await new Promise((done) => setTimeout(done, 100));
  }
  const [own, other] = made;
  // The own delivery's destination is disabled: redelivering it must be a 409.
  await expectStatus(
    send(worker.url, `/v1/workspaces/${own.ws.uuid}/destinations/${own.first.id}`, {
      method: "PATCH",
      headers: own.headers,
      body: JSON.stringify({ enabled: false }),
    }),
    200,
    "disabling a fuzz destination",
  );
  // A finished recovery of each workspace's enabled destination (there is nothing to recover).
  const recovered = async ({ ws, headers }, destination) =>
    (
      await expectStatus(
        send(worker.url, `/v1/workspaces/${ws.uuid}/destinations/${destination.id}/recover`, {
          method: "POST",
          headers,
          body: JSON.stringify({ since: new Date(Date.now() - 3_600_000).toISOString() }),
        }),
        202,
        "starting a fuzz recovery",
      )
    ).id;
  const ownRecovery = await recovered(own, own.second);
  const otherRecovery = await recovered(other, other.first);
  const revoked = await expectStatus(
    send(worker.url, `/v1/workspaces/${own.ws.uuid}/api-keys`, { method: "POST", headers: operator }),
    201,
    "issuing a key to revoke",
  );
  await expectStatus(
    send(worker.url, `/v1/workspaces/${own.ws.uuid}/api-keys/${revoked.id}`, {
      method: "DELETE",
      headers: operator,
    }),
    204,
    "revoking a key",
  );
  return {
    operatorToken: worker.operatorToken,
    own: {
      ws: own.ws.uuid,
      key: own.ws.apiKey,
      destinationId: own.second.id,
      disabledDestinationId: own.first.id,
      deliveryId: own.delivery.id,
      eventId: own.delivery.event_id,
      recoveryId: ownRecovery,
      keyId: own.key.id,
      revokedKey: revoked.api_key,
    },
    other: {
      ws: other.ws.uuid,
      key: other.ws.apiKey,
      destinationId: other.first.id,
      deliveryId: other.delivery.id,
      eventId: other.delivery.event_id,
      recoveryId: otherRecovery,
      keyId: other.key.id,
    },
  };
}

/**
 * Rows per table. Deliveries of the soak's own workload may still be retried meanwhile, and its failing
 * receivers announced (operational events), so events, deliveries and attempts are counted for the fuzz
 * workspaces only; every other table only changes through the API. D1 keeps the control plane; the
 * history objects keep events, deliveries and attempts, and each workspace's object its recoveries.
 */
function rowCounter(db, history, fuzzWorkspaces) {
  const sql = `SELECT
    (SELECT count(*) FROM workspaces) AS workspaces,
    (SELECT count(*) FROM api_keys) AS api_keys,
    (SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL) AS "api_keys revoked",
    (SELECT count(*) FROM destinations) AS destinations,
    (SELECT count(*) FROM destination_event_types) AS destination_event_types,
    (SELECT total(updated_at) FROM destinations
      WHERE workspace_uuid IN (SELECT value FROM json_each(?1))) AS "destinations updated_at (sum)",
    (SELECT total(secret_version) FROM destinations) AS "destinations secret_version (sum)"`;
  // Prepared once: each prepare() and bind() through Miniflare's proxy is a synchronous round trip, and
  // its synchronous fetcher has failed an internal assertion under load.
  const tables = db.prepare(sql).bind(JSON.stringify(fuzzWorkspaces));
  // Every destination's recoveries, as D1's one table of them was counted whole.
  const destinations = db.prepare("SELECT id, workspace_uuid FROM destinations");
  return async () => {
    const [counts, stored, recoveries] = await Promise.all([
      tables.first(),
      history.census(fuzzWorkspaces),
      destinations.all().then(({ results }) => history.recoveryCount(results)),
    ]);
    return {
      ...counts,
      "events (fuzz workspaces)": stored.events.length,
      "deliveries (fuzz workspaces)": stored.deliveries.length,
      recoveries,
      "attempts (fuzz workspaces)": stored.attempts.length,
    };
  };
}

/** Sends one generated request over HTTP; a request node itself refuses to send is reported as such. */
function sender(worker) {
  return async (req) => {
    try {
      const { status, headers, text } = await send(worker.url, req.path, req);
      return { status, contentType: headers["content-type"] ?? null, excerpt: text.slice(0, 300) };
    } catch (error) {
      if (error.unsendable) return { status: 0, contentType: null, unsendable: error.message };
      throw error;
    }
  };
}

/** Runs `count` generated requests (seed `seed`), stopping early at `deadline`. */
export async function runFuzz({ worker, db, history, receiverUrl, seed, count, deadline }) {
  const fixtures = await createFixtures(worker, receiverUrl, history);
  const requests = fc.sample(hostileRequest(fixtures), { seed, numRuns: count });
  const countRows = rowCounter(db, history, [fixtures.own.ws, fixtures.other.ws]);
  const send = sender(worker);
  const started = Date.now();
  const chunk = 500;
  const total = { sent: 0, statuses: {}, kinds: {}, failures: [] };
  for (let start = 0; start < requests.length && Date.now() < deadline; start += chunk) {
    const result = await runHostileRequests(requests.slice(start, start + chunk), {
      send,
      countRows,
      batchSize: 16,
      concurrency: 4,
      offset: start,
    });
    total.sent += result.sent;
    for (const [k, n] of Object.entries(result.statuses)) total.statuses[k] = (total.statuses[k] ?? 0) + n;
    for (const [k, n] of Object.entries(result.kinds)) total.kinds[k] = (total.kinds[k] ?? 0) + n;
    total.failures.push(...result.failures);
  }
  return { ...total, planned: count, ms: Date.now() - started };
}
