// The local inbox (docs/inbox.md): in development the worker is also a receiver. Any method on
// /dev/inbox/{name}[/…] is kept (the last 500 per name) and answered 200, or `?status=NNN`;
// GET /dev/inbox/{name}/requests lists them newest first with their signature verdict, DELETE clears.
// Where configOf(env).devTools is false — production — every /dev/… path is the API's 404.

import { type Context, Hono } from "hono";
import { configOf } from "../config";
import type { AppEnv } from "../http/types";
import { INBOX_BODY_BYTES, INBOX_KEEP } from "../limits";
import { ProblemError } from "../problem";
import { inboxName, inboxUrl } from "./address";
import type { InboxRequest } from "./inbox";
import { verifyInboxRequest } from "./verify";

/** The inbox's Durable Object for a valid name. */
export const inboxStub = (env: Env, name: string) => env.INBOX.get(env.INBOX.idFromName(name));

/** The inbox requests of `name`, newest first (the dashboard's page reads these too). */
export async function listInbox(
  env: Env,
  name: string,
  limit = INBOX_KEEP,
  after = 0,
): Promise<InboxRequest[]> {
  // RPC types a [name, value] tuple as string[]; the object returns exactly what it stored.
  const requests: unknown = await inboxStub(env, name).list(limit, after);
  return requests as InboxRequest[];
}

function nameOf(param: string | undefined): string {
  const name = inboxName(param);
  if (name === null)
    throw new ProblemError(
      400,
      "An inbox name is 1 to 64 letters, digits, `-` or `_`, starting with a letter or digit.",
    );
  return name;
}

/** At most `limit` bytes of a request body, and whether there was more. */
async function readBody(
  request: Request,
  limit: number,
): Promise<{ bytes: Uint8Array; size: number; cut: boolean }> {
  if (!request.body) return { bytes: new Uint8Array(), size: 0, cut: false };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  const declared = Number(request.headers.get("content-length"));
  return {
    bytes,
    size: Number.isSafeInteger(declared) && declared > size ? declared : size,
    cut: size > limit,
  };
}

function answerStatus(query: string | undefined): number {
  if (query === undefined) return 200;
  const status = /^\d{3}$/.test(query) ? Number(query) : 0;
  if (status < 200 || status > 599)
    throw new ProblemError(400, "`status` must be a status code from 200 to 599, e.g. `?status=503`.");
  return status;
}

export const inboxRoutes = new Hono<AppEnv>();

inboxRoutes.use("*", async (c, next) => {
  if (!configOf(c.env).devTools)
    throw new ProblemError(404, "No such route. The API is described at /openapi.json.");
  await next();
});

inboxRoutes.get("/inbox/:name/requests", async (c) => {
  const name = nameOf(c.req.param("name"));
  const limit = Number(c.req.query("limit") ?? INBOX_KEEP);
  const after = Number(c.req.query("after") ?? 0);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > INBOX_KEEP)
    throw new ProblemError(400, `\`limit\` must be a whole number from 1 to ${INBOX_KEEP}.`);
  if (!Number.isSafeInteger(after) || after < 0) throw new ProblemError(400, "`after` must be a request id.");
  const requests = await listInbox(c.env, name, limit, after);
  return c.json({ name, url: inboxUrl(new URL(c.req.url).origin, name), requests });
});

inboxRoutes.delete("/inbox/:name/requests", async (c) => {
  await inboxStub(c.env, nameOf(c.req.param("name"))).clear();
  return c.body(null, 204);
});

async function receive(c: Context<AppEnv>) {
  const name = nameOf(c.req.param("name"));
  const status = answerStatus(c.req.query("status"));
  const { bytes, size, cut } = await readBody(c.req.raw, INBOX_BODY_BYTES);
  const verdict = cut
    ? {
        verified_by: null,
        signature_detail: `The body is larger than ${INBOX_BODY_BYTES} bytes; not verified.`,
      }
    : await verifyInboxRequest(c.env, c.req.raw.headers, bytes);
  const id = await inboxStub(c.env, name).record({
    received_at: new Date().toISOString(),
    method: c.req.method,
    url: c.req.url,
    headers: [...c.req.raw.headers],
    body: new TextDecoder().decode(bytes),
    body_bytes: size,
    body_truncated: cut,
    answered_status: status,
    ...verdict,
  });
  if (status === 204 || status === 205 || status === 304) return c.body(null, status);
  return c.json({ inbox: name, request_id: id, verified: verdict.verified_by !== null }, status as 200);
}

inboxRoutes.all("/inbox/:name", receive);
inboxRoutes.all("/inbox/:name/*", receive);
