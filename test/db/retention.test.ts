// Retention retires whole partitions (docs/storage.md): each history partition deletes itself, from its
// own alarm, once its newest record is RETENTION_DAYS old; its records then answer 404, while newer
// partitions (and a redelivery of an old event, which lives in the partition of its day) stay.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { configOf, retentionDays } from "../../src/config";
import { partitionAt, partitionEnd, partitionName } from "../../src/history/ids";
import {
  call,
  contactEvent,
  createDestination,
  createWorkspace,
  type DeliveryJson,
  ingest,
  json,
  type Workspace,
} from "../support/helpers";
import { partitionsOf } from "../support/history";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Moves every clock of this isolate (the objects' too) to `at`. */
function clockAt(at: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
}

const deliveryStatus = async (ws: Workspace, id: string) =>
  (await call(`/v1/workspaces/${ws.uuid}/deliveries/${id}`, { auth: ws.auth })).status;

/** Tables and keys an object's storage holds (nothing once it deleted itself). */
const storageOf = (name: string) =>
  runInDurableObject(env.HISTORY.getByName(name), async (_i, state) => ({
    tables: state.storage.sql
      .exec(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
      )
      .toArray().length,
    alarm: await state.storage.getAlarm(),
  }));

describe("retention", () => {
  it("reads RETENTION_DAYS, 30 by default, decimals allowed", () => {
    expect(retentionDays(env)).toBe(30);
    expect(retentionDays({ ...env, RETENTION_DAYS: "7" } as unknown as Env)).toBe(7);
    expect(retentionDays({ ...env, RETENTION_DAYS: "0.001" } as unknown as Env)).toBe(0.001);
    expect(retentionDays({ ...env, RETENTION_DAYS: "zero" } as unknown as Env)).toBe(30);
  });

  it("a partition sets its alarm for its retirement when it is first written", async () => {
    vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const ws = await createWorkspace();
    expect((await ingest(ws, contactEvent())).status).toBe(202);
    const [p] = await partitionsOf(ws.uuid);
    const { alarm } = await storageOf(partitionName(p as never));
    expect(alarm).not.toBeNull();
    expect(alarm).toBeLessThanOrEqual(partitionEnd(p as never) + configOf(env).retentionMs);
  });

  it("deletes a partition whole from its alarm once past retention; its records answer 404, newer ones stay", async () => {
    vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    const ws = await createWorkspace();
    await createDestination(ws);
    const { retentionMs, partitionSeconds } = configOf(env);
    const start = Date.now();
    const old = await json<{ deliveries: DeliveryJson[] }>(await ingest(ws, contactEvent({ id: "old-one" })));
    const oldId = old.deliveries[0]?.id as string;
    const oldPartition = partitionAt(ws.uuid, start, partitionSeconds);

    // Two partitions later: a new event, and a redelivery of the old one (a new delivery, made now).
    clockAt(partitionEnd(oldPartition) + partitionSeconds * 1000 + 1_000);
    const recent = await json<{ deliveries: DeliveryJson[] }>(
      await ingest(ws, contactEvent({ id: "recent" })),
    );
    const redelivered = await json<{ id: string }>(
      await call(`/v1/workspaces/${ws.uuid}/deliveries/${oldId}/redeliver`, {
        method: "POST",
        auth: ws.auth,
      }),
    );
    const both = await partitionsOf(ws.uuid);
    expect(both).toHaveLength(2);

    // The old partition's end plus the retention: its alarm deletes it, the newer one's leaves it be.
    clockAt(partitionEnd(oldPartition) + retentionMs + 30_000);
    for (const p of both) await runDurableObjectAlarm(env.HISTORY.getByName(partitionName(p)));
    expect(await storageOf(partitionName(oldPartition))).toEqual({ tables: 0, alarm: null });
    expect(await deliveryStatus(ws, oldId)).toBe(404);
    expect((await call(`/v1/workspaces/${ws.uuid}/events/old-one`, { auth: ws.auth })).status).toBe(200);
    expect(await deliveryStatus(ws, recent.deliveries[0]?.id as string)).toBe(200);
    expect(await deliveryStatus(ws, redelivered.id)).toBe(200);
    // The workspace forgets it too.
    expect((await partitionsOf(ws.uuid)).map(partitionName)).not.toContain(partitionName(oldPartition));
  });

  it("a retired partition takes no more writes and reads as empty", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const { retentionMs, partitionSeconds } = configOf(env);
    vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
    await ingest(ws, contactEvent({ id: "soon-gone" }));
    const p = partitionAt(ws.uuid, Date.now(), partitionSeconds);
    clockAt(partitionEnd(p) + retentionMs + 1);
    const stub = env.HISTORY.getByName(partitionName(p));
    await runDurableObjectAlarm(stub);
    // Settled here, so the RPC's rejection is never left unhandled.
    const outcome = await stub
      .store(p, [{ id: "late", type: "contact.created", payload: "{}", targets: [dest.id] }])
      .then(
        () => "stored",
        (error: unknown) => String(error),
      );
    expect(outcome).toMatch(/retired/);
    expect(await stub.event(p, "soon-gone")).toBeNull();
  });
});
