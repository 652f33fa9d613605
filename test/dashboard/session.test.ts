// The dashboard's session store: only a hash of the cookie token is kept; a session expires when
// idle and at its absolute end; each workspace stays only while the API key that proved it is valid.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  addWorkspace,
  createSession,
  findApiKey,
  loadSession,
  revokeSession,
} from "../../src/dashboard/session";
import { database } from "../../src/db/client";
import { sha256Hex } from "../../src/encoding";
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from "../../src/limits";
import { call, createWorkspace, json, OPERATOR } from "../support/helpers";

const db = () => database(env.DB);

async function proofOf(key: string) {
  const found = await findApiKey(db(), key);
  if (!found) throw new Error("key not found");
  return { workspaceUuid: found.workspaceUuid, apiKeyId: found.id };
}

async function issueKey(uuid: string) {
  const response = await call(`/v1/workspaces/${uuid}/api-keys`, { method: "POST", auth: OPERATOR });
  return json<{ id: string; api_key: string }>(response);
}

const revokeKey = (uuid: string, id: string) =>
  call(`/v1/workspaces/${uuid}/api-keys/${id}`, { method: "DELETE", auth: OPERATOR });

describe("dashboard sessions", () => {
  it("stores only the SHA-256 of a random 256-bit token", async () => {
    const ws = await createWorkspace();
    const { token } = await createSession(db(), await proofOf(ws.key));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await env.DB.prepare("SELECT * FROM dashboard_sessions WHERE token_hash = ?")
      .bind(await sha256Hex(token))
      .all();
    expect(rows.results).toHaveLength(1);
    const everything = JSON.stringify(
      (await env.DB.prepare("SELECT * FROM dashboard_sessions").all()).results,
    );
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(ws.key);
  });

  it("loads a live session with its workspaces; an unknown token is no session", async () => {
    const ws = await createWorkspace("Acme");
    const { token } = await createSession(db(), await proofOf(ws.key));
    const session = await loadSession(db(), token);
    expect(session?.workspaces).toEqual([{ uuid: ws.uuid, name: "Acme" }]);
    expect(session?.currentWorkspaceUuid).toBe(ws.uuid);
    expect(await loadSession(db(), `${token}x`)).toBeNull();
  });

  it("ends after 12 hours idle and 7 days after sign-in, whatever the activity", async () => {
    const ws = await createWorkspace();
    const start = Date.now();
    const { token } = await createSession(db(), await proofOf(ws.key), start);
    expect(await loadSession(db(), token, start + IDLE_TIMEOUT_MS + 1)).toBeNull();
    // Active every 11 hours: still alive just before the absolute end, gone after it.
    for (let t = start + 11 * 3600_000; t < start + ABSOLUTE_TIMEOUT_MS; t += 11 * 3600_000) {
      expect(await loadSession(db(), token, t), `at +${(t - start) / 3600_000} h`).not.toBeNull();
    }
    expect(await loadSession(db(), token, start + ABSOLUTE_TIMEOUT_MS + 1)).toBeNull();
  });

  it("is worth nothing once revoked", async () => {
    const ws = await createWorkspace();
    const { token } = await createSession(db(), await proofOf(ws.key));
    const session = await loadSession(db(), token);
    await revokeSession(db(), session?.id ?? "");
    expect(await loadSession(db(), token)).toBeNull();
  });

  it("adds a workspace under a new token; the old token stops working", async () => {
    const a = await createWorkspace("A");
    const b = await createWorkspace("B");
    const { token } = await createSession(db(), await proofOf(a.key));
    const session = await loadSession(db(), token);
    const next = await addWorkspace(db(), session?.id ?? "", await proofOf(b.key));
    expect(await loadSession(db(), token)).toBeNull();
    const grown = await loadSession(db(), next);
    expect(grown?.workspaces.map((w) => w.name)).toEqual(["A", "B"]);
    expect(grown?.currentWorkspaceUuid).toBe(b.uuid);
  });

  it("drops a workspace as soon as the API key that proved it is revoked", async () => {
    const a = await createWorkspace("A");
    const b = await createWorkspace("B");
    const bKey = await issueKey(b.uuid);
    const { token } = await createSession(db(), await proofOf(a.key));
    const session = await loadSession(db(), token);
    const next = await addWorkspace(db(), session?.id ?? "", await proofOf(bKey.api_key));
    expect((await revokeKey(b.uuid, bKey.id)).status).toBe(204);
    expect((await loadSession(db(), next))?.workspaces.map((w) => w.name)).toEqual(["A"]);
    expect(await findApiKey(db(), bKey.api_key)).toBeNull();
  });

  it("sweeps expired sessions when a new one starts", async () => {
    const ws = await createWorkspace();
    const longAgo = Date.now() - ABSOLUTE_TIMEOUT_MS - 60_000;
    const { token } = await createSession(db(), await proofOf(ws.key), longAgo);
    const hash = await sha256Hex(token);
    await createSession(db(), await proofOf(ws.key));
    const left = await env.DB.prepare("SELECT count(*) AS n FROM dashboard_sessions WHERE token_hash = ?")
      .bind(hash)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("takes only well-formed workspace keys", async () => {
    expect(await findApiKey(db(), "not-a-key")).toBeNull();
    expect(await findApiKey(db(), `lpk_${"x".repeat(300)}`)).toBeNull();
  });
});
