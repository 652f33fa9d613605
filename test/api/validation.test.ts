import { beforeAll, describe, expect, it } from "vitest";
import {
  call,
  countRows,
  createDestination,
  createWorkspace,
  json,
  validDestination,
  type Workspace,
} from "../support/helpers";

type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; pointer: string; detail: string }[];
};

let ws: Workspace;
let base: string;
beforeAll(async () => {
  ws = await createWorkspace();
  base = `/v1/workspaces/${ws.uuid}/destinations`;
});

async function expectRejected(body: unknown, field: string, detail?: RegExp) {
  const before = await countRows("destinations");
  const response = await call(base, { method: "POST", auth: ws.auth, body });
  expect(response.status).toBe(400);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = await json<Problem>(response);
  expect(problem.status).toBe(400);
  const error = problem.errors?.find((e) => e.field === field);
  expect(error, `errors: ${JSON.stringify(problem.errors)}`).toBeDefined();
  if (detail) expect(error?.detail).toMatch(detail);
  expect(problem.detail).toContain(problem.errors?.[0]?.field ?? "");
  expect(await countRows("destinations")).toBe(before);
  return problem;
}

const header = (key: string, value = "v") => validDestination({ headers_template: [{ key, value }] });

describe("destination validation", () => {
  it.each([
    ["host", "Host"],
    ["HOST", "HOST"],
    ["content-length", "content-length"],
    ["Content-Length", "Content-LENGTH"],
    ["x-leadpush-signature", "x-leadpush-signature"],
    ["X-LEADPUSH-ID", "X-LEADPUSH-ID"],
    ["X-Leadpush-Anything", "X-Leadpush-Anything"],
    ["X-Leadpush-", "X-Leadpush-"],
    ["x-leadpush (no dash)", "x-leadpush"],
    ["X-LeadpushSignature", "X-LeadpushSignature"],
    ["connection", "Connection"],
    ["Transfer-Encoding", "TRANSFER-ENCODING"],
    ["te", "TE"],
    ["trailer", "Trailer"],
    ["upgrade", "uPgRaDe"],
    ["keep-alive", "Keep-Alive"],
    ["proxy-authorization", "Proxy-Authorization"],
    ["proxy-anything", "PROXY-Connection"],
  ])("refuses the reserved header %s in any case (%s)", async (_, name) => {
    await expectRejected(header(name), "headers_template[0].key");
  });

  it.each([
    ["empty", ""],
    ["space", "X Contact"],
    ["colon", "X-Contact:"],
    ["newline", "X-A\r\nX-B"],
    ["unicode", "X-Кontakt"],
    ["parenthesis", "X(1)"],
    ["slash", "X/1"],
  ])("refuses a header name that is not a token (%s)", async (_, name) => {
    await expectRejected(header(name), "headers_template[0].key", /header name/);
  });

  it.each([
    ["CR", "a\rb"],
    ["LF", "a\nb"],
    ["CRLF injection", "x\r\nX-Leadpush-Signature: forged"],
    ["NUL", "a\u0000b"],
  ])("refuses a header value containing %s", async (_, value) => {
    await expectRejected(header("X-Contact", value), "headers_template[0].value", /CR, LF or NUL/);
  });

  it("refuses the same header twice, whatever the case", async () => {
    await expectRejected(
      validDestination({
        headers_template: [
          { key: "X-A", value: "1" },
          { key: "x-a", value: "2" },
        ],
      }),
      "headers_template[1].key",
    );
  });

  it.each([
    ["url_template", { url_template: "https://example.com/{{#event}}" }],
    ["url_template", { url_template: "https://example.com/{{ event.type }" }],
    ["headers_template[0].value", { headers_template: [{ key: "X-A", value: "{{ oops" }] }],
    ["query_template[0].value", { query_template: [{ key: "a", value: "{{/closing}}" }] }],
    ["body_template", { body_template: '{ "a": "{{ unclosed" }' }],
    ["body_template", { body_template: "{{> partial}}" }],
    ["body_template", { body_template: "{{=<% %>=}}" }],
  ])("rejects a mustache syntax error in %s with its position", async (field, overrides) => {
    await expectRejected(validDestination(overrides), field, /position \d+/);
  });

  it.each([
    ["in the scheme", "{{ scheme }}://example.com/"],
    ["in the host", "https://{{ host }}/hook"],
    ["in part of the host", "https://api.{{ region }}.example.com/hook"],
    ["in the port", "https://example.com:{{ port }}/hook"],
    ["in the userinfo", "https://{{ user }}@example.com/"],
    ["right after the authority", "https://example.com{{ path }}"],
    ["triple mustache in the host", "https://{{{ host }}}/"],
  ])("rejects a template tag %s", async (_, url_template) => {
    await expectRejected(validDestination({ url_template }), "url_template", /after the host/);
  });

  it.each([
    "https://example.com/{{ a }}",
    "https://example.com?x={{ a }}",
    "https://example.com#{{ a }}",
    "https://example.com:8443/{{ a }}/{{ b }}",
  ])("accepts tags after the host: %s", async (url_template) => {
    const dest = await createDestination(ws, { url_template });
    expect(dest.url_template).toBe(url_template);
  });

  it.each([
    ["http://example.com/hook", /https/],
    ["https://localhost/hook", /./],
    ["https://127.0.0.1/hook", /./],
    ["https://2130706433/hook", /./],
    ["https://[::1]/hook", /./],
    ["https://10.1.2.3/{{ event.type }}", /./],
    ["https://169.254.169.254/latest/meta-data", /./],
    ["https://printer.local/", /./],
    ["https://user:pw@example.com/", /./],
    ["https://example.com:22/", /./],
    ["not a url", /./],
  ])("refuses the private, local or malformed URL %s", async (url_template, reason) => {
    await expectRejected(validDestination({ url_template }), "url_template", reason);
  });

  it.each([
    ["name", { name: "   " }],
    ["name", { name: "x".repeat(101) }],
    ["name", { name: 42 }],
    ["enabled", { enabled: "yes" }],
    ["method", { method: "get" }],
    ["method", { method: "HEAD" }],
    ["url_template", { url_template: "" }],
    ["url_template", { url_template: `https://example.com/${"a".repeat(2048)}` }],
    [
      "headers_template",
      { headers_template: Array.from({ length: 21 }, (_, i) => ({ key: `X-${i}`, value: "v" })) },
    ],
    ["headers_template", { headers_template: { Authorization: "x" } }],
    ["headers_template[0].extra", { headers_template: [{ key: "X-A", value: "v", extra: 1 }] }],
    [
      "query_template",
      { query_template: Array.from({ length: 21 }, (_, i) => ({ key: `q${i}`, value: "v" })) },
    ],
    ["query_template[0].key", { query_template: [{ key: "", value: "v" }] }],
    ["body_template", { body_template: "x".repeat(64 * 1024 + 1) }],
    ["body_template", { body_template: 12 }],
    ["timeout_seconds", { timeout_seconds: 0 }],
    ["timeout_seconds", { timeout_seconds: 31 }],
    ["timeout_seconds", { timeout_seconds: 2.5 }],
    ["timeout_seconds", { timeout_seconds: "10" }],
    ["event_types[0]", { event_types: ["contact.exploded"] }],
    ["event_types[0]", { event_types: ["webhook.test"] }],
    ["event_types", { event_types: ["contact.created", "contact.created"] }],
    ["event_types", { event_types: "contact.created" }],
    ["secret", { secret: "whsec_mine" }],
    ["id", { id: "dst_chosen" }],
  ])("rejects a bad %s", async (field, overrides) => {
    await expectRejected(validDestination(overrides), field);
  });

  it.each(["name", "method", "url_template", "event_types"])("requires %s on create", async (field) => {
    const body: Record<string, unknown> = validDestination();
    delete body[field];
    await expectRejected(body, field);
  });

  it("counts the body limit in bytes, not characters", async () => {
    await expectRejected(
      validDestination({ body_template: "é".repeat(32 * 1024 + 1) }),
      "body_template",
      /bytes/,
    );
    const ok = await createDestination(ws, { body_template: "x".repeat(64 * 1024) });
    expect(ok.body_template).toHaveLength(64 * 1024);
  });

  it("treats a PATCH like a create: the same rules, nothing written on rejection", async () => {
    const dest = await createDestination(ws);
    const path = `${base}/${dest.id}`;
    for (const [body, field] of [
      [{ headers_template: [{ key: "x-leadpush-id", value: "1" }] }, "headers_template[0].key"],
      [{ url_template: "https://192.168.0.1/" }, "url_template"],
      [{ name: "" }, "name"],
      [{ enabled: null }, "enabled"],
      [{ nope: 1 }, "nope"],
      [{ name: "ok", event_types: ["bad"] }, "event_types[0]"],
    ] as const) {
      const response = await call(path, { method: "PATCH", auth: ws.auth, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      const problem = await json<Problem>(response);
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    }
    const after = await json(await call(path, { auth: ws.auth }));
    const { secret, ...unchanged } = dest;
    expect(after).toEqual(unchanged);
  });
});

describe("malformed requests", () => {
  it.each([
    ["malformed JSON", { raw: '{"name": ', headers: { "content-type": "application/json" } }, 400],
    ["a JSON array", { raw: "[]", headers: { "content-type": "application/json" } }, 400],
    ["a JSON string", { raw: '"x"', headers: { "content-type": "application/json" } }, 400],
    ["null", { raw: "null", headers: { "content-type": "application/json" } }, 400],
    ["an empty body", { raw: "", headers: { "content-type": "application/json" } }, 400],
    ["no content type", { raw: JSON.stringify(validDestination()) }, 415],
    ["a form body", { raw: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415],
    [
      "text/plain",
      { raw: JSON.stringify(validDestination()), headers: { "content-type": "text/plain" } },
      415,
    ],
    [
      "a 1 MiB body",
      { raw: `{"name":"${"x".repeat(1024 * 1024)}"}`, headers: { "content-type": "application/json" } },
      413,
    ],
    [
      "deep nesting",
      { raw: `${"[".repeat(5000)}${"]".repeat(5000)}`, headers: { "content-type": "application/json" } },
      400,
    ],
  ])("answers %s with a 4xx problem and writes nothing", async (_, init, status) => {
    const before = await countRows("destinations");
    const response = await call(base, { method: "POST", auth: ws.auth, ...init });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = await json<Problem>(response);
    expect(problem.detail.length).toBeGreaterThan(10);
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(await countRows("destinations")).toBe(before);
  });

  it("answers an unknown route and an unsupported method with a 404 problem", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["PUT", `${base}`],
    ]) {
      const response = await call(path as string, { method, auth: ws.auth });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});
