// Recovery in bulk inside workerd (docs/lifecycle.md): the window and status rules, one at a time, a
// disabled destination refused, isolation; and a recovery of thousands of deliveries driven by the real
// lane alarm and sent by the real queue consumer: each selected delivery sent exactly once under its own
// id with its attempts numbered on, nothing else sent, a second recovery selecting nothing.
import { afterEach, describe, expect, it, vi } from "vitest";
import { RECOVERY_CHUNK } from "../../src/limits";
import {
  call,
  countRows,
  createDestination,
  createWorkspace,
  json,
  type RecoveryJson,
  type Workspace,
} from "../support/helpers";
import { destinationHistorySql, objectSql, seedDeliveries, setHealth } from "../support/history";

afterEach(() => vi.restoreAllMocks());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Recovery = RecoveryJson;

const recover = (ws: Workspace, id: string, body: unknown) =>
  call(`/v1/workspaces/${ws.uuid}/destinations/${id}/recover`, { method: "POST", auth: ws.auth, body });
const progress = (ws: Workspace, id: string, recoveryId: string) =>
  call(`/v1/workspaces/${ws.uuid}/destinations/${id}/recoveries/${recoveryId}`, { auth: ws.auth });
const patch = (ws: Workspace, id: string, body: unknown) =>
  call(`/v1/workspaces/${ws.uuid}/destinations/${id}`, { method: "PATCH", auth: ws.auth, body });

/**
 * `count` deliveries of one stored event to the destination, created `ageMs` ago (a millisecond apart),
 * in `status` with `attempts` attempts made, last changed an hour before now.
 */
async function seed(
  ws: Workspace,
  destinationId: string,
  count: number,
  { status, ageMs, attempts = 8 }: { status: string; ageMs: number; attempts?: number },
) {
  const eventId = `evt-seed-${status}-${ageMs}-${destinationId}`;
  const created = Date.now() - ageMs;
  const payload = JSON.stringify({
    event: { id: eventId, type: "contact.created", occurred_at: new Date(created).toISOString() },
    workspace: { uuid: ws.uuid },
    contact: { _id: "ct_1", attributes: {} },
  });
  const updatedAt = Date.now() - HOUR;
  const seeds = Array.from({ length: count }, (_, i) => ({
    createdAt: created + i,
    status,
    attemptsMade: attempts,
    nextAttemptAt: null,
    statusReason: "seeded",
    updatedAt,
  }));
  await seedDeliveries(ws.uuid, destinationId, { id: eventId, payload }, seeds);
}

const statusCounts = async (destinationId: string) => {
  const counts: Record<string, number> = {};
  for (const r of await destinationHistorySql(
    destinationId,
    "SELECT status, count(*) AS n FROM deliveries WHERE destination_id = ? GROUP BY status",
    [destinationId],
  ))
    counts[String(r.status)] = (counts[String(r.status)] ?? 0) + Number(r.n);
  return counts;
};

describe("POST …/destinations/{id}/recover: the rules", () => {
  it("refuses a window wider than 14 days, an empty one, unknown statuses and fields", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws);
    const since = (ms: number) => new Date(Date.now() - ms).toISOString();
    const wide = await recover(ws, d.id, { since: since(15 * DAY) });
    expect(wide.status).toBe(422);
    expect(await json(wide)).toMatchObject({ errors: [{ field: "since" }] });
    const backwards = await recover(ws, d.id, { since: since(DAY), until: since(2 * DAY) });
    expect(backwards.status).toBe(422);
    expect((await recover(ws, d.id, { since: since(DAY), statuses: ["succeeded"] })).status).toBe(400);
    expect((await recover(ws, d.id, { since: since(DAY), statuses: [] })).status).toBe(400);
    expect((await recover(ws, d.id, { since: "yesterday" })).status).toBe(400);
    expect((await recover(ws, d.id, { since: since(DAY), bogus: 1 })).status).toBe(400);
    expect((await recover(ws, d.id, {})).status).toBe(400);
    // Exactly 14 days is allowed.
    expect((await recover(ws, d.id, { since: since(14 * DAY - 60_000) })).status).toBe(202);
    expect(await countRows("recoveries", "destination_id = ?", d.id)).toBe(1);
  });

  it("refuses a disabled destination with 409, and another workspace's with 404", async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace();
    const d = await createDestination(ws);
    const since = new Date(Date.now() - DAY).toISOString();
    expect((await recover(other, d.id, { since })).status).toBe(404);
    await patch(ws, d.id, { enabled: false });
    const refused = await recover(ws, d.id, { since });
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ type: "https://leadpush.io/problems/destination-disabled" });
    await patch(ws, d.id, { enabled: true });
    const started = await json<Recovery>(await recover(ws, d.id, { since }));
    expect((await progress(ws, d.id, started.id)).status).toBe(200);
    expect((await progress(other, d.id, started.id)).status).toBe(404);
  });

  it("runs one at a time per destination", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws);
    const second = await createDestination(ws, { name: "second" });
    // Held back from its lane, so the first stays running while the second request arrives.
    await seed(ws, d.id, 10, { status: "failed", ageMs: HOUR });
    await objectSql(
      "INSERT INTO recoveries (id, workspace_uuid, destination_id, since, until, statuses, total, created_at, updated_at) VALUES (?, ?, ?, 0, 1, '[\"failed\"]', 10, 0, 0)",
      [`rcv_${"0".repeat(32)}`, ws.uuid, d.id],
      ws.uuid,
    );
    const since = new Date(Date.now() - DAY).toISOString();
    const busy = await recover(ws, d.id, { since });
    expect(busy.status).toBe(409);
    expect((await json<{ detail: string }>(busy)).detail).toContain(`rcv_${"0".repeat(32)}`);
    // Another destination is not held up by it.
    expect((await recover(ws, second.id, { since })).status).toBe(202);
  });
});

describe("a recovery at volume", () => {
  it("re-opens and sends every selected delivery exactly once, under its own id, attempts numbered on", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws, { url_template: "https://receiver.example.com/hook" });
    const other = await createDestination(ws, {
      name: "other",
      url_template: "https://other.example.com/hook",
    });
    for (const id of [d.id, other.id]) await setHealth(id, { send_path: "direct" });
    const failed = 40 * RECOVERY_CHUNK + 137; // tens of thousands, over many chunks and alarms
    await seed(ws, d.id, failed, { status: "failed", ageMs: 6 * HOUR });
    await seed(ws, d.id, 120, { status: "skipped", ageMs: 5 * HOUR, attempts: 3 });
    await seed(ws, d.id, 80, { status: "succeeded", ageMs: 4 * HOUR, attempts: 1 });
    await seed(ws, d.id, 40, { status: "failed", ageMs: 3 * DAY }); // before the window
    await seed(ws, other.id, 50, { status: "failed", ageMs: 6 * HOUR }); // another destination's
    const selected = new Map(
      (
        await destinationHistorySql(
          d.id,
          "SELECT id, attempts_made FROM deliveries WHERE destination_id = ? AND status IN ('failed', 'skipped') AND created_at > ?",
          [d.id, Date.now() - DAY],
        )
      ).map((r) => [String(r.id), Number(r.attempts_made)]),
    );
    expect(selected.size).toBe(failed + 120);

    const sent = new Map<string, number>();
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const id = new Request(input, init).headers.get("x-leadpush-id") ?? "?";
      sent.set(id, (sent.get(id) ?? 0) + 1);
      return new Response("ok");
    });
    const response = await recover(ws, d.id, { since: new Date(Date.now() - DAY).toISOString() });
    expect(response.status).toBe(202);
    const started = await json<Recovery>(response);
    expect(started).toMatchObject({ status: "running", total: selected.size, sent: 0 });
    // Overlapping: a second request while it runs is refused, so no delivery is taken twice.
    expect((await recover(ws, d.id, { since: new Date(Date.now() - 2 * DAY).toISOString() })).status).toBe(
      409,
    );

    await vi.waitFor(
      async () => {
        const now = await json<Recovery>(await progress(ws, d.id, started.id));
        expect(now).toMatchObject({ status: "finished", sent: selected.size });
      },
      { timeout: 20_000, interval: 100 },
    );
    await vi.waitFor(async () => expect(sent.size).toBe(selected.size), { timeout: 30_000, interval: 100 });
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    expect([...sent.keys()].every((id) => selected.has(id))).toBe(true);
    await vi.waitFor(
      async () => expect(await statusCounts(d.id)).toEqual({ succeeded: 80 + selected.size, failed: 40 }),
      { timeout: 10_000, interval: 100 },
    );
    expect(await statusCounts(other.id)).toEqual({ failed: 50 });
    // Each attempt continues its delivery's numbering.
    const numbers = (await destinationHistorySql(
      d.id,
      "SELECT a.delivery_id AS id, a.number FROM attempts AS a JOIN deliveries AS d ON d.id = a.delivery_id WHERE d.destination_id = ?",
      [d.id],
    )) as { id: string; number: number }[];
    expect(numbers).toHaveLength(selected.size);
    expect(numbers.every((a) => a.number === (selected.get(a.id) ?? -1) + 1)).toBe(true);

    // What succeeded is not selected again.
    const again = await json<Recovery>(
      await recover(ws, d.id, { since: new Date(Date.now() - DAY).toISOString() }),
    );
    expect(again).toMatchObject({ status: "finished", total: 0, sent: 0 });
  }, 60_000);

  it("obeys the destination's rate limit", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws, { rate_limit_per_second: 20 });
    await seed(ws, d.id, 60, { status: "failed", ageMs: HOUR });
    const times: number[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
      times.push(Date.now());
      return new Response("ok");
    });
    expect((await recover(ws, d.id, { since: new Date(Date.now() - DAY).toISOString() })).status).toBe(202);
    await vi.waitFor(() => expect(times).toHaveLength(60), { timeout: 10_000, interval: 50 });
    // A bucket of 20 spent at once, then 20 a second: the last 40 take two seconds.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1_800);
    for (const t of times)
      expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(40);
  });

  it("stops, cancelled, when the destination is disabled while it runs", async () => {
    const ws = await createWorkspace();
    const d = await createDestination(ws);
    await seed(ws, d.id, 3 * RECOVERY_CHUNK, { status: "failed", ageMs: HOUR });
    // Nothing may be sent: the lane's first step finds the destination disabled.
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const started = await json<Recovery>(
      await recover(ws, d.id, { since: new Date(Date.now() - DAY).toISOString() }),
    );
    await patch(ws, d.id, { enabled: false });
    await vi.waitFor(
      async () =>
        expect((await json<Recovery>(await progress(ws, d.id, started.id))).status).toBe("cancelled"),
      { timeout: 10_000, interval: 50 },
    );
    const done = await json<Recovery>(await progress(ws, d.id, started.id));
    expect(done.reason).toMatch(/disabled/);
    expect(done.sent).toBeLessThan(3 * RECOVERY_CHUNK);
  });
});
