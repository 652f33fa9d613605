import { env, exports } from "cloudflare:workers";
import { verifyLeadpushWebhook } from "../../examples/verify-webhook";
import type { DeliveryJson, DeliveryWithAttemptsJson } from "../../src/deliveries/schema";
import type { DestinationJson, RotatedSecretJson } from "../../src/destinations/schema";
import type { RecoveryJson } from "../../src/lifecycle/recovery-schema";
import { countObjectRows, HISTORY_TABLES, WORKSPACE_TABLES } from "./history";

export const OPERATOR = `Bearer ${env.OPERATOR_TOKEN}`;

type Init = {
  method?: string;
  body?: unknown;
  auth?: string | null;
  headers?: Record<string, string>;
  raw?: string;
};

/** Calls the worker's own fetch handler, as a client would. */
export async function call(path: string, init: Init = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth) headers.authorization = init.auth;
  let body: string | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  return exports.default.fetch(
    new Request(`https://api.test${path}`, { method: init.method ?? "GET", headers, body }),
  );
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export type Workspace = { uuid: string; key: string; auth: string };

export async function createWorkspace(name = "Acme"): Promise<Workspace> {
  const response = await call("/v1/workspaces", { method: "POST", auth: OPERATOR, body: { name } });
  if (response.status !== 201)
    throw new Error(`workspace create failed: ${response.status} ${await response.text()}`);
  const { uuid, api_key } = await json<{ uuid: string; api_key: string }>(response);
  return { uuid, key: api_key, auth: `Bearer ${api_key}` };
}

export const validDestination = (overrides: Record<string, unknown> = {}) => ({
  name: "CRM Intake",
  method: "POST",
  url_template: "https://example.com/webhooks/{{ event.type }}",
  headers_template: [{ key: "Authorization", value: "Bearer your-token" }],
  query_template: [{ key: "workspace", value: "{{ workspace.uuid }}" }],
  body_template: null,
  timeout_seconds: 10,
  event_types: ["contact.created", "contact.updated"],
  ...overrides,
});

/** The API's answers, as the API's own types (its zod schemas in src/). */
export type { DeliveryJson, DeliveryWithAttemptsJson, DestinationJson, RecoveryJson, RotatedSecretJson };
/** As the create answers it, with its one-time secret. */
export type CreatedDestination = DestinationJson & { secret: string };

export async function createDestination(ws: Workspace, overrides: Record<string, unknown> = {}) {
  const response = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
    method: "POST",
    auth: ws.auth,
    body: validDestination(overrides),
  });
  if (response.status !== 201)
    throw new Error(`destination create failed: ${response.status} ${await response.text()}`);
  return json<CreatedDestination>(response);
}

/** Rows of a table, wherever it lives: D1, or the workspaces' Durable Objects (test/support/history.ts). */
export async function countRows(table: string, where = "1=1", ...binds: unknown[]): Promise<number> {
  if (HISTORY_TABLES.has(table) || WORKSPACE_TABLES.has(table)) return countObjectRows(table, where, binds);
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...binds)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export type Captured = { method: string; url: string; headers: Headers; body: string };

/** A fetcher standing in for receivers: records each request and answers with `respond`'s response. */
export function receiver(
  respond: (request: Captured, n: number) => Response | Promise<Response> = () => new Response("ok"),
) {
  const requests: Captured[] = [];
  const fetcher = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const captured = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body ? await request.text() : "",
    };
    requests.push(captured);
    return respond(captured, requests.length);
  };
  return { requests, fetcher: fetcher as typeof fetch };
}

export async function ingest(ws: Workspace, event: Record<string, unknown>) {
  return call(`/v1/workspaces/${ws.uuid}/events`, { method: "POST", auth: ws.auth, body: event });
}

export const contactEvent = (overrides: Record<string, unknown> = {}) => ({
  type: "contact.created",
  contact: { _id: "ct_42", attributes: { email: "ada@example.com", first_name: "Ada" } },
  ...overrides,
});

/** Checks a captured delivery's signature with the receivers' helper from examples/. */
export const verifySignature = (
  secrets: string | string[],
  h: { id: string; timestamp: string; signature: string },
  body: string,
) =>
  verifyLeadpushWebhook(
    secrets,
    { "X-Leadpush-Id": h.id, "X-Leadpush-Timestamp": h.timestamp, "X-Leadpush-Signature": h.signature },
    body,
  );
