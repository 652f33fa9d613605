import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { importSigningKey, signPayload } from "../../src/rules/signature";
import { call, createDestination, createWorkspace, json } from "../support/helpers";
import { destinationForm, HTTP_ORIGIN, text, Visitor } from "./helpers";

// The same app with the development setting (the test worker's own bindings say "false", as production).
const devEnv = { ...env, ALLOW_PRIVATE_DESTINATIONS: "true" };
const devHandler = (request: Request) => app.fetch(request, devEnv);

async function signedIn(visitor: Visitor) {
  const ws = await createWorkspace();
  await visitor.signIn(ws.key);
  return ws;
}

let inboxes = 0;
const freshName = () => `d${Date.now().toString(36)}-${inboxes++}`;

describe("the Inbox page in development", () => {
  it("is linked from the sidebar and shows what arrived, whose secret verifies it, and the body", async () => {
    const visitor = new Visitor(HTTP_ORIGIN, devHandler);
    const ws = await signedIn(visitor);
    const dest = await createDestination(ws, { name: "CRM <Intake>" });
    const test = await call(`/v1/workspaces/${ws.uuid}/destinations/${dest.id}/test`, {
      method: "POST",
      auth: ws.auth,
    });
    const deliveryId = (await json<{ id: string }>(test)).id;
    const name = freshName();
    const body = '{"contact":"<b>ada</b>"}';
    const ts = Math.floor(Date.now() / 1000);
    const signature = await signPayload([await importSigningKey(dest.secret)], deliveryId, ts, body);
    const headers = {
      "x-leadpush-id": deliveryId,
      "x-leadpush-timestamp": String(ts),
      "x-leadpush-signature": signature,
    };
    await devHandler(new Request(`${HTTP_ORIGIN}/dev/inbox/${name}/hook`, { method: "POST", body, headers }));
    await devHandler(
      new Request(`${HTTP_ORIGIN}/dev/inbox/${name}?status=500`, { method: "PUT", body: "plain" }),
    );

    const home = await text(await visitor.fetch(`/w/${ws.uuid}/integrations`));
    expect(home).toContain(`href="/w/${ws.uuid}/inbox"`);
    const response = await visitor.fetch(`/w/${ws.uuid}/inbox?name=${name}`);
    expect(response.status).toBe(200);
    const page = await text(response);
    expect(page).toContain(`value="${HTTP_ORIGIN}/dev/inbox/${name}"`);
    expect(page).toContain("CRM &lt;Intake&gt;");
    expect(page).toContain(`href="/w/${ws.uuid}/integrations/webhooks/destinations/${dest.id}"`);
    expect(page).toContain("current secret");
    expect(page).toContain("{&quot;contact&quot;:&quot;&lt;b&gt;ada&lt;/b&gt;&quot;}");
    expect(page).not.toContain("<b>ada</b>");
    expect(page).toContain("Unsigned");
    expect(page).toContain("500 Internal Server Error");
    // Newest first: the PUT, then the POST.
    expect(page.indexOf("plain")).toBeLessThan(page.indexOf("&lt;b&gt;ada"));

    // The live list: only requests newer than ?after=, and the newest id in a header.
    const live = await visitor.fetch(`/w/${ws.uuid}/inbox/requests?name=${name}&after=0`);
    const latest = Number(live.headers.get("x-inbox-latest"));
    expect(latest).toBeGreaterThan(0);
    expect((await text(live)).match(/data-inbox-request=/g)).toHaveLength(2);
    const none = await visitor.fetch(`/w/${ws.uuid}/inbox/requests?name=${name}&after=${latest}`);
    expect(await text(none)).not.toContain("data-inbox-request");

    // Clear empties it, after the CSRF check.
    const refused = await visitor.post(`/w/${ws.uuid}/inbox/clear`, { name, _csrf: "forged" });
    expect(refused.status).toBe(403);
    const cleared = await visitor.post(`/w/${ws.uuid}/inbox/clear`, { name });
    expect(cleared.status).toBe(303);
    const after = await text(await visitor.fetch(cleared.headers.get("location") ?? ""));
    expect(after).toContain("The inbox is empty again.");
    expect(after).toContain("No requests yet");
  });

  it("the Create form offers the inbox as the URL in one click, without script too", async () => {
    const visitor = new Visitor(HTTP_ORIGIN, devHandler);
    const ws = await signedIn(visitor);
    const path = `/w/${ws.uuid}/integrations/webhooks/destinations/new`;
    const form = await text(await visitor.fetch(path));
    expect(form).toContain(`data-use-inbox="${HTTP_ORIGIN}/dev/inbox/demo"`);
    const posted = await visitor.post(path, [
      ...destinationForm({ name: "Kept as typed", url_template: "" }),
      ["_action", "use-inbox"],
    ]);
    expect(posted.status).toBe(200);
    const again = await text(posted);
    expect(again).toMatch(
      new RegExp(`id="url_template" name="url_template" value="${HTTP_ORIGIN}/dev/inbox/demo"`),
    );
    expect(again).toContain('value="Kept as typed"');
    // Then saving it works (private URLs are allowed in development).
    const saved = await visitor.post(
      path,
      destinationForm({ url_template: `${HTTP_ORIGIN}/dev/inbox/demo` }),
    );
    expect(saved.status).toBe(303);
  });
});

describe("the Inbox page in production", () => {
  it("does not exist: no link, no button, and its paths are the dashboard's 404", async () => {
    const visitor = new Visitor();
    const ws = await signedIn(visitor);
    const home = await text(await visitor.fetch(`/w/${ws.uuid}/integrations`));
    expect(home).not.toContain("/inbox");
    expect(home).not.toContain(">Inbox<");
    const form = await text(await visitor.fetch(`/w/${ws.uuid}/integrations/webhooks/destinations/new`));
    expect(form).not.toContain("data-use-inbox");
    expect(form).not.toContain("local inbox");
    for (const path of [
      `/w/${ws.uuid}/inbox`,
      `/w/${ws.uuid}/inbox?name=demo`,
      `/w/${ws.uuid}/inbox/requests?name=demo`,
    ]) {
      const response = await visitor.fetch(path);
      expect(response.status, path).toBe(404);
      expect(await text(response)).not.toContain("data-inbox");
    }
    expect((await visitor.post(`/w/${ws.uuid}/inbox/clear`, { name: "demo" })).status).toBe(404);
  });
});
