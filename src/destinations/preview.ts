// A destination's request, rendered against an event but not sent: what the API's preview route answers
// and what the dashboard's Preview panel shows, for a saved destination or for a form's unsaved values.

import { configOf } from "../config";
import { type EventType, TEST_EVENT_TYPE } from "../events/catalog";
import { buildPayload, SAMPLE_CONTACT } from "../events/payload";
import { isEmptyFilter, matchFilter, parseFilter } from "../filters/filter";
import { type Prepared, prepareRequest } from "../rules/prepare";
import type { RenderableDestination } from "../rules/render";
import { deliveryHeaders } from "../rules/signature";

/** The event a preview renders; by default the sample `webhook.test` event. */
export type PreviewEvent = { type?: EventType; contact?: Record<string, unknown>; occurredAt?: string };

export type PreviewedRequest = {
  method: string;
  url: string;
  headers: [string, string][];
  body: string | null;
};

/** Whether the event would pass the destination's filter; null when it has none. */
export type FilterVerdict = { matches: true } | { matches: false; failed: string };

export type PreviewResult =
  | { ok: true; request: PreviewedRequest; filter: FilterVerdict | null }
  | {
      ok: false;
      errorClass: Extract<Prepared, { ok: false }>["errorClass"];
      /** Why it cannot be sent, in words a person can act on. */
      detail: string;
    };

/** A preview carries this id; the signature is made at send time and never shown. */
export const PREVIEW_EVENT_ID = "evt_preview";
export const PREVIEW_SIGNATURE = "v1,<computed when sent>";

function verdictOf(filter: unknown, payload: unknown): FilterVerdict | null {
  if (isEmptyFilter(filter)) return null;
  const parsed = parseFilter(filter);
  if (!parsed.ok) return { matches: false, failed: `${parsed.error.where}: ${parsed.error.reason}` };
  return matchFilter(parsed.condition, payload);
}

export function previewRequest(
  env: Env,
  workspaceUuid: string,
  destination: RenderableDestination & { filter?: Record<string, unknown> | null },
  event: PreviewEvent = {},
): PreviewResult {
  const type = event.type ?? TEST_EVENT_TYPE;
  const occurredAt = new Date(event.occurredAt ?? Date.now()).toISOString();
  const contact = event.contact ?? SAMPLE_CONTACT;
  const payload = buildPayload(PREVIEW_EVENT_ID, type, workspaceUuid, contact, occurredAt);
  const prepared = prepareRequest(destination, payload, configOf(env).urlPolicy);
  if (!prepared.ok) {
    const detail =
      prepared.errorClass === "template_error"
        ? prepared.message
        : `the rendered URL is not allowed: ${prepared.message}`;
    return { ok: false, errorClass: prepared.errorClass, detail };
  }
  const { method, url, headers, body } = prepared.request;
  const sent = deliveryHeaders(headers, {
    id: "dlv_preview",
    timestamp: Math.floor(Date.now() / 1000),
    eventType: type,
    signature: PREVIEW_SIGNATURE,
  });
  return {
    ok: true,
    request: { method, url, headers: sent, body },
    filter: verdictOf(destination.filter, payload),
  };
}
