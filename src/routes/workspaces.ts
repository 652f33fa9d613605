// Tenancy, for the operator: create workspaces, issue and revoke their API keys.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { database } from "../db/client";
import { apiKeys, workspaces } from "../db/schema";
import { generateApiKey, hashApiKey } from "../http/auth";
import { errorResponses, json, jsonBody, operatorSecurity, WorkspaceParam } from "../http/openapi";
import { notFound } from "../http/problem";
import type { AppEnv } from "../http/types";
import { validationHook } from "../http/validation";
import { ID_PATTERN, newId } from "../ids";

const tags = ["Workspaces (operator)"];

const WorkspaceCreate = z
  .object({ name: z.string().trim().min(1, "the name must not be blank").max(100) })
  .strict()
  .openapi("WorkspaceCreate");

const WorkspaceCreated = z
  .object({ uuid: z.string().uuid(), name: z.string(), api_key: z.string() })
  .openapi("WorkspaceCreated");

const ApiKeyCreated = z.object({ id: z.string(), api_key: z.string() }).openapi("ApiKeyCreated");

async function issueKey(db: ReturnType<typeof database>, workspaceUuid: string) {
  const key = generateApiKey();
  const row = { id: newId("key"), workspaceUuid, keyHash: await hashApiKey(key), createdAt: Date.now() };
  return { row, key, insert: db.insert(apiKeys).values(row) };
}

export const workspaceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

workspaceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/workspaces",
    tags,
    summary: "Create a workspace",
    description: "Creates a workspace and its first API key. The key is shown only in this response.",
    security: operatorSecurity,
    request: { body: jsonBody(WorkspaceCreate) },
    responses: { 201: json(WorkspaceCreated, "The workspace and its first API key."), ...errorResponses },
  }),
  async (c) => {
    const { name } = c.req.valid("json");
    const db = database(c.env.DB);
    const uuid = crypto.randomUUID();
    const { key, insert } = await issueKey(db, uuid);
    await db.batch([db.insert(workspaces).values({ uuid, name, createdAt: Date.now() }), insert]);
    c.header("Cache-Control", "no-store");
    return c.json({ uuid, name, api_key: key }, 201);
  },
);

workspaceRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/workspaces/{ws}/api-keys",
    tags,
    summary: "Issue an API key",
    security: operatorSecurity,
    request: { params: WorkspaceParam },
    responses: { 201: json(ApiKeyCreated, "The new key, shown only in this response."), ...errorResponses },
  }),
  async (c) => {
    const { ws } = c.req.valid("param");
    const db = database(c.env.DB);
    const exists = await db
      .select({ uuid: workspaces.uuid })
      .from(workspaces)
      .where(eq(workspaces.uuid, ws))
      .get();
    if (!exists) throw notFound("workspace");
    const { row, key, insert } = await issueKey(db, ws);
    await insert;
    c.header("Cache-Control", "no-store");
    return c.json({ id: row.id, api_key: key }, 201);
  },
);

workspaceRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/workspaces/{ws}/api-keys/{id}",
    tags,
    summary: "Revoke an API key",
    security: operatorSecurity,
    request: {
      params: WorkspaceParam.extend({
        id: z
          .string()
          .regex(ID_PATTERN)
          .openapi({ param: { name: "id", in: "path" } }),
      }),
    },
    responses: { 204: { description: "Revoked; the key answers 401 from now on." }, ...errorResponses },
  }),
  async (c) => {
    const { ws, id } = c.req.valid("param");
    const revoked = await database(c.env.DB)
      .update(apiKeys)
      .set({ revokedAt: Date.now() })
      .where(and(eq(apiKeys.workspaceUuid, ws), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    if (!revoked.length) throw notFound("API key");
    return c.body(null, 204);
  },
);
