// Hostile input on every route: always a 4xx problem (or success), never a 5xx.
import { afterAll, describe, expect, it, vi } from "vitest";
import { call, createDestination, createWorkspace, json, OPERATOR } from "../support/helpers";

const bodies: [string, string][] = [
  ["null", "null"],
  ["array", "[]"],
  ["string", '"x"'],
  ["number", "1e999"],
  ["unknown object", '{"a":1}'],
  ["truncated", '{"name":'],
  ["deep nesting", `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`],
  [
    "nulls everywhere",
    '{"name":null,"method":null,"url_template":null,"event_types":null,"type":null,"contact":null}',
  ],
  [
    "wrong types",
    '{"name":[],"method":{},"url_template":1,"event_types":{},"type":1,"contact":"x","grace_seconds":{}}',
  ],
  [
    "lone surrogate",
    '{"name":"\\ud800","url_template":"https://example.com/\\ud800","method":"POST","event_types":[]}',
  ],
  ["proto pollution", '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}'],
  [
    "control chars",
    '{"name":"a\\u0000b","method":"POST","url_template":"https://example.com/\\u0000","event_types":[]}',
  ],
];

afterAll(() => {
  vi.restoreAllMocks();
});

describe("no route answers hostile input with a 5xx", async () => {
  it("holds across routes, bodies and parameters", async () => {
    // The test route really queues a delivery: answer it here instead of the network.
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("ok"));
    const ws = await createWorkspace();
    const dest = await createDestination(ws);
    const routes: [string, string, string | null][] = [
      ["POST", "/v1/workspaces", OPERATOR],
      ["POST", `/v1/workspaces/${ws.uuid}/api-keys`, OPERATOR],
      ["POST", `/v1/workspaces/${ws.uuid}/destinations`, ws.auth],
      ["PATCH", `/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, ws.auth],
      ["POST", `/v1/workspaces/${ws.uuid}/destinations/${dest.id}/rotate-secret`, ws.auth],
      ["POST", `/v1/workspaces/${ws.uuid}/destinations/${dest.id}/preview`, ws.auth],
      ["POST", `/v1/workspaces/${ws.uuid}/destinations/${dest.id}/test`, ws.auth],
      ["POST", `/v1/workspaces/${ws.uuid}/events`, ws.auth],
    ];
    for (const [method, path, auth] of routes) {
      for (const [name, raw] of bodies) {
        const response = await call(path, {
          method,
          auth,
          raw,
          headers: { "content-type": "application/json" },
        });
        expect(response.status, `${method} ${path} with ${name}`).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers.get("content-type"), `${method} ${path} with ${name}`).toBe(
            "application/problem+json",
          );
        }
      }
    }
    const queries = [
      "limit=-1",
      "limit=1e999",
      "cursor=%00",
      `cursor=${"A".repeat(5000)}`,
      "status=failed,,",
      "limit=5&limit=6",
    ];
    for (const query of queries) {
      for (const path of [
        `/v1/workspaces/${ws.uuid}/destinations`,
        `/v1/workspaces/${ws.uuid}/destinations/${dest.id}/deliveries`,
      ]) {
        const response = await call(`${path}?${query}`, { auth: ws.auth });
        expect(response.status, `${path}?${query}`).toBeLessThan(500);
      }
    }
    for (const id of ["%00", `dst_${"g".repeat(32)}`, "..%2F..%2Fopenapi.json", "x".repeat(5000)]) {
      const response = await call(`/v1/workspaces/${ws.uuid}/destinations/${id}`, { auth: ws.auth });
      expect(response.status, id).toBe(404);
    }
    // Still readable after all of that (only the one well-formed PATCH, with a lone surrogate, applied).
    const after = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}`, { auth: ws.auth });
    expect(after.status).toBe(200);
    expect((await json<{ secret_version: number }>(after)).secret_version).toBe(1);
  });
});
