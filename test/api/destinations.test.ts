import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptSecret } from "../../src/secrets/at-rest";
import {
  call,
  countRows,
  createDestination,
  createWorkspace,
  type DestinationJson,
  json,
} from "../support/helpers";

type Page = { data: DestinationJson[]; next_cursor: string | null };

describe("destinations CRUD", () => {
  it("creates a destination with every field and defaults, and reads it back without the secret", async () => {
    const ws = await createWorkspace();
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
      method: "POST",
      auth: ws.auth,
      body: {
        name: "  Data Warehouse Events  ",
        method: "PUT",
        url_template: "https://example.com/contacts/{{ contact._id }}/events",
        headers_template: [
          { key: "Authorization", value: "Bearer your-token" },
          { key: "X-Contact", value: "{{ contact.attributes.email }}" },
        ],
        query_template: [
          { key: "event", value: "{{ event.type }}" },
          { key: "workspace", value: "{{ workspace.uuid }}" },
        ],
        body_template: '{ "event": "{{ event.type }}" }',
        event_types: ["contact.updated", "contact.created"],
      },
    });
    expect(response.status).toBe(201);
    const created = await json<DestinationJson & { secret: string }>(response);
    expect(response.headers.get("location")).toBe(`/v1/workspaces/${ws.uuid}/destinations/${created.id}`);
    expect(created).toMatchObject({
      name: "Data Warehouse Events",
      enabled: true,
      method: "PUT",
      timeout_seconds: 10,
      event_types: ["contact.created", "contact.updated"],
      headers_template: [
        { key: "Authorization", value: "Bearer your-token" },
        { key: "X-Contact", value: "{{ contact.attributes.email }}" },
      ],
      query_template: [
        { key: "event", value: "{{ event.type }}" },
        { key: "workspace", value: "{{ workspace.uuid }}" },
      ],
      secret_version: 1,
    });
    expect(created.id).toMatch(/^dst_[0-9a-f]{32}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.secret_hint).toBe(`whsec_…${created.secret.slice(-4)}`);

    const read = await json<DestinationJson>(
      await call(`/v1/workspaces/${ws.uuid}/destinations/${created.id}`, { auth: ws.auth }),
    );
    const { secret, ...withoutSecret } = created;
    expect(read).toEqual(withoutSecret);
    expect(read).not.toHaveProperty("secret");
  });

  it("never returns the secret from GET or list, and stores no plaintext at rest", async () => {
    const ws = await createWorkspace();
    const created = await createDestination(ws);
    const list = await call(`/v1/workspaces/${ws.uuid}/destinations`, { auth: ws.auth });
    const one = await call(`/v1/workspaces/${ws.uuid}/destinations/${created.id}`, { auth: ws.auth });
    const rawSecretBody = created.secret.slice("whsec_".length);
    for (const text of [await list.text(), await one.text()]) {
      expect(text).not.toContain(rawSecretBody);
      expect(text).not.toContain('"secret"');
    }
    const row = await env.DB.prepare("SELECT * FROM destinations WHERE id = ?")
      .bind(created.id)
      .first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(rawSecretBody);
    // The ciphertext decrypts to the secret with the destination's id, and with no other id.
    const ciphertext = String(row?.secret_ciphertext);
    expect(await decryptSecret(env.SECRET_ENCRYPTION_KEY, created.id, ciphertext)).toBe(created.secret);
    await expect(decryptSecret(env.SECRET_ENCRYPTION_KEY, "dst_other", ciphertext)).rejects.toThrow();
  });

  it("paginates newest first with an opaque cursor, without repeats or gaps", async () => {
    const ws = await createWorkspace();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await createDestination(ws, { name: `d${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const page: Page = await json<Page>(
        await call(`/v1/workspaces/${ws.uuid}/destinations${query}`, { auth: ws.auth }),
      );
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((d) => d.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it.each([
    ["limit=0", "query.limit"],
    ["limit=101", "query.limit"],
    ["limit=abc", "query.limit"],
    ["cursor=not-a-cursor", "query.cursor"],
  ])("rejects a bad list query %s with 400 naming it", async (query, field) => {
    const ws = await createWorkspace();
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations?${query}`, { auth: ws.auth });
    expect(response.status).toBe(400);
    const problem = await json<{ errors: { field: string }[] }>(response);
    expect(problem.errors[0]?.field).toBe(field);
  });

  it("PATCH changes only the fields sent", async () => {
    const ws = await createWorkspace();
    const created = await createDestination(ws);
    const path = `/v1/workspaces/${ws.uuid}/destinations/${created.id}`;
    const response = await call(path, {
      method: "PATCH",
      auth: ws.auth,
      body: { name: "Renamed", timeout_seconds: 30 },
    });
    expect(response.status).toBe(200);
    const updated = await json<DestinationJson>(response);
    const { secret, ...before } = created;
    expect(updated).toEqual({
      ...before,
      name: "Renamed",
      timeout_seconds: 30,
      updated_at: updated.updated_at,
    });
    expect(updated).not.toHaveProperty("secret");

    const subs = await call(path, {
      method: "PATCH",
      auth: ws.auth,
      body: { event_types: ["contact.deleted"], body_template: "" },
    });
    const after = await json<DestinationJson>(subs);
    expect(after.event_types).toEqual(["contact.deleted"]);
    expect(after.body_template).toBeNull();
    expect(await countRows("destination_event_types", "destination_id = ?", created.id)).toBe(1);
  });

  it("disable and enable keep the configuration intact", async () => {
    const ws = await createWorkspace();
    const created = await createDestination(ws);
    const path = `/v1/workspaces/${ws.uuid}/destinations/${created.id}`;
    const disabled = await json<DestinationJson>(
      await call(path, { method: "PATCH", auth: ws.auth, body: { enabled: false } }),
    );
    expect(disabled.enabled).toBe(false);
    const enabled = await json<DestinationJson>(
      await call(path, { method: "PATCH", auth: ws.auth, body: { enabled: true } }),
    );
    const { secret, ...before } = created;
    expect(enabled).toEqual({ ...before, updated_at: enabled.updated_at });
  });

  it("DELETE removes the destination and its subscriptions through the schema's cascade", async () => {
    const ws = await createWorkspace();
    const keep = await createDestination(ws);
    const gone = await createDestination(ws);
    expect(await countRows("destination_event_types", "destination_id = ?", gone.id)).toBe(2);
    const path = `/v1/workspaces/${ws.uuid}/destinations/${gone.id}`;
    expect((await call(path, { method: "DELETE", auth: ws.auth })).status).toBe(204);
    expect((await call(path, { auth: ws.auth })).status).toBe(404);
    expect((await call(path, { method: "DELETE", auth: ws.auth })).status).toBe(404);
    expect(await countRows("destination_event_types", "destination_id = ?", gone.id)).toBe(0);
    expect(await countRows("destination_event_types", "destination_id = ?", keep.id)).toBe(2);
  });

  it("the database itself cascades: deleting a destination row by SQL removes its subscriptions", async () => {
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    await env.DB.prepare("DELETE FROM destinations WHERE id = ?").bind(dest.id).run();
    expect(await countRows("destination_event_types", "destination_id = ?", dest.id)).toBe(0);
  });

  it("answers 404 for ids that are malformed or unknown", async () => {
    const ws = await createWorkspace();
    for (const id of ["nope", "dst_00000000000000000000000000000000", "../../x"]) {
      const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${id}`, { auth: ws.auth });
      expect(response.status, id).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("serves the OpenAPI document and the health check", async () => {
    const doc = await json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: Record<string, Record<string, unknown>>;
    }>(await call("/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/workspaces",
        "/v1/workspaces/{ws}/destinations",
        "/v1/workspaces/{ws}/destinations/{id}",
        "/v1/workspaces/{ws}/destinations/{id}/rotate-secret",
        "/v1/workspaces/{ws}/destinations/{id}/test",
        "/v1/workspaces/{ws}/destinations/{id}/preview",
        "/v1/workspaces/{ws}/destinations/{id}/deliveries",
        "/v1/workspaces/{ws}/deliveries/{delivery_id}",
        "/v1/workspaces/{ws}/deliveries/{delivery_id}/redeliver",
        "/v1/workspaces/{ws}/events",
        "/v1/event-types",
        "/healthz",
      ]),
    );
    // Generated from the validating schemas: the limits the routes enforce appear in the document.
    const create = doc.components.schemas?.DestinationCreate as {
      properties: Record<string, Record<string, unknown>>;
      additionalProperties: unknown;
    };
    expect(create.properties.timeout_seconds).toMatchObject({ minimum: 1, maximum: 30, default: 10 });
    expect(create.properties.url_template).toMatchObject({ maxLength: 2048 });
    expect(create.additionalProperties).toBe(false);
    expect(await json(await call("/healthz"))).toEqual({ status: "ok" });
    const catalog = await json<{ data: { type: string }[] }>(await call("/v1/event-types"));
    expect(catalog.data.map((t) => t.type)).toContain("contact.subscribed");
  });
});
