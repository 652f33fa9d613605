// /v1/workspaces/{ws}/events: a contact event in, one queued delivery per subscribed destination out; a
// stored event read back with why each destination did or did not get it, and replayed.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { database } from "../db/client";
import { Delivery, deliveryJson } from "../deliveries/schema";
import { explainEvent, NO_DELIVERY_REASONS, readEvent } from "../events/explain";
import { ingestEvent } from "../events/ingest";
import { replayEvent } from "../events/replay";
import { EventIngest } from "../events/schema";
import { HistoryView } from "../history/client";
import { requireWorkspaceKey } from "../http/auth";
import { errorResponses, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import { PageQuery, page } from "../http/pagination";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { ID_PATTERN } from "../ids";
import { LISTED_DELIVERIES, MAX_EVENT_BYTES, MAX_EVENT_DEPTH, REPLAY_DESTINATIONS_MAX } from "../limits";
import { notFound, ProblemError } from "../problem";
import { batchRoute, ingestBatch } from "./event-batch";

const Ingested = z
  .object({
    event_id: z.string().openapi({ description: "Your `id` when you sent one, else one we made (`evt_…`)." }),
    delivery_count: z.number().int().openapi({ description: "How many deliveries the event fanned out to." }),
    deliveries: z.array(Delivery).openapi({ description: `The first ${LISTED_DELIVERIES} of them, by id.` }),
  })
  .openapi("EventAccepted");

export const eventRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
eventRoutes.use(requireWorkspaceKey);
// Events are smaller than destinations: 64 KiB is the contract (a batch has its own limit).
const eventBodyLimit = bodyLimit({
  maxSize: MAX_EVENT_BYTES,
  onError: () => {
    throw new ProblemError(413, `An event must be at most ${MAX_EVENT_BYTES} bytes.`);
  },
});
eventRoutes.openapi(batchRoute, ingestBatch);

eventRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["Events"],
    summary: "Ingest a contact event",
    description:
      "Stores the event and queues one delivery per enabled destination subscribed to its type. Your `id`, when " +
      "you send one, is the event's id everywhere (`event.id` in payloads and templates, each delivery's " +
      "`event_id`); sending the same `id` again returns the first result and queues nothing (the response then " +
      `carries \`Idempotent-Replayed: true\`). An event is at most ${MAX_EVENT_BYTES / 1024} KiB and nests at most ${MAX_EVENT_DEPTH} levels.`,
    security: workspaceSecurity,
    middleware: [eventBodyLimit] as const,
    request: { params: WorkspaceParam, body: jsonBody(EventIngest) },
    responses: { 202: json(Ingested, "Accepted; deliveries are on their way."), ...errorResponses },
  }),
  async (c) => {
    const later = (work: Promise<void>) => c.executionCtx.waitUntil(work);
    const result = await ingestEvent(c.env, c.get("workspaceUuid"), c.req.valid("json"), later);
    if (result.status === "duplicate") c.header("Idempotent-Replayed", "true");
    const { eventId, deliveryCount, deliveries } = result;
    return c.json(
      { event_id: eventId, delivery_count: deliveryCount, deliveries: deliveries.map(deliveryJson) },
      202,
    );
  },
);

const EventParams = WorkspaceParam.extend({
  event_id: z
    .string()
    .min(1)
    .max(255)
    .openapi({ param: { name: "event_id", in: "path" }, description: "The event's id (yours, or `evt_…`)." }),
});

const DestinationVerdict = z
  .object({
    id: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    deliveries: z.array(Delivery).openapi({ description: "Its deliveries of this event, oldest first." }),
    reason: z
      .enum(NO_DELIVERY_REASONS)
      .nullable()
      .openapi({
        description:
          "Why it has no delivery (null when it has one): `not_subscribed` to the type; `disabled`; " +
          "`filtered_out` by its filter; `created_after` the event; `about_itself` (an operational event about " +
          "it); `changed_since`: it would get it now, but was not subscribed, enabled or matching then.",
      }),
    detail: z.string().nullable().openapi({
      description:
        "For `filtered_out`, the first condition that failed; for `disabled`, why it was disabled.",
    }),
  })
  .openapi("EventDestination");

const EventExplained = z
  .object({
    event: z.object({
      id: z.string(),
      type: z.string(),
      occurred_at: z.string().nullable(),
      created_at: z.string(),
      payload: z.record(z.string(), z.unknown()),
    }),
    destinations: z.array(DestinationVerdict),
    next_cursor: z.string().nullable(),
  })
  .openapi("EventExplained");

eventRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{event_id}",
    tags: ["Events"],
    summary: "An event, and why each destination did or did not get it",
    description:
      "The stored event with, for a page of the workspace's destinations (by id; pass `next_cursor` back as " +
      "`cursor`), its deliveries of the event or the reason it has none. Events are kept as long as their " +
      "deliveries (`RETENTION_DAYS`).",
    security: workspaceSecurity,
    request: { params: EventParams, query: PageQuery },
    responses: { 200: json(EventExplained, "The event and its destinations."), ...errorResponses },
  }),
  async (c) => {
    const view = new HistoryView(c.env, c.get("workspaceUuid"));
    const event = await readEvent(view, c.req.valid("param").event_id);
    if (!event) throw notFound("event");
    const { limit, cursor } = c.req.valid("query");
    const verdicts = await explainEvent(database(c.env.DB), view, event, limit, cursor);
    const { data, next_cursor } = page(verdicts, limit);
    const occurred = (event.payload.event as { occurred_at?: unknown } | undefined)?.occurred_at;
    return c.json(
      {
        event: {
          id: event.id,
          type: event.type,
          occurred_at: typeof occurred === "string" ? occurred : null,
          created_at: new Date(event.createdAt).toISOString(),
          payload: event.payload,
        },
        destinations: data.map((d) => ({ ...d, deliveries: d.deliveries.map(deliveryJson) })),
        next_cursor,
      },
      200,
    );
  },
);

const ReplayRequest = z
  .object({
    destination_ids: z
      .array(z.string().regex(ID_PATTERN, "must be a destination id (dst_…)"))
      .min(1)
      .max(REPLAY_DESTINATIONS_MAX)
      .optional()
      .openapi({
        description: `Where to send it (at most ${REPLAY_DESTINATIONS_MAX}); by default every enabled destination subscribed to its type now whose filter it passes.`,
      }),
  })
  .strict()
  .openapi("ReplayRequest");

eventRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{event_id}/replay",
    tags: ["Events"],
    summary: "Replay a stored event",
    description:
      "Sends the stored event again, as new deliveries (new ids, attempts from 1), to the destinations named " +
      "or by default to every enabled destination now subscribed to its type whose filter it passes. An " +
      "operational event is never sent to the destination it is about.",
    security: workspaceSecurity,
    middleware: [eventBodyLimit] as const,
    request: { params: EventParams, body: { ...jsonBody(ReplayRequest), required: false } },
    responses: {
      202: json(Ingested, "Queued."),
      422: {
        description: "A named destination is not this workspace's, is disabled, or is the event's subject.",
      },
      ...errorResponses,
    },
  }),
  async (c) => {
    const workspaceUuid = c.get("workspaceUuid");
    const event = await readEvent(new HistoryView(c.env, workspaceUuid), c.req.valid("param").event_id);
    if (!event) throw notFound("event");
    const later = (work: Promise<void>) => c.executionCtx.waitUntil(work);
    const named = c.req.valid("json")?.destination_ids;
    const replayed = await replayEvent(c.env, workspaceUuid, event, named, later);
    if (!replayed.ok) {
      const [first] = replayed.errors;
      throw new ProblemError(422, `${first?.field}: ${first?.detail}`, {
        errors: replayed.errors,
        slug: "destination-unavailable",
      });
    }
    const { deliveries } = replayed;
    return c.json(
      {
        event_id: event.id,
        delivery_count: deliveries.length,
        deliveries: deliveries.slice(0, LISTED_DELIVERIES).map(deliveryJson),
      },
      202,
    );
  },
);
