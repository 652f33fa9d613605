// A stored event read back with why each destination did or did not get it, and replayed
// (docs/lifecycle.md): every reason, paging, isolation, and replays that make new, signed deliveries.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  call,
  contactEvent,
  countRows,
  createDestination,
  createWorkspace,
  ingest,
  json,
  receiver,
  verifySignature,
  type Workspace,
} from "../support/helpers";
import { objectRow, setHealth } from "../support/history";

afterEach(() => vi.restoreAllMocks());

type Verdict = {
  id: string;
  name: string;
  deliveries: { id: string }[];
  reason: string | null;
  detail: string | null;
};
type Explained = { event: { id: string; type: string }; destinations: Verdict[]; next_cursor: string | null };

const eventPath = (ws: Workspace, id: string) => `/v1/workspaces/${ws.uuid}/events/${encodeURIComponent(id)}`;
const read = (ws: Workspace, id: string, query = "") =>
  call(`${eventPath(ws, id)}${query}`, { auth: ws.auth });
const replay = (ws: Workspace, id: string, body?: unknown) =>
  call(`${eventPath(ws, id)}/replay`, { method: "POST", auth: ws.auth, body });
const patch = (ws: Workspace, id: string, body: unknown) =>
  call(`/v1/workspaces/${ws.uuid}/destinations/${id}`, { method: "PATCH", auth: ws.auth, body });

const byName = (explained: Explained) => new Map(explained.destinations.map((d) => [d.name, d]));

describe("GET …/events/{event_id}", () => {
  it("says, for every destination, its deliveries or why it has none", async () => {
    const ws = await createWorkspace();
    await createDestination(ws, { name: "gets it" });
    await createDestination(ws, { name: "other type", event_types: ["contact.deleted"] });
    const off = await createDestination(ws, { name: "off" });
    await patch(ws, off.id, { enabled: false });
    await createDestination(ws, { name: "filtered", filter: { "contact.attributes.plan": "pro" } });
    const later = await createDestination(ws, { name: "later", enabled: false });
    await patch(ws, later.id, { enabled: true });

    // Subscribed to the type only after the event arrived.
    const subscribedLater = await createDestination(ws, {
      name: "subscribed later",
      event_types: ["contact.deleted"],
    });
    expect((await ingest(ws, contactEvent({ id: "evt-why-1" }))).status).toBe(202);
    await createDestination(ws, { name: "created after" });
    await patch(ws, subscribedLater.id, { event_types: ["contact.created"] });

    const explained = await json<Explained>(await read(ws, "evt-why-1"));
    expect(explained.event).toMatchObject({ id: "evt-why-1", type: "contact.created" });
    const verdicts = byName(explained);
    expect(verdicts.get("gets it")).toMatchObject({ reason: null, detail: null });
    expect(verdicts.get("gets it")?.deliveries).toHaveLength(1);
    expect(verdicts.get("other type")).toMatchObject({ reason: "not_subscribed", deliveries: [] });
    expect(verdicts.get("off")).toMatchObject({ reason: "disabled", deliveries: [] });
    expect(verdicts.get("filtered")).toMatchObject({
      reason: "filtered_out",
      detail: "filter.contact.attributes.plan",
    });
    expect(verdicts.get("later")?.deliveries).toHaveLength(1);
    expect(verdicts.get("subscribed later")).toMatchObject({ reason: "changed_since", deliveries: [] });
    expect(verdicts.get("created after")).toMatchObject({ reason: "created_after", deliveries: [] });
    expect(explained.destinations).toHaveLength(7);
  });

  it("names the destination an operational event is about as never receiving it", async () => {
    const ws = await createWorkspace();
    const subject = await createDestination(ws, {
      name: "subject",
      event_types: ["contact.created", "destination.disabled"],
    });
    await createDestination(ws, { name: "alerts", event_types: ["destination.disabled"] });
    await patch(ws, subject.id, { enabled: false });
    const stored = await objectRow<{ id: string }>(
      "SELECT id FROM events WHERE workspace_uuid = ? AND type = 'destination.disabled'",
      [ws.uuid],
    );
    const verdicts = byName(await json<Explained>(await read(ws, stored?.id ?? "")));
    expect(verdicts.get("subject")?.reason).toBe("about_itself");
    expect(verdicts.get("alerts")?.deliveries).toHaveLength(1);
  });

  it("pages the destinations by id", async () => {
    const ws = await createWorkspace();
    for (let i = 0; i < 5; i++) await createDestination(ws, { name: `d${i}` });
    await ingest(ws, contactEvent({ id: "evt-paged" }));
    const seen: string[] = [];
    let query = "?limit=2";
    for (let pages = 0; pages < 5; pages++) {
      const body = await json<Explained>(await read(ws, "evt-paged", query));
      seen.push(...body.destinations.map((d) => d.name));
      if (!body.next_cursor) break;
      query = `?limit=2&cursor=${body.next_cursor}`;
    }
    expect(seen.sort()).toEqual(["d0", "d1", "d2", "d3", "d4"]);
  });

  it("answers 404 for an unknown event and for another workspace's", async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace();
    await createDestination(ws);
    await ingest(ws, contactEvent({ id: "evt-mine" }));
    expect((await read(ws, "evt-nope")).status).toBe(404);
    expect((await read(other, "evt-mine")).status).toBe(404);
    expect((await replay(other, "evt-mine")).status).toBe(404);
    expect((await read(ws, "evt-mine")).status).toBe(200);
  });
});

describe("POST …/events/{event_id}/replay", () => {
  it("sends the stored event again as new deliveries, signed, to the subscribed destinations", async () => {
    const ws = await createWorkspace();
    const a = await createDestination(ws, { name: "a" });
    const b = await createDestination(ws, { name: "b" });
    await createDestination(ws, { name: "other type", event_types: ["contact.deleted"] });
    await createDestination(ws, { name: "filtered", filter: { "contact.attributes.plan": "pro" } });
    // Sent through the real queue to a receiver that keeps what it gets.
    const { requests, fetcher } = receiver();
    vi.spyOn(globalThis, "fetch").mockImplementation(fetcher);
    const first = await json<{ deliveries: { id: string }[] }>(
      await ingest(ws, contactEvent({ id: "evt-re" })),
    );
    await vi.waitFor(() => expect(requests.length).toBe(2), { timeout: 3000 });
    requests.length = 0;
    await patch(ws, b.id, { enabled: false });
    // On the consumer's own path (a new destination starts on its lane, which test/flow covers).
    await setHealth(a.id, { send_path: "direct" });

    const response = await replay(ws, "evt-re");
    expect(response.status).toBe(202);
    const body = await json<{
      event_id: string;
      delivery_count: number;
      deliveries: { id: string; destination_id: string; attempts_made: number }[];
    }>(response);
    expect(body.event_id).toBe("evt-re");
    expect(body.delivery_count).toBe(1);
    const [again] = body.deliveries;
    expect(again?.destination_id).toBe(a.id);
    expect(first.deliveries.map((d) => d.id)).not.toContain(again?.id);
    expect(await countRows("deliveries", "event_id = ?", "evt-re")).toBe(3);

    await vi.waitFor(() => expect(requests.length).toBeGreaterThan(0), { timeout: 3000 });
    expect(requests).toHaveLength(1);
    const sent = requests[0];
    if (!sent) throw new Error("nothing was sent");
    expect(JSON.parse(sent.body).event.id).toBe("evt-re");
    const header = (name: string) => sent.headers.get(name) ?? "";
    expect(header("x-leadpush-id")).toBe(again?.id);
    await expect(
      verifySignature(
        a.secret,
        {
          id: header("x-leadpush-id"),
          timestamp: header("x-leadpush-timestamp"),
          signature: header("x-leadpush-signature"),
        },
        sent.body,
      ),
    ).resolves.toBe(true);
  });

  it("sends to the destinations named, whatever they subscribe to, and refuses ones that cannot take it", async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace();
    const mine = await createDestination(ws, { name: "a", event_types: ["contact.deleted"] });
    const off = await createDestination(ws, { name: "off" });
    await patch(ws, off.id, { enabled: false });
    const theirs = await createDestination(other);
    await ingest(ws, contactEvent({ id: "evt-named" }));
    const before = await countRows("deliveries", "event_id = ?", "evt-named");

    const refused = await replay(ws, "evt-named", { destination_ids: [mine.id, theirs.id, off.id] });
    expect(refused.status).toBe(422);
    const problem = await json<{ errors: { field: string; detail: string }[] }>(refused);
    expect(problem.errors.map((e) => e.field)).toEqual(["destination_ids[1]", "destination_ids[2]"]);
    expect(problem.errors[1]?.detail).toMatch(/disabled/);
    expect(await countRows("deliveries", "event_id = ?", "evt-named")).toBe(before);

    const bad = await replay(ws, "evt-named", { destination_ids: ["nope"] });
    expect(bad.status).toBe(400);
    const unknownField = await replay(ws, "evt-named", { destinations: [mine.id] });
    expect(unknownField.status).toBe(400);

    const ok = await replay(ws, "evt-named", { destination_ids: [mine.id, mine.id] });
    expect(ok.status).toBe(202);
    expect((await json<{ delivery_count: number }>(ok)).delivery_count).toBe(1);
    expect(await countRows("deliveries", "event_id = ? AND destination_id = ?", "evt-named", mine.id)).toBe(
      1,
    );
  });
});
