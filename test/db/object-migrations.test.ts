// Each Durable Object migrates its own tables when it wakes (docs/storage.md, "Schema changes"): from every
// earlier schema version, with data in it, nothing is lost and this release reads it; and what the previous
// release writes still fits the migrated tables (both run side by side during a gradual deploy).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import {
  HISTORY_MIGRATIONS,
  migrateObject,
  type ObjectMigrations,
  WORKSPACE_MIGRATIONS,
} from "../../src/db/object-migrations";
import { historyId, partitionAt, partitionName } from "../../src/history/ids";
import type { WorkspaceHistory } from "../../src/history/object";
import type { WorkspaceCoordinator } from "../../src/lifecycle/workspace-object";

/** The migrations of `all` up to and including version `last` (what an object of that release ran). */
function upTo(all: ObjectMigrations, last: number): ObjectMigrations {
  return { ...all, journal: { entries: all.journal.entries.filter((e) => e.idx <= last) } };
}

/** Drops every table of an object, drizzle's record of its migrations included: a blank database. */
function blank(sql: SqlStorage) {
  const tables = sql
    .exec(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
    )
    .toArray();
  for (const { name } of tables) sql.exec(`DROP TABLE IF EXISTS "${String(name)}"`);
  sql.exec("DROP VIEW IF EXISTS attempts");
}

const versions = (m: ObjectMigrations) => m.journal.entries.map((e) => e.idx);

describe("the workspace object's migrations", () => {
  it("has more than one version, so upgrades are exercised", () => {
    expect(versions(WORKSPACE_MIGRATIONS).length).toBeGreaterThan(1);
  });

  it.each(versions(WORKSPACE_MIGRATIONS))("migrates from version %i with data in it", async (version) => {
    const stub = env.WORKSPACE.getByName(crypto.randomUUID());
    await runInDurableObject(stub, async (instance: WorkspaceCoordinator, state) => {
      const sql = state.storage.sql;
      blank(sql);
      const db = drizzle(state.storage);
      await migrateObject(db, upTo(WORKSPACE_MIGRATIONS, version));
      // Rows as the first release wrote them (its columns only).
      sql.exec(
        `INSERT INTO destination_health (destination_id, send_path, consecutive_failures, failures_since)
         VALUES ('dst_old', 'direct', 12, 1000)`,
      );
      sql.exec("INSERT INTO partitions (start, seconds, registered_at) VALUES (0, 86400, 1)");
      await migrateObject(db, WORKSPACE_MIGRATIONS);
      expect(instance.health(["dst_old"]).dst_old).toMatchObject({
        sendPath: "direct",
        consecutiveFailures: 12,
        failuresSince: 1000,
        disabledAt: null,
      });
      // The previous release's writes still fit.
      sql.exec("INSERT INTO destination_health (destination_id, send_path) VALUES ('dst_prev', 'lane')");
      expect(instance.health(["dst_prev"]).dst_prev?.consecutiveFailures).toBe(0);
      // Migrating again is a no-op.
      await migrateObject(db, WORKSPACE_MIGRATIONS);
      expect(Object.keys(instance.health(["dst_old", "dst_prev"]))).toHaveLength(2);
    });
  });
});

describe("a history partition's migrations", () => {
  it.each(versions(HISTORY_MIGRATIONS))("migrates from version %i with data in it", async (version) => {
    const ws = crypto.randomUUID();
    const p = partitionAt(ws, Date.now(), 86_400);
    const eventId = historyId("evt", Date.now(), 86_400);
    const deliveryId = historyId("dlv", Date.now(), 86_400);
    const stub = env.HISTORY.getByName(partitionName(p));
    await runInDurableObject(stub, async (instance: WorkspaceHistory, state) => {
      const sql = state.storage.sql;
      blank(sql);
      const db = drizzle(state.storage);
      await migrateObject(db, upTo(HISTORY_MIGRATIONS, version));
      sql.exec(
        "INSERT INTO events (workspace_uuid, id, type, created_at, payload) VALUES (?, ?, 'contact.created', 1, '{}')",
        ws,
        eventId,
      );
      sql.exec(
        `INSERT INTO deliveries (destination_id, id, workspace_uuid, event_id, event_type, status, attempts_made,
           next_attempt_at, created_at, updated_at, attempts)
         VALUES ('dst_1', ?, ?, ?, 'contact.created', 'failed', 1, NULL, 1, 1, '[]')`,
        deliveryId,
        ws,
        eventId,
      );
      // The object's own path: a woken object with tables migrates them (its constructor; here its write).
      await instance.store(p, []);
      expect(instance.delivery(p, deliveryId, "dst_1")?.delivery).toMatchObject({
        id: deliveryId,
        status: "failed",
      });
      expect(instance.event(p, eventId)).toMatchObject({ id: eventId, type: "contact.created" });
    });
  });
});
