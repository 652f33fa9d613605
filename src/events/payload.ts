// The full event payload: what a receiver gets by default, and the context every template renders
// against (docs/templates.md).

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
