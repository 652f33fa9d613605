// The event a client ingests. (What receivers get is built in payload.ts.)

import { z } from "@hono/zod-openapi";
import { MAX_EVENT_DEPTH, MAX_EVENT_ID_LENGTH } from "../limits";
import { CONTACT_EVENT_TYPES } from "./catalog";

/** Whether a parsed JSON value nests deeper than `max` levels; iterative, so any depth is safe to ask. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== "object" || item === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

export const Contact = z
  .looseObject({
    _id: z.string().min(1, "contact._id must not be empty").max(MAX_EVENT_ID_LENGTH),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  // The contact sits at level 2 of the event, so it may use the levels that remain.
  .refine((contact) => !nestsDeeperThan(contact, MAX_EVENT_DEPTH - 1), {
    message: `the event nests deeper than ${MAX_EVENT_DEPTH} levels of objects and arrays`,
  })
  .openapi("Contact", {
    example: { _id: "ct_123", attributes: { email: "ada@example.com", first_name: "Ada" } },
  });

export const EventIngest = z
  .object({
    id: z.string().min(1).max(MAX_EVENT_ID_LENGTH).optional().openapi({
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
