// Property-based fuzzing of every route with hostile requests (fast-check, seed fixed): no answer is a
// 5xx, a request that must be rejected gets a 4xx, every error on the API's paths is problem+json (the
// dashboard's pages answer HTML), and no such request writes a row. The requests come from
// test/hostile/hostile-requests.mjs, which `npm run soak` also sends (10,000 of them, over HTTP, to the
// built bundle).
//
// The worker's fetch handler is called directly, not through the pool's exports.default.fetch, which
// gets slower with every call (docs/notes.md). A failure lists each kind of violation with a request
// that shows it; the same seed reproduces it: `npx vitest run test/hostile/fuzz.test.ts`.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import {
  call,
  countRows,
  createDestination,
  createWorkspace,
  json,
  OPERATOR,
  type Workspace,
} from "../support/helpers";
import {
  type Answer,
  type Fixtures,
  type HostileRequest,
  hostileRequest,
  runHostileRequests,
  summarizeFailures,
  TABLES,
} from "./hostile-requests.mjs";

const SEED = 20261126;
const RUNS = 500;
// Rows are counted around each batch of this many requests (none of which may write).
const BATCH = 10;
const TIME_LIMIT_MS = 30_000;

/** Rows per table, plus what an update would change (revocations, enabled flags, destination versions). */
async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = await countRows(table);
  counts["api_keys revoked"] = await countRows("api_keys", "revoked_at IS NOT NULL");
  counts["destinations enabled"] = await countRows("destinations", "enabled = 1");
  const state = await env.DB.prepare(
    "SELECT total(updated_at) AS updated, total(secret_version) AS versions FROM destinations",
  ).first<{ updated: number; versions: number }>();
  counts["destinations updated_at (sum)"] = state?.updated ?? 0;
  counts["destinations secret_version (sum)"] = state?.versions ?? 0;
  return counts;
}

/**
 * Sends a generated request straight to the worker's fetch handler. Not through `call`: in this pool
 * every `exports.default.fetch` is slower than the one before (50 requests took 65 ms at first and
 * 890 ms after 150 more), which would make 500 requests take ~16 s instead of ~1 s.
 */
async function send(req: HostileRequest): Promise<Answer> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`https://api.test${req.path}`, { method: req.method, headers: req.headers, body: req.body }),
    env,
    ctx,
  );
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    excerpt: text.slice(0, 200),
  };
}

async function issueKey(ws: Workspace) {
  const response = await call(`/v1/workspaces/${ws.uuid}/api-keys`, { method: "POST", auth: OPERATOR });
  expect(response.status).toBe(201);
  return json<{ id: string; api_key: string }>(response);
}

/** A workspace with a destination, a delivered test delivery and a second key. */
async function fixtureWorkspace(name: string) {
  const ws = await createWorkspace(name);
  // No subscriptions: an event that is wrongly accepted queues nothing.
  const destination = await createDestination(ws, { event_types: [] });
  const sent = await call(`/v1/workspaces/${ws.uuid}/destinations/${destination.id}/test`, {
    method: "POST",
    auth: ws.auth,
  });
  expect(sent.status).toBe(202);
  const delivery = await json<{ id: string; event_id: string }>(sent);
  return { ws, destination, deliveryId: delivery.id, eventId: delivery.event_id, key: await issueKey(ws) };
}

let fixtures: Fixtures;

beforeAll(async () => {
  // Test deliveries are answered here, not by the network.
  vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
  const own = await fixtureWorkspace("fuzz own");
  const other = await fixtureWorkspace("fuzz other");
  // Both test deliveries are delivered before anything else changes.
  await vi.waitFor(
    async () => {
      expect(await countRows("deliveries", "status = 'pending'")).toBe(0);
      expect(await countRows("attempts")).toBe(2);
    },
    { timeout: 5_000, interval: 20 },
  );
  // The own delivery belongs to a destination disabled afterwards: redelivering it is a 409.
  const spare = await createDestination(own.ws, { event_types: [] });
  const patched = await call(`/v1/workspaces/${own.ws.uuid}/destinations/${own.destination.id}`, {
    method: "PATCH",
    auth: own.ws.auth,
    body: { enabled: false },
  });
  expect(patched.status).toBe(200);
  const recovered = async (ws: Workspace, destinationId: string) => {
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${destinationId}/recover`, {
      method: "POST",
      auth: ws.auth,
      body: { since: new Date(Date.now() - 3_600_000).toISOString() },
    });
    expect(response.status).toBe(202);
    return (await json<{ id: string }>(response)).id;
  };
  const ownRecovery = await recovered(own.ws, spare.id);
  const otherRecovery = await recovered(other.ws, other.destination.id);
  const revoked = await issueKey(own.ws);
  const revoke = await call(`/v1/workspaces/${own.ws.uuid}/api-keys/${revoked.id}`, {
    method: "DELETE",
    auth: OPERATOR,
  });
  expect(revoke.status).toBe(204);
  fixtures = {
    operatorToken: env.OPERATOR_TOKEN,
    own: {
      ws: own.ws.uuid,
      key: own.ws.key,
      destinationId: spare.id,
      disabledDestinationId: own.destination.id,
      deliveryId: own.deliveryId,
      eventId: own.eventId,
      recoveryId: ownRecovery,
      keyId: own.key.id,
      revokedKey: revoked.api_key,
    },
    other: {
      ws: other.ws.uuid,
      key: other.ws.key,
      destinationId: other.destination.id,
      deliveryId: other.deliveryId,
      eventId: other.eventId,
      recoveryId: otherRecovery,
      keyId: other.key.id,
    },
  };
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe("fuzz: hostile requests on every route (fails until the hostile-input hardening lands)", () => {
  it(
    `${RUNS} generated requests (seed ${SEED}): no 5xx, rejections are 4xx problems, nothing written`,
    async () => {
      const requests = fc.sample(hostileRequest(fixtures), { seed: SEED, numRuns: RUNS });
      const started = Date.now();
      const result = await runHostileRequests(requests, { send, countRows: rowCounts, batchSize: BATCH });
      console.log(
        `fuzz: ${result.sent} requests in ${Date.now() - started} ms (seed ${SEED}), by status ${JSON.stringify(result.statuses)}, by kind ${JSON.stringify(result.kinds)}`,
      );
      const violations = summarizeFailures(result.failures, 120);
      expect(
        violations,
        `${violations.length} kinds of contract violation in ${result.sent} requests (seed ${SEED})`,
      ).toEqual([]);
    },
    TIME_LIMIT_MS,
  );
});
