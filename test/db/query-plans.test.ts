// The hot statements stay index lookups: a plan that scans, or sorts what an index already orders, is a
// regression even when every result is still right. The statements are not copies: the test records every
// statement the history partitions run while the real paths work (ingest, the consumer, retries, reads,
// a recovery, the sweep) and asks SQLite how it runs each one, with the binds it ran with.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { HistoryView } from "../../src/history/client";
import { partitionName } from "../../src/history/ids";
import { listActivity } from "../../src/lifecycle/activity";
import { consume, knowDelivery } from "../support/consumer-helpers";
import {
  call,
  contactEvent,
  createDestination,
  createWorkspace,
  type DeliveryJson,
  ingest,
  json,
  receiver,
} from "../support/helpers";
import { partitionsOf } from "../support/history";

type Ran = { sql: string; binds: unknown[] };

/** Records every statement any Durable Object of this isolate runs while `work` runs. */
async function recordStatements(work: () => Promise<void>): Promise<Ran[]> {
  const ran: Ran[] = [];
  const probe = env.HISTORY.getByName("query-plans/probe");
  const proto = await runInDurableObject(probe, (_i, state) => Object.getPrototypeOf(state.storage.sql));
  const original = proto.exec as SqlStorage["exec"];
  function recorded(this: SqlStorage, sql: string, ...binds: SqlStorageValue[]) {
    ran.push({ sql, binds });
    return original.call(this, sql, ...binds);
  }
  const spy = vi.spyOn(proto as { exec: typeof recorded }, "exec").mockImplementation(recorded);
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return ran;
}

// What the history tables' statements may never do; the workspace object's small tables are not asked.
const HISTORY = /\b(deliveries|events|attempts)\b/;
const FORBIDDEN = /SCAN (deliveries|events|d|e)\b(?! USING)|USE TEMP B-TREE/;

describe("query plans of the history partitions", () => {
  it("every statement of ingest, consume, retry, read, recovery and sweep searches an index", async () => {
    const ws = await createWorkspace();
    const ok = await createDestination(ws, { name: "ok" });
    await createDestination(ws, { name: "down", url_template: "https://down.example.com/hook" });
    await createDestination(ws, { name: "filtered", filter: { "contact.attributes.plan": "pro" } });
    const down = receiver(
      (r) => new Response("no", { status: r.url.includes("down.example.com") ? 500 : 200 }),
    );
    vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);

    const ran = await recordStatements(async () => {
      const answer = await json<{ deliveries: DeliveryJson[] }>(
        await ingest(ws, contactEvent({ id: "plan-1" })),
      );
      for (const d of answer.deliveries) knowDelivery(d, ws.uuid);
      await consume(
        down.fetcher,
        answer.deliveries.map((d) => ({ deliveryId: d.id, attempts: 1 })),
      );
      await call(`/v1/workspaces/${ws.uuid}/events/batch`, {
        method: "POST",
        auth: ws.auth,
        body: { events: [contactEvent({ id: "plan-1" }), contactEvent({ id: "plan-2" })] },
      });
      const base = `/v1/workspaces/${ws.uuid}`;
      const first = await json<{ next_cursor: string }>(
        await call(`${base}/destinations/${ok.id}/deliveries?limit=1`, { auth: ws.auth }),
      );
      for (const path of [
        `/destinations/${ok.id}/deliveries?status=failed,pending&cursor=${first.next_cursor}`,
        `/deliveries/${answer.deliveries[0]?.id}`,
        "/events/plan-1",
      ])
        expect((await call(`${base}${path}`, { auth: ws.auth })).status).toBe(200);
      await listActivity(new HistoryView(env, ws.uuid), { limit: 20 });
      await call(`${base}/deliveries/${answer.deliveries[0]?.id}/redeliver`, {
        method: "POST",
        auth: ws.auth,
      });
      const since = new Date(Date.now() - 3_600_000).toISOString();
      await call(`${base}/destinations/${ok.id}/recover`, { method: "POST", auth: ws.auth, body: { since } });
      for (const p of await partitionsOf(ws.uuid))
        await runDurableObjectAlarm(env.HISTORY.getByName(partitionName(p)));
    });

    const statements = new Map<string, Ran>();
    for (const r of ran)
      if (HISTORY.test(r.sql) && !/^\s*(CREATE|DROP|PRAGMA)/i.test(r.sql)) statements.set(r.sql, r);
    // Enough of them to mean something: inserts, records, pages, lookups, the sweep.
    expect(statements.size).toBeGreaterThan(10);
    const [p] = await partitionsOf(ws.uuid);
    const plans = await runInDurableObject(env.HISTORY.getByName(partitionName(p as never)), (_i, state) =>
      [...statements.values()].map(({ sql, binds }) => ({
        sql,
        plan: state.storage.sql
          .exec(`EXPLAIN QUERY PLAN ${sql}`, ...(binds as SqlStorageValue[]))
          .toArray()
          .map((row) => String(row.detail))
          .join("\n"),
      })),
    );
    const bad = plans.filter((p) => FORBIDDEN.test(p.plan));
    expect(bad, bad.map((b) => `${b.sql}\n→ ${b.plan}`).join("\n\n")).toEqual([]);
  });
});
