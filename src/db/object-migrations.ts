// The migrations each Durable Object runs on its own SQLite database when it wakes (docs/storage.md,
// "Schema changes"): drizzle-kit writes them from history-schema.ts and workspace-schema.ts; they are
// bundled into the worker as text, and drizzle's durable-sqlite migrator applies those an object has not
// run yet, in one transaction. Each must keep the previous release working on a migrated object (add
// tables, columns with defaults and indexes; never rename or drop), since both run during a deploy.
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import history0000 from "./history-migrations/0000_init.sql?raw";
import historyJournal from "./history-migrations/meta/_journal.json";
import workspace0000 from "./workspace-migrations/0000_init.sql?raw";
import workspace0001 from "./workspace-migrations/0001_destination_disabled_at.sql?raw";
import workspaceJournal from "./workspace-migrations/meta/_journal.json";

export type ObjectMigrations = {
  journal: { entries: { idx: number; when: number; tag: string; breakpoints: boolean }[] };
  migrations: Record<string, string>;
};

export const HISTORY_MIGRATIONS: ObjectMigrations = {
  journal: historyJournal,
  migrations: { m0000: history0000 },
};

export const WORKSPACE_MIGRATIONS: ObjectMigrations = {
  journal: workspaceJournal,
  migrations: { m0000: workspace0000, m0001: workspace0001 },
};

/** Brings an object's tables up to this release's schema (a no-op when they are). */
export function migrateObject(db: DrizzleSqliteDODatabase, migrations: ObjectMigrations): Promise<void> {
  return migrate(db, migrations);
}
