// POST …/events/batch (docs/api.md, "Batch ingest"): each event taken or refused on its own, one result per
// event in order, a malformed batch stores nothing, one storage transaction for the batch.
import { afterEach, describe, expect, it, vi } from "vitest";
import { WorkspaceHistory } from "../../src/history/object";
import { BATCH_LIMITS, MAX_EVENT_BYTES } from "../../src/limits";
import {
  call,
  contactEvent,
  countRows,
  createDestination,
  createWorkspace,
  ingest,
  json,
  type Workspace,
} from "../support/helpers";

afterEach(() => vi.restoreAllMocks());

type Result = {
  event_id: string | null;
  status: string;
  delivery_count: number;
  errors?: { field: string }[];
};

const batch = (ws: Workspace, body: unknown) =>
  call(`/v1/workspaces/${ws.uuid}/events/batch`, { method: "POST", auth: ws.auth, body });
const eventsOf = (ws: Workspace) => countRows("events", "workspace_uuid = ?", ws.uuid);

describe("POST …/events/batch", () => {
  it("takes or refuses each event on its own and answers one result per event, in order", async () => {
    const ws = await createWorkspace();
    await createDestination(ws);
    await createDestination(ws, { name: "second" });
    expect((await ingest(ws, contactEvent({ id: "seen-before" }))).status).toBe(202);

    const response = await batch(ws, {
      events: [
        contactEvent({ id: "b-1" }),
        { type: "contact.nope", contact: { _id: "x" } },
        contactEvent(),
        contactEvent({ id: "seen-before" }),
        contactEvent({ id: "b-1" }),
        contactEvent({ id: "b-6", extra: true }),
        "not an event",
      ],
    });
    expect(response.status).toBe(202);
    const { results } = await json<{ results: Result[] }>(response);
    expect(results.map((r) => [r.event_id, r.status, r.delivery_count])).toEqual([
      ["b-1", "accepted", 2],
      [null, "rejected", 0],
      [expect.stringMatching(/^evt_/), "accepted", 2],
      ["seen-before", "duplicate", 2],
      ["b-1", "duplicate", 2],
      ["b-6", "rejected", 0],
      [null, "rejected", 0],
    ]);
    expect(results[1]?.errors?.map((e) => e.field)).toEqual(["type"]);
    expect(results[5]?.errors?.map((e) => e.field)).toEqual(["extra"]);
    expect(results[0]?.errors).toBeUndefined();
    // seen-before, b-1 and the one without an id.
    expect(await eventsOf(ws)).toBe(3);
    expect(await countRows("deliveries", "event_id = ?", "b-1")).toBe(2);
  });

  it("stores the whole batch in one call to the history object (one transaction)", async () => {
    const ws = await createWorkspace();
    await createDestination(ws);
    const store = vi.spyOn(WorkspaceHistory.prototype, "store");
    const events = Array.from({ length: 50 }, (_, i) => contactEvent({ id: `one-txn-${i}` }));
    expect((await batch(ws, { events })).status).toBe(202);
    expect(await eventsOf(ws)).toBe(50);
    // The objects run in the test's isolate, so the spy sees their calls.
    expect(store).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["no events", { events: [] }, "events"],
    [
      "too many events",
      { events: Array.from({ length: BATCH_LIMITS.events + 1 }, () => contactEvent()) },
      "events",
    ],
    ["not a list", { events: contactEvent() }, "events"],
    ["an unknown field", { events: [contactEvent()], more: 1 }, "more"],
    ["not an object", [contactEvent()], "(body)"],
  ])(
    "refuses a malformed batch (%s) with a 400 naming the field and stores nothing",
    async (_, body, field) => {
      const ws = await createWorkspace();
      await createDestination(ws);
      const response = await batch(ws, body);
      expect(response.status).toBe(400);
      const problem = await json<{ errors: { field: string }[] }>(response);
      expect(problem.errors.map((e) => e.field)).toContain(field);
      expect(await eventsOf(ws)).toBe(0);
    },
  );

  it("takes up to 1 MiB, refuses an event over 64 KiB on its own, and a larger body with a 413", async () => {
    const ws = await createWorkspace();
    const big = (bytes: number) =>
      contactEvent({ contact: { _id: "c", attributes: { note: "x".repeat(bytes) } } });
    const over = await batch(ws, { events: [big(MAX_EVENT_BYTES), contactEvent({ id: "small" })] });
    expect(over.status).toBe(202);
    const { results } = await json<{ results: Result[] }>(over);
    expect(results.map((r) => r.status)).toEqual(["rejected", "accepted"]);
    expect(await eventsOf(ws)).toBe(1);

    const nearly = Array.from({ length: 20 }, () => big(40_000));
    expect((await batch(ws, { events: nearly })).status).toBe(202);
    const tooLarge = await batch(ws, { events: Array.from({ length: 30 }, () => big(40_000)) });
    expect(tooLarge.status).toBe(413);
    expect(await eventsOf(ws)).toBe(21);
  });

  it("refuses the events that would take the batch past its fan-out bound, and stores the rest", async () => {
    const ws = await createWorkspace();
    // A bound of 5 stands for 10,000 (its getter is replaced for this test only).
    vi.spyOn(BATCH_LIMITS as { deliveries: number }, "deliveries", "get").mockReturnValue(5);
    for (const name of ["a", "b"]) await createDestination(ws, { name });
    const response = await batch(ws, { events: [1, 2, 3].map((i) => contactEvent({ id: `fan-${i}` })) });
    const { results } = await json<{ results: Result[] }>(response);
    expect(results.map((r) => r.status)).toEqual(["accepted", "accepted", "rejected"]);
    expect(results[2]?.errors?.[0]?.field).toBe("(body)");
    expect(await eventsOf(ws)).toBe(2);
  });

  it("needs the workspace's key and answers 404 for another workspace", async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace("Other");
    const response = await call(`/v1/workspaces/${other.uuid}/events/batch`, {
      method: "POST",
      auth: ws.auth,
      body: { events: [contactEvent()] },
    });
    expect(response.status).toBe(404);
    expect(await eventsOf(other)).toBe(0);
    const anonymous = await call(`/v1/workspaces/${ws.uuid}/events/batch`, {
      method: "POST",
      body: { events: [] },
    });
    expect(anonymous.status).toBe(401);
  });
});
