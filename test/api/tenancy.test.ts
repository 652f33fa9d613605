import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import {
  call,
  countRows,
  createDestination,
  createWorkspace,
  json,
  OPERATOR,
  validDestination,
} from "../support/helpers";

describe("operator routes", () => {
  it("creates a workspace with a first API key, storing only the key's hash", async () => {
    const response = await call("/v1/workspaces", { method: "POST", auth: OPERATOR, body: { name: "Acme" } });
    expect(response.status).toBe(201);
    const body = await json<{ uuid: string; name: string; api_key: string }>(response);
    expect(body.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.name).toBe("Acme");
    expect(body.api_key).toMatch(/^lpk_[A-Za-z0-9_-]{43}$/);
    const rows = await env.DB.prepare("SELECT * FROM api_keys WHERE workspace_uuid = ?")
      .bind(body.uuid)
      .all();
    expect(rows.results).toHaveLength(1);
    expect(JSON.stringify(rows.results)).not.toContain(body.api_key);
  });

  it.each([
    ["no token", null],
    ["a wrong token", "Bearer nope"],
    ["a workspace key", "Bearer lpk_x"],
    ["a non-bearer scheme", `Basic ${env.OPERATOR_TOKEN}`],
  ])("refuses %s with 401 and WWW-Authenticate", async (_, auth) => {
    const response = await call("/v1/workspaces", { method: "POST", auth, body: { name: "Acme" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("issues another key and revokes one; a revoked key answers 401", async () => {
    const ws = await createWorkspace();
    const issued = await call(`/v1/workspaces/${ws.uuid}/api-keys`, { method: "POST", auth: OPERATOR });
    expect(issued.status).toBe(201);
    const { id, api_key } = await json<{ id: string; api_key: string }>(issued);
    const list = `/v1/workspaces/${ws.uuid}/destinations`;
    expect((await call(list, { auth: `Bearer ${api_key}` })).status).toBe(200);

    const revoke = await call(`/v1/workspaces/${ws.uuid}/api-keys/${id}`, {
      method: "DELETE",
      auth: OPERATOR,
    });
    expect(revoke.status).toBe(204);
    const after = await call(list, { auth: `Bearer ${api_key}` });
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toMatch(/^Bearer/);
    // The first key is untouched.
    expect((await call(list, { auth: ws.auth })).status).toBe(200);
    // Revoking twice, or a key of another workspace, is a 404.
    expect(
      (await call(`/v1/workspaces/${ws.uuid}/api-keys/${id}`, { method: "DELETE", auth: OPERATOR })).status,
    ).toBe(404);
    const other = await createWorkspace("Other");
    expect(
      (await call(`/v1/workspaces/${other.uuid}/api-keys/${id}`, { method: "DELETE", auth: OPERATOR }))
        .status,
    ).toBe(404);
  });

  it("answers 404 when issuing a key for a workspace that does not exist", async () => {
    const response = await call(`/v1/workspaces/${crypto.randomUUID()}/api-keys`, {
      method: "POST",
      auth: OPERATOR,
    });
    expect(response.status).toBe(404);
  });
});

describe("workspace isolation", () => {
  it.each([
    ["no header", null],
    ["an unknown key", "Bearer lpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["the operator token", OPERATOR],
    ["an empty bearer", "Bearer "],
  ])("answers 401 for %s", async (_, auth) => {
    const ws = await createWorkspace();
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations`, { auth });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 404 on every route when the key belongs to another workspace, and changes nothing", async () => {
    const a = await createWorkspace("A");
    const b = await createWorkspace("B");
    const dest = await createDestination(b);
    const base = `/v1/workspaces/${b.uuid}/destinations`;
    const attempts: [string, string, unknown?][] = [
      ["GET", base],
      ["POST", base, validDestination()],
      ["GET", `${base}/${dest.id}`],
      ["PATCH", `${base}/${dest.id}`, { name: "hijacked" }],
      ["DELETE", `${base}/${dest.id}`],
      ["POST", `${base}/${dest.id}/rotate-secret`, {}],
    ];
    for (const [method, path, body] of attempts) {
      const response = await call(path, { method, auth: a.auth, body });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    // A's key on A's workspace path, naming B's destination, is also a 404.
    for (const [method, path, body] of attempts.slice(2)) {
      const own = path.replace(b.uuid, a.uuid);
      expect((await call(own, { method, auth: a.auth, body })).status, `${method} ${own}`).toBe(404);
    }
    const stored = await json(await call(`${base}/${dest.id}`, { auth: b.auth }));
    expect(stored.name).toBe("CRM Intake");
    expect(stored.secret_version).toBe(1);
    expect(await countRows("destinations", "workspace_uuid = ?", b.uuid)).toBe(1);
    expect(await countRows("destinations", "workspace_uuid = ?", a.uuid)).toBe(0);
  });

  it("lists only the key's own workspace", async () => {
    const a = await createWorkspace("A");
    const b = await createWorkspace("B");
    await createDestination(a, { name: "mine" });
    await createDestination(b, { name: "theirs" });
    const list = await json<{ data: { name: string }[] }>(
      await call(`/v1/workspaces/${a.uuid}/destinations`, { auth: a.auth }),
    );
    expect(list.data.map((d) => d.name)).toEqual(["mine"]);
  });
});

describe("authentication cost", () => {
  it("checks the API key once per request, on every route family", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    // Each check hashes the bearer token once (the lookup itself may come from the key cache).
    const digest = vi.spyOn(crypto.subtle, "digest");
    for (const path of [
      `/v1/workspaces/${ws.uuid}/destinations`,
      `/v1/workspaces/${ws.uuid}/destinations/${dest.id}`,
      `/v1/workspaces/${ws.uuid}/destinations/${dest.id}/deliveries`,
      `/v1/workspaces/${ws.uuid}/deliveries/dlv_00000000000000000000000000000000`,
    ]) {
      digest.mockClear();
      await call(path, { auth: ws.auth });
      expect(digest.mock.calls, path).toHaveLength(1);
    }
    digest.mockRestore();
  });
});
