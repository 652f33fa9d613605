// /v1/workspaces/{ws}/destinations: create, read, list, update, delete, rotate the signing secret.
// A destination's deliveries (test, preview, history) are in destination-deliveries.ts, mounted here.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { createDestination, patchDestination } from "../destinations/save";
import {
  Destination,
  DestinationCreate,
  DestinationUpdate,
  DestinationWithSecret,
  RotateSecretRequest,
  RotateSecretResponse,
} from "../destinations/schema";
import { deleteDestination, listDestinations, readDestination } from "../destinations/store";
import { requireWorkspaceKey } from "../http/auth";
import { errorResponses, idParam, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import { PageQuery, page, pageOf } from "../http/pagination";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { notFound } from "../problem";
import { rotateDestinationSecret } from "../workspaces/rotation";
import { destinationDeliveryRoutes } from "./destination-deliveries";
import { destinationRecoveryRoutes } from "./destination-recoveries";

const DestinationParams = WorkspaceParam.extend({ id: idParam("id") });
const tags = ["Destinations"];

export const destinationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
destinationRoutes.use(requireWorkspaceKey);

destinationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags,
    summary: "Create a destination",
    description: "Creates a destination. The response carries the signing secret; it is never shown again.",
    security: workspaceSecurity,
    request: { params: WorkspaceParam, body: jsonBody(DestinationCreate) },
    responses: {
      201: json(DestinationWithSecret, "The destination, with its signing secret."),
      409: { description: "The workspace already has the most destinations it may have (10,000)." },
      ...errorResponses,
    },
  }),
  async (c) => {
    const workspaceUuid = c.get("workspaceUuid");
    const { destination, secret } = await createDestination(c.env, workspaceUuid, c.req.valid("json"));
    c.header("Location", `/v1/workspaces/${workspaceUuid}/destinations/${destination.id}`);
    c.header("Cache-Control", "no-store");
    return c.json({ ...destination, secret }, 201);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags,
    summary: "List destinations",
    description: "Newest first. Pass `next_cursor` back as `cursor` for the next page.",
    security: workspaceSecurity,
    request: { params: WorkspaceParam, query: PageQuery },
    responses: { 200: json(pageOf(Destination), "A page of destinations."), ...errorResponses },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const rows = await listDestinations(c.env, c.get("workspaceUuid"), limit, cursor);
    return c.json(page(rows, limit), 200);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags,
    summary: "Read a destination",
    security: workspaceSecurity,
    request: { params: DestinationParams },
    responses: { 200: json(Destination, "The destination (never its secret)."), ...errorResponses },
  }),
  async (c) => {
    const found = await readDestination(c.env, c.get("workspaceUuid"), c.req.valid("param").id);
    if (!found) throw notFound("destination");
    return c.json(found, 200);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags,
    summary: "Update a destination",
    description:
      "Partial update: only the fields present change. `event_types`, when present, replaces the set.",
    security: workspaceSecurity,
    request: { params: DestinationParams, body: jsonBody(DestinationUpdate) },
    responses: { 200: json(Destination, "The updated destination."), ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const updated = await patchDestination(c.env, c.get("workspaceUuid"), id, c.req.valid("json"));
    if (!updated) throw notFound("destination");
    return c.json(updated, 200);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags,
    summary: "Delete a destination",
    description: "Removes the destination, its subscriptions, its deliveries and their attempts.",
    security: workspaceSecurity,
    request: { params: DestinationParams },
    responses: { 204: { description: "Deleted." }, ...errorResponses },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteDestination(c.env, c.get("workspaceUuid"), id))) {
      throw notFound("destination");
    }
    return c.body(null, 204);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/rotate-secret",
    tags,
    summary: "Rotate the signing secret",
    description:
      "Replaces the signing secret and returns the new one (shown only here). With `grace_seconds`, deliveries " +
      "keep a second signature made with the previous secret until the grace period ends.",
    security: workspaceSecurity,
    request: { params: DestinationParams, body: { ...jsonBody(RotateSecretRequest), required: false } },
    responses: { 200: json(RotateSecretResponse, "The secret now in force."), ...errorResponses },
  }),
  async (c) => {
    // An absent body skips validation and arrives as {}: no grace period.
    const graceSeconds = c.req.valid("json").grace_seconds ?? 0;
    const workspaceUuid = c.get("workspaceUuid");
    const rotated = await rotateDestinationSecret(
      c.env,
      workspaceUuid,
      c.req.valid("param").id,
      graceSeconds,
    );
    if (!rotated) throw notFound("destination");
    c.header("Cache-Control", "no-store");
    return c.json(rotated, 200);
  },
);

destinationRoutes.route("/", destinationDeliveryRoutes);
destinationRoutes.route("/", destinationRecoveryRoutes);
