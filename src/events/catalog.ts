export const CONTACT_EVENT_TYPES = [
  "contact.created",
  "contact.updated",
  "contact.deleted",
  "contact.subscribed",
  "contact.unsubscribed",
] as const;

export const TEST_EVENT_TYPE = "webhook.test";

export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];
export type EventType = ContactEventType | typeof TEST_EVENT_TYPE;

export const EVENT_TYPE_DESCRIPTIONS: Record<EventType, string> = {
  "contact.created": "A contact was created.",
  "contact.updated": "A contact's attributes changed.",
  "contact.deleted": "A contact was deleted.",
  "contact.subscribed": "A contact subscribed to marketing messages.",
  "contact.unsubscribed": "A contact unsubscribed from marketing messages.",
  "webhook.test": "A test delivery sent from the dashboard or API; every destination receives it on request.",
};
