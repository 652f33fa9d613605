// "Why did this destination not get it?": a stored event with, for each destination of its workspace, its
// deliveries of the event or the reason it has none (docs/lifecycle.md). A page of destinations at a time,
// so a workspace's 10,000 destinations cost what 100 do.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { DeliveryRow } from "../db/history-schema";
import { destinations, subscriptions } from "../db/schema";
import { matchFilter, parseFilter } from "../filters/filter";
import type { HistoryView } from "../history/client";
import { isOperational } from "./catalog";
import { deliveriesOfEvent, type FoundEvent, findEvent } from "./store";

/** Why a destination has no delivery of an event. */
export const NO_DELIVERY_REASONS = [
  "not_subscribed",
  "disabled",
  "filtered_out",
  "created_after",
  "about_itself",
  "changed_since",
] as const;
export type NoDeliveryReason = (typeof NO_DELIVERY_REASONS)[number];

/** A bound on the deliveries one page lists (an event redelivered by hand many times has many). */
const MAX_LISTED_DELIVERIES = 1000;

export type StoredEvent = {
  id: string;
  type: string;
  createdAt: number;
  payload: Record<string, unknown>;
  /** Where it is stored (its original's partition, and the copies it lists). */
  found: FoundEvent;
};

export type DestinationVerdict = {
  id: string;
  name: string;
  enabled: boolean;
  deliveries: DeliveryRow[];
  reason: NoDeliveryReason | null;
  /** For `filtered_out`: the first condition that failed; for `disabled`: why, when Leadpush disabled it. */
  detail: string | null;
};

/** The event with this public id in the workspace, payload parsed; null when there is none. */
export async function readEvent(view: HistoryView, id: string): Promise<StoredEvent | null> {
  const found = await findEvent(view, id);
  if (!found) return null;
  const { type, createdAt, payload } = found.row;
  return { id, type, createdAt, payload: JSON.parse(payload) as Record<string, unknown>, found };
}

/** The destination an operational event is about (never delivered to it), or null. */
export function subjectOf(event: Pick<StoredEvent, "type" | "payload">): string | null {
  if (!isOperational(event.type)) return null;
  const destination = event.payload.destination as { id?: unknown } | undefined;
  return typeof destination?.id === "string" ? destination.id : null;
}

type Candidate = {
  id: string;
  name: string;
  enabled: boolean;
  disabledReason: string | null;
  filter: Record<string, unknown> | null;
  createdAt: number;
  subscribed: boolean;
};

/** Why `d`, with no delivery of `event`, got none — in the order a reader would look. */
function reasonFor(d: Candidate, event: StoredEvent): { reason: NoDeliveryReason; detail: string | null } {
  if (d.createdAt > event.createdAt) return { reason: "created_after", detail: null };
  if (subjectOf(event) === d.id) return { reason: "about_itself", detail: null };
  if (!d.subscribed) return { reason: "not_subscribed", detail: null };
  if (!d.enabled) return { reason: "disabled", detail: d.disabledReason };
  if (d.filter) {
    const parsed = parseFilter(d.filter);
    if (parsed.ok) {
      const verdict = matchFilter(parsed.condition, event.payload);
      if (!verdict.matches) return { reason: "filtered_out", detail: verdict.failed };
    }
  }
  // Subscribed, enabled and matching now, so something changed since the event arrived.
  return { reason: "changed_since", detail: null };
}

/**
 * One page of the workspace's destinations (by id, after `after`), each with its deliveries of the event
 * or why it has none. Up to limit+1 rows, for `page()`.
 */
export async function explainEvent(
  db: Database,
  view: HistoryView,
  event: StoredEvent,
  limit: number,
  after?: string,
): Promise<DestinationVerdict[]> {
  const candidates: Candidate[] = await db
    .select({
      id: destinations.id,
      name: destinations.name,
      enabled: destinations.enabled,
      disabledReason: destinations.disabledReason,
      filter: destinations.filter,
      createdAt: destinations.createdAt,
      subscribed: sql<boolean>`${subscriptions.eventType} IS NOT NULL`.mapWith(Boolean),
    })
    .from(destinations)
    .leftJoin(
      subscriptions,
      and(eq(subscriptions.destinationId, destinations.id), eq(subscriptions.eventType, event.type)),
    )
    .where(
      and(eq(destinations.workspaceUuid, view.workspaceUuid), after ? gt(destinations.id, after) : undefined),
    )
    .orderBy(asc(destinations.id))
    .limit(limit + 1);
  const ids = new Set(candidates.map((c) => c.id));
  const rows = ids.size
    ? (await deliveriesOfEvent(view, event.found, ids))
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, MAX_LISTED_DELIVERIES)
    : [];
  const byDestination = new Map<string, DeliveryRow[]>();
  for (const row of rows)
    byDestination.set(row.destinationId, [...(byDestination.get(row.destinationId) ?? []), row]);
  return candidates.map((d) => {
    const own = byDestination.get(d.id) ?? [];
    const why = own.length ? { reason: null, detail: null } : reasonFor(d, event);
    return { id: d.id, name: d.name, enabled: d.enabled, deliveries: own, ...why };
  });
}
