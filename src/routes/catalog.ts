// Public, unauthenticated: the event catalog and the health check. Mounted at the root.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import {
  CONTACT_EVENT_TYPES,
  EVENT_TYPE_DESCRIPTIONS,
  type EventType,
  isOperational,
  OPERATIONAL_EVENT_TYPES,
  TEST_EVENT_TYPE,
} from "../events/catalog";
import { json } from "../http/openapi";
import type { AppEnv } from "../http/types";

const EventTypeList = z
  .object({
    data: z.array(
      z.object({
        type: z.string(),
        description: z.string(),
        subscribable: z.boolean(),
        operational: z.boolean().openapi({
          description: "Emitted by the service about a destination (docs/lifecycle.md); never ingested.",
        }),
      }),
    ),
  })
  .openapi("EventTypeList");

export const catalogRoutes = new OpenAPIHono<AppEnv>();

catalogRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/event-types",
    tags: ["Events"],
    summary: "The event catalog",
    responses: { 200: json(EventTypeList, "Every event type; `webhook.test` is sent on request only.") },
  }),
  (c) => {
    const types: EventType[] = [...CONTACT_EVENT_TYPES, ...OPERATIONAL_EVENT_TYPES, TEST_EVENT_TYPE];
    const data = types.map((type) => ({
      type,
      description: EVENT_TYPE_DESCRIPTIONS[type],
      subscribable: type !== TEST_EVENT_TYPE,
      operational: isOperational(type),
    }));
    return c.json({ data }, 200);
  },
);

catalogRoutes.openapi(
  createRoute({
    method: "get",
    path: "/healthz",
    tags: ["Operations"],
    summary: "Readiness",
    responses: { 200: json(z.object({ status: z.literal("ok") }), "The worker is serving.") },
  }),
  (c) => c.json({ status: "ok" as const }, 200),
);
