// /v1/workspaces, for the operator: create workspaces, issue and revoke their API keys.
// The operator check is per route: this router's base path is also the prefix of every workspace route.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { requireOperator } from "../http/auth";
import { errorResponses, idParam, json, jsonBody, operatorSecurity, WorkspaceParam } from "../http/openapi";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { notFound } from "../problem";
import { forgetKey } from "../workspaces/key-cache";
import { createWorkspace, issueApiKey, revokeApiKey } from "../workspaces/store";

const tags = ["Workspaces (operator)"];

const WorkspaceCreate = z
  .object({ name: z.string().trim().min(1, "the name must not be blank").max(100) })
  .strict()
  .openapi("WorkspaceCreate");

const WorkspaceCreated = z
  .object({ uuid: z.string().uuid(), name: z.string(), api_key: z.string() })
  .openapi("WorkspaceCreated");

const ApiKeyCreated = z.object({ id: z.string(), api_key: z.string() }).openapi("ApiKeyCreated");

export const workspaceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

workspaceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    middleware: [requireOperator],
    tags,
    summary: "Create a workspace",
    description: "Creates a workspace and its first API key. The key is shown only in this response.",
    security: operatorSecurity,
    request: { body: jsonBody(WorkspaceCreate) },
    responses: { 201: json(WorkspaceCreated, "The workspace and its first API key."), ...errorResponses },
  }),
  async (c) => {
    const created = await createWorkspace(database(c.env.DB), c.req.valid("json").name);
    c.header("Cache-Control", "no-store");
    return c.json({ uuid: created.uuid, name: created.name, api_key: created.apiKey }, 201);
  },
);

workspaceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{ws}/api-keys",
    middleware: [requireOperator],
    tags,
    summary: "Issue an API key",
    security: operatorSecurity,
    request: { params: WorkspaceParam },
    responses: { 201: json(ApiKeyCreated, "The new key, shown only in this response."), ...errorResponses },
  }),
  async (c) => {
    const issued = await issueApiKey(database(c.env.DB), c.req.valid("param").ws);
    if (!issued) throw notFound("workspace");
    c.header("Cache-Control", "no-store");
    return c.json({ id: issued.id, api_key: issued.apiKey }, 201);
  },
);

workspaceRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{ws}/api-keys/{id}",
    middleware: [requireOperator],
    tags,
    summary: "Revoke an API key",
    security: operatorSecurity,
    request: { params: WorkspaceParam.extend({ id: idParam("id") }) },
    responses: {
      204: {
        description:
          "Revoked: the key answers 401 from now on (servers that saw it in the last 30 s may accept it until then).",
      },
      ...errorResponses,
    },
  }),
  async (c) => {
    const { ws, id } = c.req.valid("param");
    if (!(await revokeApiKey(database(c.env.DB), ws, id))) throw notFound("API key");
    forgetKey(id);
    return c.body(null, 204);
  },
);
