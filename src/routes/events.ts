// POST /v1/workspaces/{ws}/events: a contact event in, one queued delivery per subscribed destination out.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { database } from "../db/client";
import { Delivery, deliveryJson } from "../deliveries/schema";
import { ingestEvent, LISTED_DELIVERIES } from "../events/ingest";
import { EventIngest, MAX_EVENT_BYTES } from "../events/schema";
import { requireWorkspaceKey } from "../http/auth";
import { errorResponses, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import { ProblemError } from "../http/problem";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";

const Ingested = z
  .object({
    event_id: z.string().openapi({ description: "Your `id` when you sent one, else one we made (`evt_…`)." }),
    delivery_count: z.number().int().openapi({ description: "How many deliveries the event fanned out to." }),
    deliveries: z.array(Delivery).openapi({ description: `The first ${LISTED_DELIVERIES} of them, by id.` }),
  })
  .openapi("EventAccepted");

export const eventRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
eventRoutes.use(
  // Events are smaller than destinations: 64 KiB is the contract.
  bodyLimit({
    maxSize: MAX_EVENT_BYTES,
    onError: () => {
      throw new ProblemError(413, `An event must be at most ${MAX_EVENT_BYTES} bytes.`);
    },
  }),
  requireWorkspaceKey,
);

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
      "carries `Idempotent-Replayed: true`). An event is at most 64 KiB and nests at most 32 levels.",
    security: workspaceSecurity,
    request: { params: WorkspaceParam, body: jsonBody(EventIngest) },
    responses: { 202: json(Ingested, "Accepted; deliveries are on their way."), ...errorResponses },
  }),
  async (c) => {
    const later = (work: Promise<void>) => c.executionCtx.waitUntil(work);
    const db = database(c.env.DB);
    const result = await ingestEvent(
      db,
      c.env.DELIVERY_QUEUE,
      c.get("workspaceUuid"),
      c.req.valid("json"),
      later,
    );
    if (result.replayed) c.header("Idempotent-Replayed", "true");
    const { eventId, deliveryCount, deliveries } = result;
    return c.json(
      { event_id: eventId, delivery_count: deliveryCount, deliveries: deliveries.map(deliveryJson) },
      202,
    );
  },
);
