// The HTTP API: each feature's router mounted at its base path (its auth is attached inside the
// module), one error shape for all, and the OpenAPI document generated from the routes.

import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { dashboardRoutes } from "./dashboard/router";
import type { AppEnv } from "./http/types";
import { inboxRoutes } from "./inbox/routes";
import { MAX_REQUEST_BYTES } from "./limits";
import { ProblemError, problemResponse } from "./problem";
import { catalogRoutes } from "./routes/catalog";
import { deliveryRoutes } from "./routes/deliveries";
import { destinationRoutes } from "./routes/destinations";
import { eventRoutes } from "./routes/events";
import { workspaceRoutes } from "./routes/workspaces";

export const app = new OpenAPIHono<AppEnv>();

const requestBodyLimit = bodyLimit({
  maxSize: MAX_REQUEST_BYTES,
  onError: () => {
    throw new ProblemError(413, `The request body is larger than ${MAX_REQUEST_BYTES} bytes.`);
  },
});
// A batch of events has its own, larger limit (src/routes/event-batch.ts).
app.use("/v1/*", (c, next) => (/\/events\/batch$/.test(c.req.path) ? next() : requestBodyLimit(c, next)));

app.route("/", catalogRoutes);
app.route("/v1/workspaces", workspaceRoutes);
app.route("/v1/workspaces/:ws/destinations", destinationRoutes);
app.route("/v1/workspaces/:ws/deliveries", deliveryRoutes);
app.route("/v1/workspaces/:ws/events", eventRoutes);
// Development only (docs/inbox.md): every /dev/… path is a 404 where configOf(env).devTools is false.
app.route("/dev", inboxRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "workspaceKey", {
  type: "http",
  scheme: "bearer",
  description: "A workspace API key (`lpk_…`). It sees only its own workspace.",
});
app.openAPIRegistry.registerComponent("securitySchemes", "operatorToken", {
  type: "http",
  scheme: "bearer",
  description: "The operator token (Worker secret OPERATOR_TOKEN).",
});
app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "Leadpush Webhooks",
    version: "1.0.0",
    description:
      "Manage webhook destinations and deliver contact events to them, signed (Standard Webhooks).",
  },
});

// The dashboard (sign-in at /, workspaces under /w/) and the API reference at /docs, rendered from the
// document /openapi.json serves.
app.route(
  "/",
  dashboardRoutes(() => Promise.resolve(app.request("/openapi.json")).then((response) => response.json())),
);

const VALIDATOR_MESSAGES: Record<number, string> = {
  400: "The request body is not valid JSON.",
  415: "Send the request body as JSON with `Content-Type: application/json`.",
};

app.notFound(() =>
  problemResponse(new ProblemError(404, "No such route. The API is described at /openapi.json.")),
);

app.onError((error) => {
  if (error instanceof ProblemError) return problemResponse(error);
  if (error instanceof HTTPException && error.status < 500) {
    const detail = VALIDATOR_MESSAGES[error.status] ?? error.message;
    return problemResponse(new ProblemError(error.status as 400, detail));
  }
  // Log the message only: a stack or request body could carry a secret.
  console.error("unhandled error", error instanceof Error ? error.message : String(error));
  return problemResponse(new ProblemError(500, "Something went wrong on our side. Please retry."));
});
