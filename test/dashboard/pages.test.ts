// The dashboard's screens as HTML: where sign-in leads, the documented path Integrations → Webhooks →
// Destinations, tenancy (another workspace is a 404, never a 403), and user values shown as text.
import { describe, expect, it } from "vitest";
import { call, createDestination, createWorkspace, OPERATOR } from "../support/helpers";
import { Visitor } from "./helpers";

const HOSTILE = "<img src=x onerror=alert(1)> {{ x }} </td><script>alert(2)</script>";

async function signedIn(name = "Acme") {
  const ws = await createWorkspace(name);
  const visitor = new Visitor();
  await visitor.signIn(ws.key);
  return { ws, visitor };
}

describe("where sign-in leads", () => {
  it("GET / shows the sign-in form when signed out, else opens the current workspace", async () => {
    const visitor = new Visitor();
    const form = await visitor.fetch("/");
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/<input[^>]+type="password"[^>]+autocomplete="off"/);
    const ws = await createWorkspace();
    const signIn = await visitor.signIn(ws.key);
    expect(signIn.headers.get("location")).toBe(`/w/${ws.uuid}/integrations`);
    expect((await visitor.fetch("/")).headers.get("location")).toBe(`/w/${ws.uuid}/integrations`);
  });

  it("adds a second workspace; / then returns to the one last chosen", async () => {
    const { ws: a, visitor } = await signedIn("Acme");
    const b = await createWorkspace("Northwind");
    const adding = await visitor.fetch("/sign-in");
    expect(await adding.text()).toContain("Add a workspace");
    await visitor.post("/sign-in", { api_key: b.key });
    const page = await (await visitor.fetch(`/w/${b.uuid}/integrations`)).text();
    expect(page).toContain(`href="/w/${a.uuid}/integrations"`);
    expect(page).toContain(`href="/w/${b.uuid}/integrations"`);
    await visitor.fetch(`/w/${a.uuid}/integrations/webhooks`);
    expect((await visitor.fetch("/")).headers.get("location")).toBe(`/w/${a.uuid}/integrations`);
  });

  it("ends a session whose every workspace key was revoked", async () => {
    const ws = await createWorkspace();
    const issued = await call(`/v1/workspaces/${ws.uuid}/api-keys`, { method: "POST", auth: OPERATOR });
    const { id, api_key } = (await issued.json()) as { id: string; api_key: string };
    const visitor = new Visitor();
    await visitor.signIn(api_key);
    await call(`/v1/workspaces/${ws.uuid}/api-keys/${id}`, { method: "DELETE", auth: OPERATOR });
    expect((await visitor.fetch(`/w/${ws.uuid}/integrations`)).status).toBe(303);
    const home = await visitor.fetch("/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Sign in to Leadpush");
  });
});

describe("tenancy and unknown pages", () => {
  it("answers 404 (never 403) for a workspace the session does not hold", async () => {
    const { visitor } = await signedIn();
    const other = await createWorkspace("Other");
    for (const path of [
      `/w/${other.uuid}/integrations`,
      `/w/${other.uuid}/integrations/webhooks`,
      `/w/${other.uuid}/integrations/webhooks/destinations/dst_0123456789abcdef0123456789abcdef`,
      "/w/not-a-uuid/integrations",
      "/w/00000000-0000-4000-8000-000000000000",
    ]) {
      const response = await visitor.fetch(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain("Page not found");
    }
  });

  it("shows unknown dashboard pages as a 404 page in the dashboard's look", async () => {
    const { ws, visitor } = await signedIn();
    for (const path of [`/w/${ws.uuid}/nope`, "/w", "/docs/nope", "/assets/nope.css"]) {
      const response = await visitor.fetch(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toMatch(/^text\/html/);
    }
  });

  it("sends a signed-out visitor of a workspace page to sign-in", async () => {
    const ws = await createWorkspace();
    const response = await new Visitor().fetch(`/w/${ws.uuid}/integrations/webhooks`);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
  });
});

describe("the Webhooks page, Destinations tab", () => {
  it("has the documentation's words and an empty state that says what to do next", async () => {
    const { ws, visitor } = await signedIn();
    const integrations = await (await visitor.fetch(`/w/${ws.uuid}/integrations`)).text();
    expect(integrations).toContain(`href="/w/${ws.uuid}/integrations/webhooks">Webhooks</a>`);
    const page = await (await visitor.fetch(`/w/${ws.uuid}/integrations/webhooks`)).text();
    expect(page).toMatch(/Integrations<\/a>.*Webhooks<\/a>.*aria-current="page">Destinations/s);
    expect(page).toContain("No destinations yet");
    expect(page).toContain(`href="/w/${ws.uuid}/integrations/webhooks/destinations/new"`);
    expect(page).toContain("Create Destination");
  });

  it("renders every user-supplied value as text", async () => {
    const { ws, visitor } = await signedIn(HOSTILE);
    await createDestination(ws, { name: HOSTILE, url_template: "https://example.com/{{ x }}?a=<b>" });
    const page = await (await visitor.fetch(`/w/${ws.uuid}/integrations/webhooks`)).text();
    expect(page).toContain(
      "&lt;img src=x onerror=alert(1)&gt; {{ x }} &lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;",
    );
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain("<script>alert");
    expect(page).toContain("&lt;b&gt;");
  });

  it("pages past 20 destinations with the list's cursor; a forged cursor starts over", async () => {
    const { ws, visitor } = await signedIn();
    for (let i = 0; i < 21; i++) await createDestination(ws, { name: `Receiver ${i}` });
    const first = await (await visitor.fetch(`/w/${ws.uuid}/integrations/webhooks`)).text();
    expect(first.match(/<tr>/g)?.length).toBe(21); // header row + 20
    const next = first.match(/href="([^"]+\?cursor=[^"]+)"/)?.[1]?.replaceAll("&amp;", "&") ?? "";
    const second = await (await visitor.fetch(next)).text();
    expect(second.match(/<tr>/g)?.length).toBe(2);
    expect(second).toContain("Receiver 0<");
    expect(second).toContain("First page");
    const forged = await visitor.fetch(`/w/${ws.uuid}/integrations/webhooks?cursor=bm9wZQ`);
    expect(forged.status).toBe(303);
  });

  it("has no inline script or style anywhere (the CSP would block them)", async () => {
    const { ws, visitor } = await signedIn();
    await createDestination(ws);
    for (const path of [
      "/docs",
      `/w/${ws.uuid}/integrations`,
      `/w/${ws.uuid}/integrations/webhooks`,
      "/w/x",
    ]) {
      const page = await (await visitor.fetch(path)).text();
      expect(page, path).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(page, path).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    }
  });
});
