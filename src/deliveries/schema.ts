// A delivery and its attempts as the API gives them: each zod schema (which /openapi.json is generated
// from) sits beside the function that maps a record onto it, and the type ties the two together.
import { z } from "@hono/zod-openapi";
import { type AttemptRow, DELIVERY_STATUSES, type DeliveryRow, ERROR_CLASSES } from "../db/history-schema";
import { restoredRequestHeaders } from "../rules/signature";
import { iso, isoOrNull } from "../time";

export const Delivery = z
  .object({
    id: z.string().openapi({ description: "Sent as X-Leadpush-Id; stable across retries." }),
    destination_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    status_reason: z.string().nullable(),
    attempts_made: z.number().int(),
    next_attempt_at: z
      .string()
      .nullable()
      .openapi({ description: "When the next attempt is due (pending deliveries); null once finished." }),
    dead_lettered_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Delivery");

export function deliveryJson(row: DeliveryRow): z.infer<typeof Delivery> {
  return {
    id: row.id,
    destination_id: row.destinationId,
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    status_reason: row.statusReason,
    attempts_made: row.attemptsMade,
    next_attempt_at: isoOrNull(row.nextAttemptAt ?? row.laneDueAt),
    dead_lettered_at: isoOrNull(row.deadLetteredAt),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export const Attempt = z
  .object({
    number: z.number().int(),
    started_at: z.string(),
    request: z.object({
      method: z.string(),
      url: z.string(),
      headers: z
        .array(z.tuple([z.string(), z.string()]))
        .openapi({ description: "Credentials are redacted." }),
    }),
    response_status: z.number().int().nullable(),
    response_body: z.string().nullable().openapi({ description: "The first 16 KiB of the response." }),
    duration_ms: z.number().int(),
    error_class: z.enum(ERROR_CLASSES).nullable(),
    error_message: z.string().nullable(),
  })
  .openapi("Attempt");

/** An attempt of a delivery of `eventType` (its headers are stored in part: see StoredRequestHeaders). */
export function attemptJson(row: AttemptRow, eventType: string): z.infer<typeof Attempt> {
  const meta = { id: row.deliveryId, timestamp: Math.floor(row.startedAt / 1000), eventType };
  return {
    number: row.number,
    started_at: iso(row.startedAt),
    request: { method: row.method, url: row.url, headers: restoredRequestHeaders(row.requestHeaders, meta) },
    response_status: row.responseStatus,
    response_body: row.responseBody,
    duration_ms: row.durationMs,
    error_class: row.errorClass,
    error_message: row.errorMessage,
  };
}

export const DeliveryWithAttempts = Delivery.extend({ attempts: z.array(Attempt) }).openapi(
  "DeliveryWithAttempts",
);

export type DeliveryJson = z.infer<typeof Delivery>;
export type AttemptJson = z.infer<typeof Attempt>;
export type DeliveryWithAttemptsJson = z.infer<typeof DeliveryWithAttempts>;
