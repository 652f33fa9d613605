export const CONTACT_EVENT_TYPES = [
  "contact.created",
  "contact.updated",
  "contact.deleted",
  "contact.subscribed",
  "contact.unsubscribed",
] as const;

export const TEST_EVENT_TYPE = "webhook.test";

/** The service's own events about a workspace's destinations (docs/lifecycle.md); never ingested. */
export const OPERATIONAL_EVENT_TYPES = [
  "destination.failing",
  "destination.recovered",
  "destination.disabled",
  "delivery.exhausted",
] as const;

/** What a destination may subscribe to. */
export const SUBSCRIBABLE_EVENT_TYPES = [...CONTACT_EVENT_TYPES, ...OPERATIONAL_EVENT_TYPES] as const;

export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];
export type EventType = ContactEventType | OperationalEventType | typeof TEST_EVENT_TYPE;

export const isOperational = (type: string): type is OperationalEventType =>
  (OPERATIONAL_EVENT_TYPES as readonly string[]).includes(type);

export const EVENT_TYPE_DESCRIPTIONS: Record<EventType, string> = {
  "contact.created": "A contact was created.",
  "contact.updated": "A contact's attributes changed.",
  "contact.deleted": "A contact was deleted.",
  "contact.subscribed": "A contact subscribed to marketing messages.",
  "contact.unsubscribed": "A contact unsubscribed from marketing messages.",
  "destination.failing":
    "A destination started failing: 10 attempts in a row failed. Never sent to that destination itself.",
  "destination.recovered": "A failing destination answered successfully again; what waited is on its way.",
  "destination.disabled": "A destination was disabled: by hand, after a 410 Gone, or after failing too long.",
  "delivery.exhausted":
    "A delivery failed for good. At most one an hour per destination, counting the others since.",
  "webhook.test": "A test delivery sent from the dashboard or API; every destination receives it on request.",
};
