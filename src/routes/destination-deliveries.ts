// A destination's deliveries: send a test, preview the request, read the history.
// Mounted inside destinations.ts, under its workspace-key middleware.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { DELIVERY_STATUSES, type DeliveryStatus } from "../db/history-schema";
import { Delivery, deliveryJson } from "../deliveries/schema";
import { listDeliveries } from "../deliveries/store";
import { requestTestDelivery } from "../destinations/manual-deliveries";
import { previewRequest } from "../destinations/preview";
import { findDestination } from "../destinations/store";
import { CONTACT_EVENT_TYPES, TEST_EVENT_TYPE } from "../events/catalog";
import { Contact } from "../events/schema";
import { HistoryView } from "../history/client";
import { errorResponses, idParam, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import { PageQuery, page, pageOf } from "../http/pagination";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { DEFAULT_RETENTION_DAYS } from "../limits";
import { notFound, ProblemError } from "../problem";
import { destinationDisabled } from "./deliveries";

const DestinationParams = WorkspaceParam.extend({ id: idParam("id") });
const tags = ["Deliveries"];

export const destinationDeliveryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

destinationDeliveryRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/test",
    tags,
    summary: "Send a test delivery",
    description: "Sends a `webhook.test` event with a sample contact through the normal pipeline.",
    security: workspaceSecurity,
    request: { params: DestinationParams },
    responses: {
      202: json(Delivery, "The queued test delivery."),
      409: { description: "The destination is disabled." },
      ...errorResponses,
    },
  }),
  async (c) => {
    const sent = await requestTestDelivery(c.env, c.get("workspaceUuid"), c.req.valid("param").id);
    if (sent.outcome === "not_found") throw notFound("destination");
    if (sent.outcome === "disabled") throw destinationDisabled(sent.reason);
    return c.json(deliveryJson(sent.delivery), 202);
  },
);

const PreviewRequest = z
  .object({
    event: z
      .object({
        type: z.enum([...CONTACT_EVENT_TYPES, TEST_EVENT_TYPE]).default(TEST_EVENT_TYPE),
        contact: Contact.optional(),
        occurred_at: z.iso.datetime({ offset: true }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi("PreviewRequest");

const Preview = z
  .object({
    method: z.string(),
    url: z.string(),
    headers: z.array(z.tuple([z.string(), z.string()])),
    body: z.string().nullable(),
    filter: z.object({ matches: z.boolean(), failed_condition: z.string().nullable() }).nullable().openapi({
      description:
        "Whether the event passes the destination's filter, and if not the first condition that failed (as the filter wrote it, e.g. `filter.contact.attributes.plan`); null when it has no filter. A non-matching event would create no delivery.",
    }),
  })
  .openapi("Preview");

destinationDeliveryRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/preview",
    tags,
    summary: "Preview a delivery's request",
    description:
      "Renders the exact request a given event (or the sample `webhook.test` event) would produce, without " +
      "sending it. The signature's value is computed at send time and is not shown.",
    security: workspaceSecurity,
    request: { params: DestinationParams, body: { ...jsonBody(PreviewRequest), required: false } },
    responses: {
      200: json(Preview, "The request as it would be sent."),
      422: { description: "The templates cannot render this event, or the rendered URL is not allowed." },
      ...errorResponses,
    },
  }),
  async (c) => {
    const workspaceUuid = c.get("workspaceUuid");
    const found = await findDestination(database(c.env.DB), workspaceUuid, c.req.valid("param").id);
    if (!found) throw notFound("destination");
    const event = c.req.valid("json").event;
    const preview = previewRequest(c.env, workspaceUuid, found.row, {
      type: event?.type,
      contact: event?.contact,
      occurredAt: event?.occurred_at,
    });
    if (!preview.ok) {
      throw new ProblemError(422, preview.detail, { slug: preview.errorClass.replace("_", "-") });
    }
    const { filter } = preview;
    const verdict = filter && {
      matches: filter.matches,
      failed_condition: filter.matches ? null : filter.failed,
    };
    return c.json({ ...preview.request, filter: verdict }, 200);
  },
);

const HistoryQuery = PageQuery.extend({
  status: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const statuses = value.split(",").map((s) => s.trim());
      const unknown = statuses.filter((s) => !(DELIVERY_STATUSES as readonly string[]).includes(s));
      if (unknown.length) {
        ctx.addIssue({ code: "custom", message: `status must be one of ${DELIVERY_STATUSES.join(", ")}` });
        return z.NEVER;
      }
      return statuses as DeliveryStatus[];
    })
    .openapi({ description: "One status or several, comma-separated.", example: "failed,pending" }),
});

destinationDeliveryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/deliveries",
    tags,
    summary: "A destination's delivery history",
    description:
      "Newest first. Pass `next_cursor` back as `cursor` for the next page. Deliveries are kept for " +
      `\`RETENTION_DAYS\` (${DEFAULT_RETENTION_DAYS} days by default), then purged with their attempts.`,
    security: workspaceSecurity,
    request: { params: DestinationParams, query: HistoryQuery },
    responses: { 200: json(pageOf(Delivery), "A page of deliveries."), ...errorResponses },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const { limit, cursor, status } = c.req.valid("query");
    const workspaceUuid = c.get("workspaceUuid");
    const found = await findDestination(db, workspaceUuid, c.req.valid("param").id);
    if (!found) throw notFound("destination");
    const view = new HistoryView(c.env, workspaceUuid);
    const rows = await listDeliveries(view, found.row.id, limit, { before: cursor, status });
    const { data, next_cursor } = page(rows, limit);
    return c.json({ data: data.map(deliveryJson), next_cursor }, 200);
  },
);
