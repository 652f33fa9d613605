// The event a client ingests. (What receivers get is built in payload.ts.)
import { z } from "@hono/zod-openapi";
import { CONTACT_EVENT_TYPES } from "./catalog";

export const MAX_EVENT_BYTES = 64 * 1024;

export const Contact = z
  .looseObject({
    _id: z.string().min(1, "contact._id must not be empty").max(255),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("Contact", {
    example: { _id: "ct_123", attributes: { email: "ada@example.com", first_name: "Ada" } },
  });

export const EventIngest = z
  .object({
    id: z.string().min(1).max(255).optional().openapi({
      description: "Your id for the event. Sending the same id again creates no new deliveries.",
    }),
    type: z.enum(CONTACT_EVENT_TYPES),
    contact: Contact,
    occurred_at: z.iso
      .datetime({ offset: true, message: "occurred_at must be an ISO 8601 date-time" })
      .optional(),
  })
  .strict()
  .openapi("EventIngest");

export type EventIngestInput = z.infer<typeof EventIngest>;
