// Replay: a stored event sent again, as new deliveries (docs/lifecycle.md). By default to every enabled
// destination subscribed to its type now whose filter it passes; or to the destinations named, which
// must be this workspace's and enabled. Never to the destination an operational event is about.
import { and, eq, inArray } from "drizzle-orm";
import { type Database, database } from "../db/client";
import type { DeliveryRow } from "../db/history-schema";
import { destinations, subscriptions } from "../db/schema";
import { matchFilter, parseFilter } from "../filters/filter";
import { queueNewDeliveries } from "../history/client";
import type { FieldError } from "../problem";
import { fieldError } from "../problem";
import { type StoredEvent, subjectOf } from "./explain";
import { addDeliveriesOf } from "./store";

export type Replayed = { ok: true; deliveries: DeliveryRow[] } | { ok: false; errors: FieldError[] };

const passes = (filter: Record<string, unknown> | null, payload: unknown) => {
  if (!filter) return true;
  const parsed = parseFilter(filter);
  return !parsed.ok || matchFilter(parsed.condition, payload).matches;
};

/** The destinations a replay goes to, or why the named ones cannot take it (field errors, nothing sent). */
async function targets(
  db: Database,
  workspaceUuid: string,
  event: StoredEvent,
  named: string[] | undefined,
): Promise<{ ok: true; ids: string[] } | { ok: false; errors: FieldError[] }> {
  const subject = subjectOf(event);
  if (named === undefined) {
    const subscribed = await db
      .select({ id: destinations.id, filter: destinations.filter })
      .from(subscriptions)
      .innerJoin(destinations, eq(destinations.id, subscriptions.destinationId))
      .where(
        and(
          eq(subscriptions.workspaceUuid, workspaceUuid),
          eq(subscriptions.eventType, event.type),
          eq(destinations.enabled, true),
        ),
      );
    const ids = subscribed
      .filter((d) => d.id !== subject && passes(d.filter, event.payload))
      .map((d) => d.id);
    return { ok: true, ids };
  }
  const unique = [...new Set(named)];
  const found = unique.length
    ? await db
        .select({ id: destinations.id, enabled: destinations.enabled })
        .from(destinations)
        .where(and(eq(destinations.workspaceUuid, workspaceUuid), inArray(destinations.id, unique)))
    : [];
  const byId = new Map(found.map((d) => [d.id, d]));
  const errors: FieldError[] = [];
  named.forEach((id, i) => {
    const d = byId.get(id);
    const why = !d
      ? "no such destination in this workspace"
      : !d.enabled
        ? "the destination is disabled; enable it first"
        : id === subject
          ? "the event is about this destination, which never receives it"
          : null;
    if (why) errors.push(fieldError(["destination_ids", i], why));
  });
  return errors.length ? { ok: false, errors } : { ok: true, ids: unique };
}

export async function replayEvent(
  env: Env,
  workspaceUuid: string,
  event: StoredEvent,
  named: string[] | undefined,
  later: (work: Promise<void>) => void,
): Promise<Replayed> {
  const chosen = await targets(database(env.DB), workspaceUuid, event, named);
  if (!chosen.ok) return chosen;
  const rows = await addDeliveriesOf(env, event.found, chosen.ids);
  if (rows.length) later(queueNewDeliveries(env, rows));
  return { ok: true, deliveries: rows };
}
