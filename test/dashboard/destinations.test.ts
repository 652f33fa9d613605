// Create Destination, Edit and Preview through the dashboard's forms: saved by the API's own rules, every
// refusal shown next to its field with nothing written and nothing typed lost, and the signing secret
// shown once, from an encrypted server-side reveal, never from a URL.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptBound, decryptSecret } from "../../src/secrets/at-rest";
import { call, countRows, createWorkspace, json } from "../support/helpers";
import { dashboardUrls, destinationForm, shownSecret, Visitor } from "./helpers";

async function signedIn(name = "Acme") {
  const ws = await createWorkspace(name);
  const visitor = new Visitor();
  await visitor.signIn(ws.key);
  const at = dashboardUrls(ws.uuid);
  await visitor.fetch(at.create);
  return { ws, visitor, at };
}

/** What a workspace has stored: destinations, their subscriptions, and secrets waiting to be shown. */
const stored = (ws: { uuid: string }) =>
  Promise.all([
    countRows("destinations", "workspace_uuid = ?", ws.uuid),
    countRows("destination_event_types", "workspace_uuid = ?", ws.uuid),
    countRows(
      "dashboard_reveals",
      "destination_id IN (SELECT id FROM destinations WHERE workspace_uuid = ?)",
      ws.uuid,
    ),
  ]);

const storedSecret = async (id: string) => {
  const row = await env.DB.prepare("SELECT secret_ciphertext AS c FROM destinations WHERE id = ?")
    .bind(id)
    .first<{ c: string }>();
  return decryptSecret(env.SECRET_ENCRYPTION_KEY, id, row?.c ?? "");
};

describe("Create Destination", () => {
  it("is reached from the Destinations tab; the bare destinations address leads there too", async () => {
    const { ws, visitor, at } = await signedIn();
    const list = await (await visitor.fetch(at.list)).text();
    expect(list).toContain(`href="${at.create}"`);
    const bare = await visitor.fetch(`/w/${ws.uuid}/integrations/webhooks/destinations`);
    expect(bare.status).toBe(303);
    expect(bare.headers.get("location")).toBe(at.list);
  });

  it("saves what the API would save for the same fields", async () => {
    const { ws, visitor, at } = await signedIn();
    const created = await visitor.post(at.create, destinationForm());
    expect(created.status).toBe(303);
    const id = created.headers.get("location")?.split("/").pop() ?? "";
    const api = await call(`/v1/workspaces/${ws.uuid}/destinations/${id}`, { auth: ws.auth });
    expect(await json(api)).toMatchObject({
      name: "CRM Intake",
      enabled: true,
      method: "POST",
      url_template: "https://example.com/contacts/{{ contact._id }}",
      headers_template: [{ key: "Authorization", value: "Bearer your-token" }],
      query_template: [{ key: "event", value: "{{ event.type }}" }],
      body_template: '{ "email": "{{ contact.attributes.email }}" }',
      timeout_seconds: 10,
      event_types: ["contact.created", "contact.updated"],
    });
  });

  it("shows the secret once, on the page the redirect leads to, and never in a URL", async () => {
    const { ws, visitor, at } = await signedIn();
    const created = await visitor.post(at.create, destinationForm());
    const location = created.headers.get("location") ?? "";
    const id = location.split("/").pop() ?? "";
    const secret = await storedSecret(id);
    expect(location).toBe(at.destination(id));
    expect(location).not.toContain("whsec_");
    expect(await created.text()).not.toContain(secret);
    const first = await visitor.fetch(location);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const page = await first.text();
    expect(shownSecret(page)).toBe(secret);
    expect(page).toContain("This secret will not be shown again");
    expect(page).toMatch(/<dialog[^>]+id="secret-dialog"[^>]*\sopen/);
    const again = await (await visitor.fetch(location)).text();
    expect(shownSecret(again)).toBeNull();
    expect(again).not.toContain("secret-dialog");
    expect((await stored(ws))[2]).toBe(0);
  });

  it("keeps the waiting secret encrypted, bound to the session: no other session can take it", async () => {
    const { ws, visitor, at } = await signedIn();
    const created = await visitor.post(at.create, destinationForm());
    const id = created.headers.get("location")?.split("/").pop() ?? "";
    const secret = await storedSecret(id);
    const row = await env.DB.prepare("SELECT * FROM dashboard_reveals WHERE destination_id = ?")
      .bind(id)
      .first<{ session_id: string; secret_ciphertext: string }>();
    expect(row?.secret_ciphertext).not.toContain(secret.slice(6));
    await expect(
      decryptBound(
        env.SECRET_ENCRYPTION_KEY,
        `leadpush.dashboard-reveal:other:${id}`,
        row?.secret_ciphertext ?? "",
      ),
    ).rejects.toThrow();
    const other = new Visitor();
    await other.signIn(ws.key);
    expect(shownSecret(await (await other.fetch(at.destination(id))).text())).toBeNull();
    expect(shownSecret(await (await visitor.fetch(at.destination(id))).text())).toBe(secret);
  });

  it("does not show a reveal that has expired, nor one left behind by signing out", async () => {
    const { ws, visitor, at } = await signedIn();
    const created = await visitor.post(at.create, destinationForm());
    const location = created.headers.get("location") ?? "";
    await env.DB.prepare("UPDATE dashboard_reveals SET expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    expect(shownSecret(await (await visitor.fetch(location)).text())).toBeNull();
    await visitor.post(at.create, destinationForm({ name: "Second" }));
    expect((await stored(ws))[2]).toBe(1);
    await visitor.post("/sign-out");
    expect((await stored(ws))[2]).toBe(0);
  });
});

describe("a refused form", () => {
  it("writes nothing, answers 400 and shows each error next to its field, with all that was typed", async () => {
    const { ws, visitor, at } = await signedIn();
    const before = await stored(ws);
    const typed = destinationForm({
      name: "<b>Kept</b>",
      method: "GET",
      header_key: ["X-Fine", "", "Host"],
      header_value: ["{{ contact._id }}", "", "example.com"],
      timeout_seconds: "45",
    });
    const refused = await visitor.post(at.create, typed);
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain("The destination was not created");
    expect(page).toContain('href="#header-2-key"');
    expect(page).toContain('id="header-2-key-error"');
    expect(page).toContain("Host is set by Leadpush and cannot be configured.");
    expect(page).toContain("Timeout Seconds must be a whole number from 1 to 30.");
    expect(page).toContain('value="&lt;b&gt;Kept&lt;/b&gt;"');
    expect(page).toContain('value="45"');
    expect(page).toContain('value="{{ contact._id }}"');
    expect(page).toMatch(/<option value="GET" selected/);
    expect(page).toContain("{ &quot;email&quot;: &quot;{{ contact.attributes.email }}&quot; }");
    const after = await stored(ws);
    expect(after).toEqual(before);
  });

  it("shows a save-time rule (the URL policy, a GET with a body) next to its field", async () => {
    const { ws, visitor, at } = await signedIn();
    const privateUrl = await visitor.post(
      at.create,
      destinationForm({ url_template: "http://127.0.0.1/hook" }),
    );
    expect(privateUrl.status).toBe(400);
    expect(await privateUrl.text()).toMatch(
      /id="url_template-error"[^>]*>.*(private|local|loopback|https)/is,
    );
    const getWithBody = await visitor.post(at.create, destinationForm({ method: "GET" }));
    expect(await getWithBody.text()).toContain(
      "A GET request carries no body; clear Body Template or use another method.",
    );
    expect((await stored(ws))[0]).toBe(0);
  });
});

describe("the form's buttons without script", () => {
  it("adds and removes a row, keeping every value", async () => {
    const { ws, visitor, at } = await signedIn();
    const added = await (
      await visitor.post(at.create, [...destinationForm(), ["_action", "add-header"]])
    ).text();
    expect(added).toContain('id="header-2-key"');
    expect(added).toContain('value="Bearer your-token"');
    const removed = await (
      await visitor.post(at.create, [...destinationForm(), ["_action", "remove-header-0"]])
    ).text();
    expect(removed).not.toContain('value="Bearer your-token"');
    expect(removed).toContain('value="CRM Intake"');
    expect((await stored(ws))[0]).toBe(0);
  });

  it("previews the unsaved values exactly as the API's preview renders them", async () => {
    const { ws, visitor, at } = await signedIn();
    const form = [
      ...destinationForm(),
      ["_action", "preview"],
      ["preview_event_type", "contact.updated"],
    ] as [string, string][];
    const page = await (await visitor.post(at.create, form)).text();
    expect(page).toContain("https://example.com/contacts/ct_sample_0001?event=contact.updated");
    expect(page).toContain("v1,&lt;computed when sent&gt;");
    expect(page).toContain("{ &quot;email&quot;: &quot;ada@example.com&quot; }");
    expect(page).toContain(ws.uuid);
    const fragment = await visitor.post(at.preview, form);
    expect(fragment.status).toBe(200);
    const html = await fragment.text();
    expect(html.startsWith('<div id="preview-result"')).toBe(true);
    expect(html).toContain("https://example.com/contacts/ct_sample_0001?event=contact.updated");
    expect((await stored(ws))[0]).toBe(0);
  });

  it("says why a preview cannot render: the field errors, or the template error of this event", async () => {
    const { visitor, at } = await signedIn();
    const broken = await (
      await visitor.post(at.preview, destinationForm({ body_template: "{{#a}}" }))
    ).text();
    expect(broken).toContain('href="#body_template"');
    const notJson = await (
      await visitor.post(at.preview, destinationForm({ body_template: '{ "a": {{ x }} }' }))
    ).text();
    expect(notJson).toContain("template_error");
  });
});

describe("Edit", () => {
  it("shows the saved values, saves the changes with the same rules, and keeps them on a refusal", async () => {
    const { ws, visitor, at } = await signedIn();
    const id =
      (await visitor.post(at.create, destinationForm())).headers.get("location")?.split("/").pop() ?? "";
    const edit = at.action(id, "edit");
    const form = await (await visitor.fetch(edit)).text();
    expect(form).toContain('value="Bearer your-token"');
    const refused = await visitor.post(
      edit,
      destinationForm({ name: "Renamed", url_template: "ftp://example.com" }),
    );
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('value="Renamed"');
    const saved = await visitor.post(edit, destinationForm({ name: "Renamed", event_types: [] }));
    expect(saved.headers.get("location")).toBe(`${at.destination(id)}?notice=saved`);
    const api = await json(await call(`/v1/workspaces/${ws.uuid}/destinations/${id}`, { auth: ws.auth }));
    expect(api).toMatchObject({ name: "Renamed", event_types: [] });
  });

  it("shows the saved filter on the Settings card as compact JSON, or says there is none", async () => {
    const { visitor, at } = await signedIn();
    const id =
      (await visitor.post(at.create, destinationForm())).headers.get("location")?.split("/").pop() ?? "";
    const filterRow = async () => {
      const page = await (await visitor.fetch(at.destination(id))).text();
      return page.match(/<dt>Filter<\/dt><dd>(.*?)<\/dd>/s)?.[1];
    };
    expect(await filterRow()).toBe('<span class="muted">None — every event of the subscribed types</span>');
    const typed =
      '{\n  "contact.attributes.plan": { "$in": ["pro", "enterprise"] },\n  "event.type": "contact.created"\n}';
    await visitor.post(at.action(id, "edit"), destinationForm({ filter: typed }));
    expect(await filterRow()).toBe(
      '<code class="id">{&quot;contact.attributes.plan&quot;:{&quot;$in&quot;:[&quot;pro&quot;,&quot;enterprise&quot;]},&quot;event.type&quot;:&quot;contact.created&quot;}</code>',
    );
    // A long one is cut visibly; its title holds the whole of it.
    const plans = Array.from({ length: 40 }, (_, i) => `plan-${i}`);
    await visitor.post(
      at.action(id, "edit"),
      destinationForm({ filter: JSON.stringify({ "contact.attributes.plan": { $in: plans } }) }),
    );
    const long = (await filterRow()) ?? "";
    const whole = JSON.stringify({ "contact.attributes.plan": { $in: plans } }).replaceAll('"', "&quot;");
    expect(long).toContain(`title="${whole}"`);
    expect(long).toMatch(/…<\/code>/);
    expect(long).not.toContain(`>${whole}<`);
    expect(long).toContain("Edit shows the whole filter.");
  });
});
