import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptSecret } from "../../src/secrets/at-rest";
import {
  call,
  createDestination,
  createWorkspace,
  type DestinationJson,
  json,
  type RotatedSecretJson,
} from "../support/helpers";

type Rotated = RotatedSecretJson;

async function storedRow(id: string) {
  const row = await env.DB.prepare("SELECT * FROM destinations WHERE id = ?")
    .bind(id)
    .first<Record<string, string | number | null>>();
  if (!row) throw new Error("row missing");
  return row;
}

describe("secret rotation", () => {
  it("returns a new secret once, advances the version, and GET shows only the new hint", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const path = `/v1/workspaces/${ws.uuid}/destinations/${dest.id}`;
    const response = await call(`${path}/rotate-secret`, { method: "POST", auth: ws.auth });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const rotated = await json<Rotated>(response);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(dest.secret);
    expect(rotated.secret_version).toBe(2);
    expect(rotated.previous_secret_expires_at).toBeNull();

    const read = await json<DestinationJson>(await call(path, { auth: ws.auth }));
    expect(read.secret_hint).toBe(`whsec_…${rotated.secret.slice(-4)}`);
    expect(read.secret_version).toBe(2);
    const row = await storedRow(dest.id);
    expect(await decryptSecret(env.SECRET_ENCRYPTION_KEY, dest.id, String(row.secret_ciphertext))).toBe(
      rotated.secret,
    );
    expect(row.previous_secret_ciphertext).toBeNull();
    expect(JSON.stringify(row)).not.toContain(rotated.secret.slice(6));
  });

  it("with a grace period keeps the previous secret, encrypted, until it expires", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const before = Date.now();
    const rotated = await json<Rotated>(
      await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/rotate-secret`, {
        method: "POST",
        auth: ws.auth,
        body: { grace_seconds: 3600 },
      }),
    );
    const expires = Date.parse(rotated.previous_secret_expires_at ?? "");
    expect(expires).toBeGreaterThanOrEqual(before + 3600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);
    const row = await storedRow(dest.id);
    expect(
      await decryptSecret(env.SECRET_ENCRYPTION_KEY, dest.id, String(row.previous_secret_ciphertext)),
    ).toBe(dest.secret);
    expect(JSON.stringify(row)).not.toContain(dest.secret.slice(6));
    const read = await json<DestinationJson>(
      await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, { auth: ws.auth }),
    );
    expect(read.previous_secret_expires_at).toBe(rotated.previous_secret_expires_at);
  });

  it.each([
    [{ grace_seconds: -1 }, "grace_seconds"],
    [{ grace_seconds: 604_801 }, "grace_seconds"],
    [{ grace_seconds: 1.5 }, "grace_seconds"],
    [{ grace_seconds: "60" }, "grace_seconds"],
    [{ grace: 60 }, "grace"],
  ])("rejects %j with 400 and rotates nothing", async (body, field) => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/rotate-secret`, {
      method: "POST",
      auth: ws.auth,
      body,
    });
    expect(response.status).toBe(400);
    expect((await json<{ errors: { field: string }[] }>(response)).errors[0]?.field).toBe(field);
    expect((await storedRow(dest.id)).secret_version).toBe(1);
  });

  it("applies 25 concurrent rotations one at a time: 25 distinct secrets, version +25, last one stored", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const path = `/v1/workspaces/${ws.uuid}/destinations/${dest.id}/rotate-secret`;
    const responses = await Promise.all(
      Array.from({ length: 25 }, () =>
        call(path, { method: "POST", auth: ws.auth, body: { grace_seconds: 60 } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(200));
    const results = await Promise.all(responses.map((r) => json<Rotated>(r)));
    expect(new Set(results.map((r) => r.secret)).size).toBe(25);
    expect(results.map((r) => r.secret_version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 2),
    );

    const row = await storedRow(dest.id);
    expect(row.secret_version).toBe(26);
    const last = results.find((r) => r.secret_version === 26);
    const secondLast = results.find((r) => r.secret_version === 25);
    expect(await decryptSecret(env.SECRET_ENCRYPTION_KEY, dest.id, String(row.secret_ciphertext))).toBe(
      last?.secret,
    );
    // Each rotation saw the one before it: the grace secret is the 24th rotation's, not a lost write.
    expect(
      await decryptSecret(env.SECRET_ENCRYPTION_KEY, dest.id, String(row.previous_secret_ciphertext)),
    ).toBe(secondLast?.secret);
  });

  it("the Durable Object serializes rotations called on it directly", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const stub = env.WORKSPACE.getByName(ws.uuid);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => stub.rotateSecret(ws.uuid, dest.id, 0)),
    );
    expect(new Set(results.map((r) => r?.secret_version))).toEqual(
      new Set(Array.from({ length: 10 }, (_, i) => i + 2)),
    );
    expect(await stub.rotateSecret(ws.uuid, "dst_00000000000000000000000000000000", 0)).toBeNull();
    // A workspace's object cannot rotate another workspace's destination.
    const other = await createWorkspace("Other");
    expect(await env.WORKSPACE.getByName(other.uuid).rotateSecret(other.uuid, dest.id, 0)).toBeNull();
  });
});
