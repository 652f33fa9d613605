// Migrations move existing data, not only the schema: 0003 rekeys events by their public id and
// rebuilds events, deliveries and attempts without losing a row (D1 enforces foreign keys, so a careless
// DROP TABLE would cascade into the children).
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";

const db = env.MIGRATION_TEST_DB;
const upTo = (last: string) => env.TEST_MIGRATIONS.filter((m) => m.name <= last);

it("0003 keeps every event, delivery and attempt, with the client's id as the event's id", async () => {
  await applyD1Migrations(db, upTo("0002_recovery_index.sql"));
  const ws = "11111111-2222-4333-8444-555555555555";
  const payload = (id: string) =>
    JSON.stringify({ event: { id, type: "contact.created" }, contact: { _id: "c" } });
  await db.batch([
    db.prepare("INSERT INTO workspaces (uuid, name, created_at) VALUES (?, 'w', 1)").bind(ws),
    db
      .prepare(
        `INSERT INTO destinations (id, workspace_uuid, name, enabled, method, url_template, headers_template,
           query_template, timeout_seconds, secret_ciphertext, secret_hint, secret_version, created_at, updated_at)
         VALUES ('dst_1', ?, 'd', 1, 'POST', 'https://example.com', '[]', '[]', 10, 'v1.x.y', 'h', 1, 1, 1)`,
      )
      .bind(ws),
    db
      .prepare(
        "INSERT INTO events (id, workspace_uuid, client_event_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?, 5)",
      )
      .bind("evt_internal_a", ws, "crm-42", "contact.created", payload("evt_internal_a")),
    db
      .prepare(
        "INSERT INTO events (id, workspace_uuid, client_event_id, type, payload, created_at) VALUES (?, ?, NULL, ?, ?, 6)",
      )
      .bind("evt_server_b", ws, "contact.created", payload("evt_server_b")),
    ...[
      ["dlv_a", "evt_internal_a"],
      ["dlv_b", "evt_server_b"],
    ].map(([id, event]) =>
      db
        .prepare(
          `INSERT INTO deliveries (id, workspace_uuid, destination_id, event_id, event_type, status, attempts_made,
             next_attempt_at, created_at, updated_at) VALUES (?, ?, 'dst_1', ?, 'contact.created', 'failed', 1, NULL, 5, 5)`,
        )
        .bind(id, ws, event),
    ),
    db.prepare(
      `INSERT INTO attempts (delivery_id, number, started_at, method, url, request_headers, duration_ms, error_class)
       VALUES ('dlv_a', 1, 5, 'POST', 'https://example.com', '[]', 3, 'http_status')`,
    ),
  ]);

  await applyD1Migrations(db, upTo("0011_operational_events_index.sql"));

  const events = await db
    .prepare("SELECT id, payload ->> '$.event.id' AS shown FROM events ORDER BY id")
    .all();
  expect(events.results).toEqual([
    { id: "crm-42", shown: "crm-42" },
    { id: "evt_server_b", shown: "evt_server_b" },
  ]);
  const deliveries = await db.prepare("SELECT id, event_id FROM deliveries ORDER BY id").all();
  expect(deliveries.results).toEqual([
    { id: "dlv_a", event_id: "crm-42" },
    { id: "dlv_b", event_id: "evt_server_b" },
  ]);
  const attempts = await db.prepare("SELECT delivery_id, number, error_class FROM attempts").all();
  expect(attempts.results).toEqual([{ delivery_id: "dlv_a", number: 1, error_class: "http_status" }]);
  // The foreign keys point at the renamed tables, and cascade as before.
  expect((await db.prepare("PRAGMA foreign_key_check").all()).results).toEqual([]);
  await db.prepare("DELETE FROM destinations WHERE id = 'dst_1'").run();
  const left = await db
    .prepare("SELECT (SELECT count(*) FROM deliveries) AS d, (SELECT count(*) FROM attempts) AS a")
    .first();
  expect(left).toEqual({ d: 0, a: 0 });
});

it("0012 leaves D1 the control plane: the history tables and the health columns go, workspaces and destinations stay", async () => {
  // The DB is migrated up to 0011 by the test above.
  const ws = "11111111-2222-4333-8444-555555555557";
  await db.batch([
    db.prepare("INSERT INTO workspaces (uuid, name, created_at) VALUES (?, 'w', 1)").bind(ws),
    db
      .prepare(
        `INSERT INTO destinations (id, workspace_uuid, name, enabled, method, url_template, headers_template,
           query_template, timeout_seconds, secret_ciphertext, secret_hint, secret_version, created_at, updated_at,
           consecutive_failures) VALUES ('dst_12', ?, 'd', 1, 'POST', 'https://example.com', '[]', '[]', 10,
           'v1.x.y', 'h', 1, 1, 1, 3)`,
      )
      .bind(ws),
  ]);
  await applyD1Migrations(db, env.TEST_MIGRATIONS);
  const tables = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  const names = tables.results.map((t) => t.name);
  for (const gone of ["events", "deliveries", "attempts", "recoveries"]) expect(names).not.toContain(gone);
  expect(names).toEqual(
    expect.arrayContaining(["workspaces", "api_keys", "destinations", "destination_event_types"]),
  );
  const columns = (await db.prepare("PRAGMA table_info(destinations)").all()).results.map((c) => c.name);
  expect(columns).not.toContain("consecutive_failures");
  expect(columns).not.toContain("send_path");
  const kept = await db.prepare("SELECT id, name, enabled FROM destinations WHERE id = 'dst_12'").first();
  expect(kept).toEqual({ id: "dst_12", name: "d", enabled: 1 });
});

it("0008 marks the subscriptions of filters saved before it as read for every event (no key yet)", async () => {
  // The DB is fully migrated by the test above; a filtered destination as 0007 left it (kind 0), then
  // 0008's own backfill statement, run again.
  const ws = "11111111-2222-4333-8444-555555555556";
  await db.batch([
    db.prepare("INSERT INTO workspaces (uuid, name, created_at) VALUES (?, 'w', 1)").bind(ws),
    db
      .prepare(
        `INSERT INTO destinations (id, workspace_uuid, name, enabled, method, url_template, headers_template,
           query_template, timeout_seconds, secret_ciphertext, secret_hint, secret_version, created_at, updated_at,
           filter) VALUES ('dst_f', ?, 'd', 1, 'POST', 'https://example.com', '[]', '[]', 10, 'v1.x.y', 'h', 1, 1, 1,
           '{"contact.attributes.plan":"paid"}')`,
      )
      .bind(ws),
    db
      .prepare(
        `INSERT INTO destination_event_types (destination_id, workspace_uuid, event_type)
         VALUES ('dst_f', ?, 'contact.created')`,
      )
      .bind(ws),
  ]);
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0008_"));
  const backfill = migration?.queries.find((q) => q.trim().startsWith("UPDATE"));
  expect(backfill).toBeDefined();
  await db.prepare(backfill ?? "").run();
  const row = await db
    .prepare("SELECT filter_kind, filter_path FROM destination_event_types WHERE destination_id = 'dst_f'")
    .first();
  expect(row).toEqual({ filter_kind: 2, filter_path: null });
});
