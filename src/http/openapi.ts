// Shared pieces of route definitions: error responses and security, declared once.
import { z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../ids";

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), pointer: z.string(), detail: z.string() })).optional(),
  })
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

export const errorResponses = {
  400: problem("The request is invalid; `errors` names each field and why."),
  401: problem("Missing, invalid or revoked credentials."),
  404: problem("No such resource in this workspace."),
  413: problem("The request body is too large."),
  415: problem("The request body is not JSON."),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const workspaceSecurity = [{ workspaceKey: [] }];
export const operatorSecurity = [{ operatorToken: [] }];

export const WorkspaceParam = z.object({
  ws: z
    .string()
    .uuid()
    .openapi({ param: { name: "ws", in: "path" }, example: "6f1d2c1e-0f3a-4b8e-9c35-2b6f0e7d9a10" }),
});

/** A path parameter holding one of our ids; a malformed one answers 404 like an unknown one. */
export const idParam = (name: string) =>
  z
    .string()
    .regex(ID_PATTERN)
    .openapi({ param: { name, in: "path" } });
