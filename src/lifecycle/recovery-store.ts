// The recoveries in bulk of one workspace, as its object keeps them (src/lifecycle/workspace-object.ts):
// the partial unique index recoveries_running lets one run per destination at a time.
import { and, desc, eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { type RecoveryRow, recoveries } from "../db/workspace-schema";

export type StartedRecovery =
  | { ok: true; recovery: RecoveryRow }
  | { ok: false; running: RecoveryRow | null };

export function runningOf(db: DrizzleSqliteDODatabase, destinationId: string): RecoveryRow | null {
  return (
    db
      .select()
      .from(recoveries)
      .where(and(eq(recoveries.destinationId, destinationId), eq(recoveries.status, "running")))
      .get() ?? null
  );
}

/** Stores a recovery; refused while another runs for its destination. */
export function insertRecovery(db: DrizzleSqliteDODatabase, row: RecoveryRow): StartedRecovery {
  const running = runningOf(db, row.destinationId);
  if (running) return { ok: false, running };
  db.insert(recoveries).values(row).run();
  return { ok: true, recovery: row };
}

export function recoveryOf(
  db: DrizzleSqliteDODatabase,
  id: string,
  destinationId?: string,
): RecoveryRow | null {
  const scope = destinationId
    ? and(eq(recoveries.id, id), eq(recoveries.destinationId, destinationId))
    : eq(recoveries.id, id);
  return db.select().from(recoveries).where(scope).get() ?? null;
}

/** A destination's recoveries, newest first. */
export function recoveriesOf(
  db: DrizzleSqliteDODatabase,
  destinationId: string,
  limit: number,
): RecoveryRow[] {
  return db
    .select()
    .from(recoveries)
    .where(eq(recoveries.destinationId, destinationId))
    .orderBy(desc(recoveries.id))
    .limit(limit)
    .all();
}

/** A step's progress: `sent` more queued, the cursor moved; finished when the step was short. */
export function advance(
  db: DrizzleSqliteDODatabase,
  id: string,
  sent: number,
  cursor: string | null,
  done: boolean,
) {
  const now = Date.now();
  const row = recoveryOf(db, id);
  if (row?.status !== "running") return;
  db.update(recoveries)
    .set({
      sent: row.sent + sent,
      cursor: cursor ?? row.cursor,
      updatedAt: now,
      ...(done ? { status: "finished" as const, finishedAt: now } : {}),
    })
    .where(eq(recoveries.id, id))
    .run();
}

export function cancel(db: DrizzleSqliteDODatabase, id: string, reason: string): void {
  const now = Date.now();
  db.update(recoveries)
    .set({ status: "cancelled", reason, finishedAt: now, updatedAt: now })
    .where(and(eq(recoveries.id, id), eq(recoveries.status, "running")))
    .run();
}

/** A deleted destination's recoveries go with it. */
export function forgetRecoveries(db: DrizzleSqliteDODatabase, destinationId: string): void {
  db.delete(recoveries).where(eq(recoveries.destinationId, destinationId)).run();
}
