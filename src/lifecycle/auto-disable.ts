// Auto-disable (docs/lifecycle.md#auto-disable): a destination failing without a break for
// AUTO_DISABLE_AFTER_HOURS is disabled, saying since when, and destination.disabled is announced in the
// same transaction. Its lane does it when the time comes (it wakes for it); the cron catches the ones
// whose lane has nothing left to send.
import type { Database } from "../db/client";
import { FAILING_AFTER } from "../limits";
import type { DeliveryMessage } from "../queue";
import { Announcements, dispatchAnnounced } from "./announce";
import { autoDisableAnnouncement } from "./transitions";

/** Destinations the cron disables per run, at most. */
const PER_RUN = 100;

// ?1 the newest failures_since due: read from the partial index of runs of failures.
const DUE_SQL = `
  SELECT id, workspace_uuid AS workspace FROM destinations
  WHERE failures_since IS NOT NULL AND failures_since <= ?1 AND enabled = 1 AND consecutive_failures >= ?2
  LIMIT ${PER_RUN}`;

/** Disables these destinations if they are due (the guard decides, in D1); returns how many were. */
export async function autoDisable(
  db: Database,
  queue: Queue<DeliveryMessage>,
  due: { id: string; workspace: string }[],
  autoDisableMs: number,
  now = Date.now(),
): Promise<number> {
  if (!due.length) return 0;
  const announcements = new Announcements(db.$client, now).add(
    autoDisableAnnouncement(autoDisableMs),
    due.map((d) => [d.id, d.workspace]),
  );
  const statements = announcements.statements();
  const results = await db.$client.batch(statements);
  const disabled = results[1]?.meta.changes ?? 0;
  await dispatchAnnounced(db, queue, announcements.read(results));
  return disabled;
}

/** The cron's part: every destination past its time, a bounded number per run. */
export async function autoDisableDue(
  db: Database,
  queue: Queue<DeliveryMessage>,
  autoDisableMs: number,
  now = Date.now(),
): Promise<number> {
  const { results } = await db.$client
    .prepare(DUE_SQL)
    .bind(now - autoDisableMs, FAILING_AFTER)
    .all<{ id: string; workspace: string }>();
  return autoDisable(db, queue, results, autoDisableMs, now);
}
