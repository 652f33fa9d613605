// The dashboard's defences, request by request: headers on every response, cookie attributes, the
// sign-in answers, and the cross-site checks (Origin, Sec-Fetch-Site, CSRF token) on every post.
import { describe, expect, it, vi } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../../src/dashboard/security";
import { call, countRows, createWorkspace, OPERATOR } from "../support/helpers";
import { HTTP_ORIGIN, setCookieLine, Visitor } from "./helpers";

const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function expectPageHeaders(response: Response) {
  expect(response.headers.get("content-security-policy")).toBe(STRICT_CSP);
  expect(response.headers.get("x-frame-options")).toBe("DENY");
  expect(response.headers.get("referrer-policy")).toBe("same-origin");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("cache-control")).toBe("no-store");
}

describe("response headers", () => {
  it("sends the strict CSP, no framing and no caching on every page, redirect and error", async () => {
    expect(CONTENT_SECURITY_POLICY).toBe(STRICT_CSP);
    const ws = await createWorkspace();
    const visitor = new Visitor();
    for (const path of ["/", "/sign-in", "/docs", `/w/${ws.uuid}/integrations`, "/w/nope", "/assets/x.css"]) {
      expectPageHeaders(await visitor.fetch(path));
    }
    expectPageHeaders(await visitor.post("/sign-in", { api_key: "lpk_wrong" }));
    expectPageHeaders(await visitor.signIn(ws.key));
    expectPageHeaders(await visitor.fetch(`/w/${ws.uuid}/integrations/webhooks`));
    expectPageHeaders(await new Visitor().post("/sign-out", {}, { origin: "https://evil.test" }));
  });

  it("serves assets with a content hash in the URL, cached for a year", async () => {
    const page = await (await new Visitor().fetch("/")).text();
    const paths = [...page.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? "");
    expect(paths).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/assets\/app\.[0-9a-f]{8}\.css$/)]),
    );
    for (const path of paths) {
      const response = await new Visitor().fetch(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const stale = await new Visitor().fetch(paths[0]?.replace(/\.[0-9a-f]{8}\./, ".00000000.") ?? "");
    expect(stale.status).toBe(404);
  });

  it("leaves the API alone: problem+json, and a session cookie is no API credential", async () => {
    const ws = await createWorkspace();
    const visitor = new Visitor();
    await visitor.signIn(ws.key);
    const api = await visitor.fetch(`/v1/workspaces/${ws.uuid}/destinations`);
    expect(api.status).toBe(401);
    expect(api.headers.get("content-security-policy")).toBeNull();
    expect((await call("/no-such-route")).headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("sign-in and the session cookie", () => {
  it("over https: __Host- prefix, Secure, HttpOnly, SameSite=Strict, Path=/", async () => {
    const ws = await createWorkspace();
    const response = await new Visitor().signIn(ws.key);
    expect(response.status).toBe(303);
    const line = setCookieLine(response, "__Host-lp_session") ?? "";
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/Domain=/);
    expect(line).not.toContain(ws.key);
  });

  it("over plain http (local dev): the plain name, without Secure", async () => {
    const ws = await createWorkspace();
    const response = await new Visitor(HTTP_ORIGIN).signIn(ws.key);
    const line = setCookieLine(response, "lp_session") ?? "";
    expect(line).toMatch(/HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/);
    expect(line).not.toMatch(/Secure/);
  });

  it("answers a wrong, revoked or empty key with 401 and the form, echoing nothing", async () => {
    const visitor = new Visitor();
    await visitor.fetch("/");
    const typed = "lpk_not_a_real_key_but_typed_by_someone_00000";
    const wrong = await visitor.post("/sign-in", { api_key: typed });
    expect(wrong.status).toBe(401);
    const page = await wrong.text();
    expect(page).toContain("That API key is not valid, or it has been revoked.");
    expect(page).not.toContain(typed);
    const empty = await visitor.post("/sign-in", { api_key: "" });
    expect(empty.status).toBe(401);
    expect(await empty.text()).toContain("Enter a workspace API key.");
    expect(visitor.cookies.has("__Host-lp_session")).toBe(false);
  });

  it("refuses a revoked key with the same message", async () => {
    const ws = await createWorkspace();
    const issued = await call(`/v1/workspaces/${ws.uuid}/api-keys`, { method: "POST", auth: OPERATOR });
    const { id, api_key } = (await issued.json()) as { id: string; api_key: string };
    await call(`/v1/workspaces/${ws.uuid}/api-keys/${id}`, { method: "DELETE", auth: OPERATOR });
    const refused = await new Visitor().signIn(api_key);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("That API key is not valid, or it has been revoked.");
  });

  it("never writes a key to the log, whether it is refused or accepted", async () => {
    const ws = await createWorkspace();
    const logged: unknown[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args) => logged.push(...args));
    }
    const typed = "lpk_typed_by_mistake_000000000000000000000000";
    await new Visitor().signIn(typed);
    await new Visitor().signIn(ws.key);
    vi.restoreAllMocks();
    const text = JSON.stringify(logged);
    expect(text).not.toContain(typed);
    expect(text).not.toContain(ws.key);
  });

  it("signs out server-side: a copy of the old cookie no longer opens anything", async () => {
    const ws = await createWorkspace();
    const visitor = new Visitor();
    await visitor.signIn(ws.key);
    const copy = new Map(visitor.cookies);
    await visitor.fetch(`/w/${ws.uuid}/integrations`);
    const out = await visitor.post("/sign-out");
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/");
    expect(setCookieLine(out, "__Host-lp_session")).toMatch(/Max-Age=0/);
    const replay = new Visitor();
    for (const [k, v] of copy) replay.cookies.set(k, v);
    const after = await replay.fetch(`/w/${ws.uuid}/integrations`);
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/");
  });
});

describe("cross-site posts", () => {
  async function signedIn() {
    const ws = await createWorkspace();
    const visitor = new Visitor();
    await visitor.signIn(ws.key);
    await visitor.fetch(`/w/${ws.uuid}/integrations`);
    return { ws, visitor };
  }

  it.each([
    ["another origin", { origin: "https://evil.test" }],
    ["no Origin", { origin: "" }],
    ["an opaque origin", { origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
  ])("refuses a post from %s with a 403 page, and signs nobody out", async (_, headers) => {
    const { ws, visitor } = await signedIn();
    const refused = await visitor.post("/sign-out", {}, headers);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await refused.text()).toContain("This request was refused");
    expect((await visitor.fetch(`/w/${ws.uuid}/integrations`)).status).toBe(200);
  });

  it.each([
    ["no token", undefined],
    ["a wrong token", "x".repeat(43)],
  ])("refuses a same-origin post with %s", async (_, token) => {
    const { ws, visitor } = await signedIn();
    const form: Record<string, string> = token === undefined ? {} : { _csrf: token };
    const refused = await visitor.fetch("/sign-out", { form });
    expect(refused.status).toBe(403);
    expect((await visitor.fetch(`/w/${ws.uuid}/integrations`)).status).toBe(200);
  });

  it("refuses another session's token", async () => {
    const { visitor } = await signedIn();
    const { visitor: other } = await signedIn();
    visitor.csrf = other.csrf;
    expect((await visitor.post("/sign-out")).status).toBe(403);
  });

  it("refuses a forged sign-in (login CSRF) and creates no session", async () => {
    const ws = await createWorkspace();
    const before = await countRows("dashboard_sessions");
    const forged = new Visitor();
    const refused = await forged.fetch("/sign-in", {
      form: { api_key: ws.key },
      headers: { origin: "https://evil.test" },
    });
    expect(refused.status).toBe(403);
    const tokenless = await new Visitor().fetch("/sign-in", { form: { api_key: ws.key } });
    expect(tokenless.status).toBe(403);
    expect(await countRows("dashboard_sessions")).toBe(before);
  });

  it("lets a page left open past its session sign out without a token", async () => {
    const response = await new Visitor().post("/sign-out");
    expect(response.status).toBe(303);
  });
});
