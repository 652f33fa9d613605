// Deliveries: test sends, previews, history, and manual redelivery.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { DELIVERY_STATUSES, type DeliveryStatus } from "../db/schema";
import { Delivery, DeliveryWithAttempts } from "../deliveries/schema";
import { attemptJson, attemptsOf, deliveryJson, findDelivery, listDeliveries } from "../deliveries/store";
import { deliveryHeaders } from "../delivery/consume";
import { renderRequest, TemplateError } from "../delivery/render";
import { checkDestinationUrl } from "../delivery/url-policy";
import { findDestination } from "../destinations/store";
import { CONTACT_EVENT_TYPES, TEST_EVENT_TYPE } from "../events/catalog";
import { redeliver, sendTestDelivery } from "../events/ingest";
import { buildPayload, Contact, SAMPLE_CONTACT } from "../events/schema";
import { errorResponses, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import { PageQuery, page, pageOf } from "../http/pagination";
import { notFound, ProblemError } from "../http/problem";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { ID_PATTERN } from "../ids";

const idParam = (name: string) =>
  z
    .string()
    .regex(ID_PATTERN)
    .openapi({ param: { name, in: "path" } });
const DestinationParams = WorkspaceParam.extend({ id: idParam("id") });
const DeliveryParams = WorkspaceParam.extend({ delivery_id: idParam("delivery_id") });
const tags = ["Deliveries"];

const conflict = (detail: string) =>
  new ProblemError(409, detail, undefined, undefined, "destination-disabled");
const disabledDetail = (reason: string | null) =>
  `The destination is disabled${reason ? ` (${reason})` : ""}. Enable it with PATCH { "enabled": true } first.`;

const unprocessable = (detail: string, slug: string) =>
  new ProblemError(422, detail, undefined, undefined, slug);

export const deliveryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

deliveryRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/workspaces/{ws}/destinations/{id}/test",
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
    const db = database(c.env.DB);
    const workspaceUuid = c.get("workspaceUuid");
    const found = await findDestination(db, workspaceUuid, c.req.valid("param").id);
    if (!found) throw notFound("destination");
    if (!found.row.enabled) throw conflict(disabledDetail(found.row.disabledReason));
    const row = await sendTestDelivery(db, c.env.DELIVERY_QUEUE, workspaceUuid, found.row.id);
    return c.json(deliveryJson(row), 202);
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
  })
  .openapi("Preview");

deliveryRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/workspaces/{ws}/destinations/{id}/preview",
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
    const type = event?.type ?? TEST_EVENT_TYPE;
    const occurredAt = event?.occurred_at
      ? new Date(event.occurred_at).toISOString()
      : new Date().toISOString();
    const payload = buildPayload(
      "evt_preview",
      type,
      workspaceUuid,
      event?.contact ?? SAMPLE_CONTACT,
      occurredAt,
    );
    let rendered: ReturnType<typeof renderRequest>;
    try {
      rendered = renderRequest(found.row, payload);
    } catch (error) {
      if (error instanceof TemplateError) throw unprocessable(error.message, "template-error");
      throw error;
    }
    const verdict = checkDestinationUrl(rendered.url, {
      allowPrivate: c.env.ALLOW_PRIVATE_DESTINATIONS === "true",
    });
    if (!verdict.ok)
      throw unprocessable(`the rendered URL is not allowed: ${verdict.reason}`, "destination-blocked");
    const headers = deliveryHeaders(rendered.headers, {
      id: "dlv_preview",
      timestamp: Math.floor(Date.now() / 1000),
      eventType: type,
      signature: "v1,<computed when sent>",
    });
    return c.json(
      { method: rendered.method, url: rendered.url, headers: [...headers], body: rendered.body },
      200,
    );
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

deliveryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/workspaces/{ws}/destinations/{id}/deliveries",
    tags,
    summary: "A destination's delivery history",
    description: "Newest first. Pass `next_cursor` back as `cursor` for the next page.",
    security: workspaceSecurity,
    request: { params: DestinationParams, query: HistoryQuery },
    responses: { 200: json(pageOf(Delivery), "A page of deliveries."), ...errorResponses },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const { limit, cursor, status } = c.req.valid("query");
    const found = await findDestination(db, c.get("workspaceUuid"), c.req.valid("param").id);
    if (!found) throw notFound("destination");
    const rows = await listDeliveries(db, found.row.id, limit, { before: cursor, status });
    const { data, next_cursor } = page(rows, limit);
    return c.json({ data: data.map(deliveryJson), next_cursor }, 200);
  },
);

deliveryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/workspaces/{ws}/deliveries/{delivery_id}",
    tags,
    summary: "A delivery with all its attempts",
    security: workspaceSecurity,
    request: { params: DeliveryParams },
    responses: {
      200: json(DeliveryWithAttempts, "The delivery and its attempts, oldest first."),
      ...errorResponses,
    },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const row = await findDelivery(db, c.get("workspaceUuid"), c.req.valid("param").delivery_id);
    if (!row) throw notFound("delivery");
    const attempts = await attemptsOf(db, row.id);
    return c.json({ ...deliveryJson(row), attempts: attempts.map(attemptJson) }, 200);
  },
);

deliveryRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/workspaces/{ws}/deliveries/{delivery_id}/redeliver",
    tags,
    summary: "Redeliver",
    description: "Sends the same event to the same destination again, as a new delivery.",
    security: workspaceSecurity,
    request: { params: DeliveryParams },
    responses: {
      202: json(Delivery, "The new delivery."),
      409: { description: "The destination is disabled." },
      ...errorResponses,
    },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const workspaceUuid = c.get("workspaceUuid");
    const original = await findDelivery(db, workspaceUuid, c.req.valid("param").delivery_id);
    if (!original) throw notFound("delivery");
    const destination = await findDestination(db, workspaceUuid, original.destinationId);
    if (!destination) throw notFound("delivery");
    if (!destination.row.enabled) throw conflict(disabledDetail(destination.row.disabledReason));
    return c.json(deliveryJson(await redeliver(db, c.env.DELIVERY_QUEUE, original)), 202);
  },
);
