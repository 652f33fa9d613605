// Bearer authentication: the operator token for tenancy routes, a workspace API key for the rest.
import { createMiddleware } from "hono/factory";
import { database } from "../db/client";
import { notFound, ProblemError } from "../problem";
import { lookupActiveKey } from "../workspaces/key-cache";
import { API_KEY_PREFIX } from "../workspaces/store";
import type { AppEnv } from "./types";

const unauthorized = (detail: string) =>
  new ProblemError(401, detail, { headers: { "WWW-Authenticate": 'Bearer realm="leadpush"' } });

function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer[ ]+([^\s]+)[ ]*$/i);
  return match?.[1] ?? null;
}

/** Compares digests, not the strings, so the comparison time says nothing about the token. */
async function equalsInConstantTime(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}

export const requireOperator = createMiddleware<AppEnv>(async function requireOperator(c, next) {
  const token = bearerToken(c.req.header("authorization"));
  const expected = c.env.OPERATOR_TOKEN;
  if (!token || !expected || !(await equalsInConstantTime(token, expected))) {
    throw unauthorized("This route needs the operator token as a Bearer token.");
  }
  await next();
});

/**
 * A workspace API key sees only its own workspace: a key for another workspace gets 404, the same
 * answer as a workspace that does not exist, so ids of other tenants cannot be probed.
 */
export const requireWorkspaceKey = createMiddleware<AppEnv>(async function requireWorkspaceKey(c, next) {
  const token = bearerToken(c.req.header("authorization"));
  if (!token?.startsWith(API_KEY_PREFIX) || token.length > 200) {
    throw unauthorized("Send a workspace API key as `Authorization: Bearer lpk_…`.");
  }
  const key = await lookupActiveKey(database(c.env.DB), token);
  if (!key) throw unauthorized("The API key is not valid or has been revoked.");
  if (key.workspaceUuid !== c.req.param("ws")) throw notFound("workspace");
  c.set("workspaceUuid", key.workspaceUuid);
  await next();
});
