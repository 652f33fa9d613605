// /v1/workspaces/{ws}/destinations: create, read, list, update, delete, rotate the signing secret.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { generateSigningSecret } from "../delivery/sign";
import { urlPolicyError } from "../destinations/rules";
import {
  Destination,
  DestinationCreate,
  type DestinationCreateInput,
  DestinationUpdate,
  DestinationWithSecret,
  RotateSecretRequest,
  RotateSecretResponse,
} from "../destinations/schema";
import {
  deleteDestination,
  destinationJson,
  findDestination,
  insertDestination,
  listDestinations,
  updateDestination,
} from "../destinations/store";
import { errorResponses, json, jsonBody, WorkspaceParam, workspaceSecurity } from "../http/openapi";
import { PageQuery, page, pageOf } from "../http/pagination";
import { fieldError, invalid, notFound } from "../http/problem";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { ID_PATTERN, newId } from "../ids";
import { encryptSecret, secretHint } from "../secrets/at-rest";

const DestinationParams = WorkspaceParam.extend({
  id: z
    .string()
    .regex(ID_PATTERN)
    .openapi({ param: { name: "id", in: "path" } }),
});

const base = "/v1/workspaces/{ws}/destinations";
const tags = ["Destinations"];

function assertPublicUrl(env: Env, urlTemplate: string | undefined) {
  if (urlTemplate === undefined) return;
  const reason = urlPolicyError(urlTemplate, env.ALLOW_PRIVATE_DESTINATIONS === "true");
  if (reason) throw invalid([fieldError(["url_template"], reason)]);
}

/** fetch cannot send a GET with a body, so the combination is refused when it is saved. */
function assertBodyFitsMethod(method: string, bodyTemplate: string | null) {
  if (method === "GET" && bodyTemplate !== null) {
    throw invalid([
      fieldError(
        ["body_template"],
        "a GET request carries no body; clear body_template or use another method",
      ),
    ]);
  }
}

export const destinationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

destinationRoutes.openapi(
  createRoute({
    method: "post",
    path: base,
    tags,
    summary: "Create a destination",
    description: "Creates a destination. The response carries the signing secret; it is never shown again.",
    security: workspaceSecurity,
    request: { params: WorkspaceParam, body: jsonBody(DestinationCreate) },
    responses: {
      201: json(DestinationWithSecret, "The destination, with its signing secret."),
      ...errorResponses,
    },
  }),
  async (c) => {
    const input: DestinationCreateInput = c.req.valid("json");
    assertPublicUrl(c.env, input.url_template);
    assertBodyFitsMethod(input.method, input.body_template);
    const workspaceUuid = c.get("workspaceUuid");
    const id = newId("dst");
    const secret = generateSigningSecret();
    const now = Date.now();
    const row = {
      id,
      workspaceUuid,
      name: input.name,
      enabled: input.enabled,
      method: input.method,
      urlTemplate: input.url_template,
      headersTemplate: input.headers_template,
      queryTemplate: input.query_template,
      bodyTemplate: input.body_template,
      timeoutSeconds: input.timeout_seconds,
      secretCiphertext: await encryptSecret(c.env.SECRET_ENCRYPTION_KEY, id, secret),
      secretHint: secretHint(secret),
      secretVersion: 1,
      previousSecretCiphertext: null,
      previousSecretExpiresAt: null,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    };
    await insertDestination(database(c.env.DB), row, input.event_types);
    c.header("Location", `/v1/workspaces/${workspaceUuid}/destinations/${id}`);
    c.header("Cache-Control", "no-store");
    return c.json({ ...destinationJson(row, input.event_types), secret }, 201);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "get",
    path: base,
    tags,
    summary: "List destinations",
    description: "Newest first. Pass `next_cursor` back as `cursor` for the next page.",
    security: workspaceSecurity,
    request: { params: WorkspaceParam, query: PageQuery },
    responses: { 200: json(pageOf(Destination), "A page of destinations."), ...errorResponses },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const rows = await listDestinations(database(c.env.DB), c.get("workspaceUuid"), limit, cursor);
    return c.json(page(rows, limit), 200);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "get",
    path: `${base}/{id}`,
    tags,
    summary: "Read a destination",
    security: workspaceSecurity,
    request: { params: DestinationParams },
    responses: { 200: json(Destination, "The destination (never its secret)."), ...errorResponses },
  }),
  async (c) => {
    const found = await findDestination(database(c.env.DB), c.get("workspaceUuid"), c.req.valid("param").id);
    if (!found) throw notFound("destination");
    return c.json(destinationJson(found.row, found.eventTypes), 200);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "patch",
    path: `${base}/{id}`,
    tags,
    summary: "Update a destination",
    description:
      "Partial update: only the fields present change. `event_types`, when present, replaces the set.",
    security: workspaceSecurity,
    request: { params: DestinationParams, body: jsonBody(DestinationUpdate) },
    responses: { 200: json(Destination, "The updated destination."), ...errorResponses },
  }),
  async (c) => {
    const patch = c.req.valid("json");
    const { id } = c.req.valid("param");
    const workspaceUuid = c.get("workspaceUuid");
    const db = database(c.env.DB);
    const current = await findDestination(db, workspaceUuid, id);
    if (!current) throw notFound("destination");
    assertPublicUrl(c.env, patch.url_template);
    assertBodyFitsMethod(
      patch.method ?? current.row.method,
      patch.body_template === undefined ? current.row.bodyTemplate : patch.body_template,
    );
    if (!(await updateDestination(db, workspaceUuid, id, patch))) throw notFound("destination");
    const found = await findDestination(db, workspaceUuid, id);
    if (!found) throw notFound("destination");
    return c.json(destinationJson(found.row, found.eventTypes), 200);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "delete",
    path: `${base}/{id}`,
    tags,
    summary: "Delete a destination",
    description: "Removes the destination, its subscriptions, its deliveries and their attempts.",
    security: workspaceSecurity,
    request: { params: DestinationParams },
    responses: { 204: { description: "Deleted." }, ...errorResponses },
  }),
  async (c) => {
    const deleted = await deleteDestination(
      database(c.env.DB),
      c.get("workspaceUuid"),
      c.req.valid("param").id,
    );
    if (!deleted) throw notFound("destination");
    return c.body(null, 204);
  },
);

destinationRoutes.openapi(
  createRoute({
    method: "post",
    path: `${base}/{id}/rotate-secret`,
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
    const coordinator = c.env.WORKSPACE.getByName(workspaceUuid);
    const rotated = await coordinator.rotateSecret(workspaceUuid, c.req.valid("param").id, graceSeconds);
    if (!rotated) throw notFound("destination");
    c.header("Cache-Control", "no-store");
    return c.json(rotated, 200);
  },
);
