// Delivery records in D1: making one, reading one or a history page, and their attempts.
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { attempts, type DeliveryRow, type DeliveryStatus, deliveries } from "../db/schema";
import { newId } from "../ids";

/** A pending delivery of an event to a destination, due now. */
export function newDeliveryRow(
  workspaceUuid: string,
  destinationId: string,
  eventId: string,
  eventType: string,
  now = Date.now(),
): DeliveryRow {
  return {
    id: newId("dlv"),
    workspaceUuid,
    destinationId,
    eventId,
    eventType,
    status: "pending",
    attemptsMade: 0,
    nextAttemptAt: now,
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

export async function attemptsOf(db: Database, deliveryId: string) {
  return db.select().from(attempts).where(eq(attempts.deliveryId, deliveryId)).orderBy(asc(attempts.number));
}

export async function deliveriesOfEvent(db: Database, eventId: string) {
  return db.select().from(deliveries).where(eq(deliveries.eventId, eventId)).orderBy(asc(deliveries.id));
}

/** Newest first; the (destination, status, id) index makes page N as cheap as page 1. */
export async function listDeliveries(
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
