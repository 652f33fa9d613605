import { z } from "@hono/zod-openapi";
import { DELIVERY_STATUSES, ERROR_CLASSES } from "../db/schema";

export const Delivery = z
  .object({
    id: z.string().openapi({ description: "Sent as X-Leadpush-Id; stable across retries." }),
    destination_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    status_reason: z.string().nullable(),
    attempts_made: z.number().int(),
    next_attempt_at: z.string().nullable(),
    dead_lettered_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Delivery");

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

export const DeliveryWithAttempts = Delivery.extend({ attempts: z.array(Attempt) }).openapi(
  "DeliveryWithAttempts",
);
