// POST /v1/workspaces/{ws}/events: a contact event in, one queued delivery per subscribed destination out.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { Delivery } from "../deliveries/schema";
import { deliveryJson } from "../deliveries/store";
import { ingestEvent } from "../events/ingest";
import { EventIngest } from "../events/schema";
import { errorResponses, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";

const Ingested = z.object({ event_id: z.string(), deliveries: z.array(Delivery) }).openapi("EventAccepted");

export const eventRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

eventRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/workspaces/{ws}/events",
    tags: ["Events"],
    summary: "Ingest a contact event",
    description:
      "Stores the event and queues one delivery per enabled destination subscribed to its type. Sending the " +
      "same `id` again returns the first result and queues nothing (the response then carries " +
      "`Idempotent-Replayed: true`).",
    security: workspaceSecurity,
    request: { params: WorkspaceParam, body: jsonBody(EventIngest) },
    responses: { 202: json(Ingested, "Accepted; deliveries are on their way."), ...errorResponses },
  }),
  async (c) => {
    const result = await ingestEvent(
      database(c.env.DB),
      c.env.DELIVERY_QUEUE,
      c.get("workspaceUuid"),
      c.req.valid("json"),
    );
    if (result.replayed) c.header("Idempotent-Replayed", "true");
    return c.json({ event_id: result.eventId, deliveries: result.deliveries.map(deliveryJson) }, 202);
  },
);
