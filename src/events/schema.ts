// The event a client ingests, and the payload receivers get (which is also the template context).
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

export type EventPayload = {
  event: { id: string; type: string; occurred_at: string };
  workspace: { uuid: string };
  contact: Record<string, unknown>;
};

export function buildPayload(
  eventId: string,
  type: string,
  workspaceUuid: string,
  contact: Record<string, unknown>,
  occurredAt: string,
): EventPayload {
  return {
    event: { id: eventId, type, occurred_at: occurredAt },
    workspace: { uuid: workspaceUuid },
    contact,
  };
}

/** The contact a test delivery and a preview without an event carry. */
export const SAMPLE_CONTACT = {
  _id: "ct_sample_0001",
  attributes: {
    email: "ada@example.com",
    first_name: "Ada",
    last_name: "Lovelace",
    company: "Analytical Engines",
  },
};
