// Delivery records in D1: making one, reading one or a history page, and their attempts.
import { and, asc, count, desc, eq, inArray, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { attempts, type DeliveryRow, type DeliveryStatus, deliveries } from "../db/schema";
import { newId } from "../ids";

/** A pending delivery of an event to a destination, due now. `id` is given when SQL made it (the fan-out). */
export function newDeliveryRow(
  workspaceUuid: string,
  destinationId: string,
  eventId: string,
  eventType: string,
  now = Date.now(),
  id = newId("dlv"),
): DeliveryRow {
  return {
    id,
    workspaceUuid,
    destinationId,
    eventId,
    eventType,
    status: "pending",
    attemptsMade: 0,
    nextAttemptAt: now,
    laneDueAt: null,
    statusReason: null,
    deadLetteredAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

export async function insertDelivery(db: Database, row: DeliveryRow): Promise<void> {
  await db.insert(deliveries).values(row);
}

export async function findDelivery(db: Database, workspaceUuid: string, id: string) {
  return db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.workspaceUuid, workspaceUuid), eq(deliveries.id, id)))
    .get();
}

/**
 * One delivery with its attempts, oldest first, read in one transaction: two separate reads could
 * straddle the consumer's write and show an attempt without the outcome it led to.
 */
export async function findDeliveryWithAttempts(db: Database, workspaceUuid: string, id: string) {
  const [found, tries] = await db.batch([
    db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.workspaceUuid, workspaceUuid), eq(deliveries.id, id))),
    // Read with it, and dropped below unless the delivery is this workspace's.
    db.select().from(attempts).where(eq(attempts.deliveryId, id)).orderBy(asc(attempts.number)),
  ]);
  const delivery = found[0];
  return delivery ? { delivery, attempts: tries } : null;
}

/**
 * The deliveries an event fanned out to when it was ingested (not later redeliveries): the first
 * `limit` by id, and how many there are. One round trip.
 */
export async function fanOutOf(
  db: Database,
  workspaceUuid: string,
  eventId: string,
  createdAt: number,
  limit: number,
) {
  const scope = and(
    eq(deliveries.workspaceUuid, workspaceUuid),
    eq(deliveries.eventId, eventId),
    eq(deliveries.createdAt, createdAt),
  );
  const [rows, [counted]] = await db.batch([
    db.select().from(deliveries).where(scope).orderBy(asc(deliveries.id)).limit(limit),
    db.select({ count: count() }).from(deliveries).where(scope),
  ]);
  return { rows, count: counted?.count ?? 0 };
}

/**
 * A history page, newest first: the (destination, id) index walks page N as cheaply as page 1, and a
 * status filter reads the same walk. (The query, for the plan test; listDeliveries runs it.)
 */
export function historyQuery(
  db: Database,
  destinationId: string,
  limit: number,
  options: { before?: string; status?: DeliveryStatus[] },
) {
  return db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.destinationId, destinationId),
        options.status?.length ? inArray(deliveries.status, options.status) : undefined,
        options.before ? lt(deliveries.id, options.before) : undefined,
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(limit + 1);
}

export async function listDeliveries(...args: Parameters<typeof historyQuery>) {
  return historyQuery(...args);
}
