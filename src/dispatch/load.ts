// The consumer's one read per batch: each message's delivery with its destination and event.
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { deliveries, destinations, events } from "../db/schema";

export type LoadedDelivery = Awaited<ReturnType<typeof loadDeliveries>>[number];

export function loadDeliveries(db: Database, ids: string[]) {
  return db
    .select({
      id: deliveries.id,
      workspaceUuid: deliveries.workspaceUuid,
      eventId: deliveries.eventId,
      status: deliveries.status,
      attemptsMade: deliveries.attemptsMade,
      eventType: deliveries.eventType,
      destinationId: destinations.id,
      enabled: destinations.enabled,
      method: destinations.method,
      urlTemplate: destinations.urlTemplate,
      headersTemplate: destinations.headersTemplate,
      queryTemplate: destinations.queryTemplate,
      bodyTemplate: destinations.bodyTemplate,
      timeoutSeconds: destinations.timeoutSeconds,
      secretCiphertext: destinations.secretCiphertext,
      previousSecretCiphertext: destinations.previousSecretCiphertext,
      previousSecretExpiresAt: destinations.previousSecretExpiresAt,
      payload: events.payload,
    })
    .from(deliveries)
    .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .innerJoin(
      events,
      and(eq(events.workspaceUuid, deliveries.workspaceUuid), eq(events.id, deliveries.eventId)),
    )
    .where(sql`${deliveries.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
}
