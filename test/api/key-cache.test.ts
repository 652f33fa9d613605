// API keys are cached per isolate for KEY_CACHE_TTL_MS: a workspace request costs no D1 round trip for
// its key, and a revoked key stops working within that bound (at once where it was revoked).
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { database } from "../../src/db/client";
import { KEY_CACHE_TTL_MS } from "../../src/limits";
import { lookupActiveKey } from "../../src/workspaces/key-cache";
import { call, createWorkspace, json, OPERATOR } from "../support/helpers";

const revokeBehindTheCache = (key: string) =>
  env.DB.prepare(
    "UPDATE api_keys SET revoked_at = 1 WHERE key_hash = (SELECT key_hash FROM api_keys WHERE id = ?)",
  )
    .bind(key)
    .run();

describe("the API key cache", () => {
  it("looks a key up once, then answers from memory until the TTL ends", async () => {
    const ws = await createWorkspace();
    const db = database(env.DB);
    const prepare = vi.spyOn(env.DB, "prepare");
    const t0 = Date.now();
    const first = await lookupActiveKey(db, ws.key, t0);
    expect(first?.workspaceUuid).toBe(ws.uuid);
    const lookups = prepare.mock.calls.length;
    expect(lookups).toBeGreaterThan(0);
    expect(await lookupActiveKey(db, ws.key, t0 + 1000)).toEqual(first);
    expect(prepare.mock.calls.length).toBe(lookups);
    prepare.mockRestore();
  });

  it(`a key revoked by another isolate stops working within ${KEY_CACHE_TTL_MS / 1000} s`, async () => {
    const ws = await createWorkspace();
    const db = database(env.DB);
    const t0 = Date.now();
    const key = await lookupActiveKey(db, ws.key, t0);
    expect(key).not.toBeNull();
    await revokeBehindTheCache(key?.id ?? "");
    // Still in this isolate's memory: the stated bound, not a bug.
    expect(await lookupActiveKey(db, ws.key, t0 + KEY_CACHE_TTL_MS - 1)).toEqual(key);
    expect(await lookupActiveKey(db, ws.key, t0 + KEY_CACHE_TTL_MS)).toBeNull();
  });

  it("a key revoked through the API stops working at once where it was revoked", async () => {
    const ws = await createWorkspace();
    const issued = await json<{ id: string; api_key: string }>(
      await call(`/v1/workspaces/${ws.uuid}/api-keys`, { method: "POST", auth: OPERATOR }),
    );
    const list = `/v1/workspaces/${ws.uuid}/destinations`;
    expect((await call(list, { auth: `Bearer ${issued.api_key}` })).status).toBe(200);
    const revoked = await call(`/v1/workspaces/${ws.uuid}/api-keys/${issued.id}`, {
      method: "DELETE",
      auth: OPERATOR,
    });
    expect(revoked.status).toBe(204);
    expect((await call(list, { auth: `Bearer ${issued.api_key}` })).status).toBe(401);
  });

  it("never caches an invalid key", async () => {
    const db = database(env.DB);
    const prepare = vi.spyOn(env.DB, "prepare");
    expect(await lookupActiveKey(db, "lpk_not_a_key")).toBeNull();
    expect(await lookupActiveKey(db, "lpk_not_a_key")).toBeNull();
    expect(prepare.mock.calls.length).toBe(2);
    prepare.mockRestore();
  });
});
