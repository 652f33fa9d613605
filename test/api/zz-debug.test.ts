import { afterEach, expect, it, vi } from "vitest";
import { call, createDestination, createWorkspace, json } from "../support/helpers";
import { seedDeliveries, setHealth } from "../support/history";

afterEach(() => vi.restoreAllMocks());
it("debug big recovery", async () => {
  const ws = await createWorkspace();
  const d = await createDestination(ws);
  await setHealth(d.id, { send_path: "direct" });
  const now = Date.now();
  const t0 = Date.now();
  await seedDeliveries(
    ws.uuid,
    d.id,
    { id: "evt-x" },
    Array.from({ length: 20000 }, (_, i) => ({
      createdAt: now - 3600_000 + i,
      status: "failed",
      attemptsMade: 8,
      nextAttemptAt: null,
      updatedAt: now - 3600_000,
    })),
  );
  console.log("seeded", Date.now() - t0);
  let n = 0;
  vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
    n++;
    return new Response("ok");
  });
  const r = await call(`/v1/workspaces/${ws.uuid}/destinations/${d.id}/recover`, {
    method: "POST",
    auth: ws.auth,
    body: { since: new Date(Date.now() - 86400_000).toISOString() },
  });
  const started = await json<{ id: string }>(r);
  console.log("started", r.status, Date.now() - t0);
  const marks: string[] = [];
  await vi.waitFor(
    async () => {
      const p = await json<{ sent: number; status: string }>(
        await call(`/v1/workspaces/${ws.uuid}/destinations/${d.id}/recoveries/${started.id}`, {
          auth: ws.auth,
        }),
      );
      marks.push(`${Date.now() - t0}:${p.sent}:${n}`);
      expect(n).toBe(20000);
    },
    { timeout: 60_000, interval: 250 },
  );
  console.log("marks", marks.join(" "));
}, 90_000);
