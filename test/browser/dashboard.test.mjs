// The dashboard in a real browser (Debian's chromium through playwright-core) against the real worker
// bundle on Miniflare and a real local receiver: sign-in, the documented path Integrations → Webhooks
// → Destinations, several workspaces, and the defences (CSP, cross-site posts, revocation, 404s).
// Every screen is saved as a PNG in test/browser/artifacts/ (desktop-* at 1280×800, phone-* at 390×844).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startWorker } from "../e2e/harness.mjs";
import { startReceiver } from "../e2e/receiver.mjs";
import {
  apiFor,
  assertNoHorizontalOverflow,
  DESKTOP,
  launchBrowser,
  operatorFor,
  PHONE,
  recordDialogs,
  screenshot,
  startCrossSitePage,
  waitFor,
} from "./helpers.mjs";

const LIMIT = { timeout: 30_000 };
const HOSTILE_NAME = "<img src=x onerror=alert(1)> {{ x }}";

let worker, receiver, browser, desktop, page, operator;
let acme, northwind, globex; // { uuid, apiKey }
const dialogs = [];

before(async () => {
  [worker, receiver, browser] = await Promise.all([
    startWorker(),
    startReceiver((request) => ({ status: request.path.startsWith("/gone") ? 410 : 200, delayMs: 5 })),
    launchBrowser(),
  ]);
  operator = operatorFor(worker);
  [acme, northwind, globex] = await Promise.all(
    ["Acme Marketing", "Northwind Sales", "Globex"].map((name) => worker.createWorkspace(name)),
  );
  desktop = await browser.newContext(DESKTOP);
  page = await desktop.newPage();
  // A script injected through a destination's name would show up as a dialog.
  recordDialogs(page, dialogs);
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await worker?.dispose();
});

const at = (path) => `${worker.url}${path}`;
const heading = () => page.locator("h1").innerText();

async function signIn(key) {
  await page.fill("#api-key", key);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === at("/sign-in") && r.request().method() === "POST"),
    page.click("button[type=submit]"),
  ]);
  await page.waitForLoadState();
  return response;
}

test("signed out, / is the sign-in form, sent with a strict CSP and no caching", LIMIT, async () => {
  const response = await page.goto(at("/"));
  assert.equal(response.status(), 200);
  const headers = response.headers();
  assert.match(headers["content-security-policy"], /default-src 'none'; script-src 'self'; style-src 'self'/);
  assert.match(headers["content-security-policy"], /frame-ancestors 'none'; base-uri 'none'/);
  assert.equal(headers["x-frame-options"], "DENY");
  assert.equal(headers["referrer-policy"], "same-origin");
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["cache-control"], "no-store");
  assert.equal(await heading(), "Sign in to Leadpush");
  assert.equal(await page.getAttribute("#api-key", "type"), "password");
  assert.equal(await page.getAttribute("#api-key", "autocomplete"), "off");
  assert.equal(await page.locator("label[for=api-key]").innerText(), "Workspace API key");
  await screenshot(page, "desktop-01-sign-in");
});

test("a wrong key gets a clear message (401) and what was typed is not sent back", LIMIT, async () => {
  const typed = "lpk_this_is_not_a_key_0000000000000000000000";
  const response = await signIn(typed);
  assert.equal(response.status(), 401);
  assert.match(await page.getByRole("alert").innerText(), /not valid, or it has been revoked/);
  assert.equal(await page.inputValue("#api-key"), "");
  assert.ok(!(await page.content()).includes(typed));
  assert.ok(!page.url().includes("lpk_"));
  await screenshot(page, "desktop-02-sign-in-wrong-key");
});

test(
  "the right key opens Integrations; the session is an HttpOnly, SameSite=Strict cookie",
  LIMIT,
  async () => {
    await signIn(acme.apiKey);
    assert.equal(page.url(), at(`/w/${acme.uuid}/integrations`));
    assert.equal(await heading(), "Integrations");
    assert.equal(await page.locator(".nav-link[aria-current=page]").innerText(), "Integrations");
    const cookies = await desktop.cookies(worker.url);
    const session = cookies.find((c) => c.name === "lp_session");
    assert.ok(session, "a session cookie is set");
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.notEqual(session.value, acme.apiKey);
    assert.equal(await page.evaluate(() => document.cookie), "", "no cookie is readable by scripts");
    assert.ok(!(await page.content()).includes(acme.apiKey), "the key is not in the page");
    assert.equal(await page.locator('a[href="/docs"]').first().innerText(), "API reference");
    await screenshot(page, "desktop-03-integrations");
  },
);

test("Integrations → Webhooks → Destinations: an empty list says what to do next", LIMIT, async () => {
  await page.click("text=Webhooks");
  assert.equal(page.url(), at(`/w/${acme.uuid}/integrations/webhooks`));
  const crumbs = await page.locator(".breadcrumbs li").allInnerTexts();
  assert.deepEqual(crumbs, ["Integrations", "Webhooks", "Destinations"]);
  assert.equal(await page.locator(".tab[aria-current=page]").innerText(), "Destinations");
  assert.equal(await page.locator(".empty-state h3").innerText(), "No destinations yet");
  const create = page.getByRole("link", { name: "Create Destination" });
  assert.equal(await create.getAttribute("href"), `/w/${acme.uuid}/integrations/webhooks/destinations/new`);
  await screenshot(page, "desktop-04-webhooks-empty");
});

async function seedDestinations(api) {
  const ok = `${receiver.url}/ok`;
  const crm = await api.createDestination({
    name: "CRM Intake",
    url_template: `${ok}/contacts/{{ contact._id }}/events`,
    event_types: ["contact.created", "contact.updated"],
  });
  const hostile = await api.createDestination({
    name: HOSTILE_NAME,
    url_template: `${ok}/hostile?x={{ x }}`,
  });
  const gone = await api.createDestination({
    name: "Legacy endpoint",
    url_template: `${receiver.url}/gone`,
    event_types: ["contact.updated"],
  });
  await api.createDestination({
    name: "Data Warehouse Events",
    method: "PUT",
    url_template: `${ok}/warehouse/{{ event.type }}`,
    event_types: ["contact.deleted", "contact.unsubscribed"],
  });
  await api.createDestination({ name: "Paused receiver", enabled: false, url_template: `${ok}/paused` });
  for (const [i, type] of ["contact.created", "contact.created", "contact.updated"].entries()) {
    await api.ingest({ type, contact: { _id: `ct_${i}`, attributes: { email: `ada${i}@example.com` } } });
  }
  const settled = async (id, n) => {
    const { data } = await api.deliveries(id);
    return data.length === n && data.every((d) => d.status !== "pending");
  };
  await waitFor(async () => (await settled(crm.id, 3)) && (await settled(hostile.id, 2)), "deliveries");
  await waitFor(() => settled(gone.id, 1), "the 410 destination's delivery");
}

test(
  "the list shows each destination's settings and health; a hostile name is only text",
  LIMIT,
  async () => {
    await seedDestinations(apiFor(worker, acme.uuid, acme.apiKey));
    await page.reload();
    const rows = page.locator(".data-table tbody tr");
    assert.equal(await rows.count(), 5);
    const row = (name) => rows.filter({ has: page.locator("td.cell-name", { hasText: name }) });
    const crm = await row("CRM Intake").innerText();
    assert.match(crm, /POST/);
    assert.match(crm, /\/ok\/contacts\/\{\{ contact\._id \}\}\/events/);
    assert.match(crm, /Enabled/);
    assert.match(crm, /contact\.created[\s\S]*contact\.updated/);
    assert.match(crm, /Succeeded\s+100% success\s+\d+ ms median/);
    assert.match(
      await row("Legacy endpoint").innerText(),
      /Disabled[\s\S]*410 Gone[\s\S]*Failed[\s\S]*0% success/,
    );
    assert.match(await row("Data Warehouse Events").innerText(), /PUT[\s\S]*No deliveries yet/);
    assert.match(await row("Paused receiver").innerText(), /Disabled/);
    const names = await page.locator("td.cell-name a").allInnerTexts();
    assert.ok(names.includes(HOSTILE_NAME), "the hostile name is shown exactly, as text");
    assert.equal(await page.locator('img[src="x"]').count(), 0, "no element was made from it");
    assert.deepEqual(dialogs, [], "no script ran");
    assert.equal(await page.getByRole("link", { name: "Create Destination" }).count(), 1);
    await screenshot(page, "desktop-05-destinations");
  },
);

test(
  "another workspace is added with its key; its list pages by cursor; the chooser switches",
  LIMIT,
  async () => {
    const api = apiFor(worker, northwind.uuid, northwind.apiKey);
    for (let i = 1; i <= 21; i++) {
      await api.createDestination({
        name: `Receiver ${String(i).padStart(2, "0")}`,
        url_template: `${receiver.url}/ok`,
      });
    }
    const northwindKey = await operator.issueKey(northwind.uuid);
    northwind.secondKey = northwindKey;
    await page.click(".ws-menu summary");
    assert.ok(await page.locator(".ws-panel").isVisible());
    await page.click("text=Add a workspace…");
    assert.equal(await heading(), "Add a workspace");
    await screenshot(page, "desktop-06-add-workspace");
    await signIn(northwindKey.apiKey);
    assert.equal(page.url(), at(`/w/${northwind.uuid}/integrations`));
    await page.click("text=Webhooks");
    assert.equal(await page.locator(".data-table tbody tr").count(), 20);
    await page.click("text=Next page");
    assert.equal(await page.locator(".data-table tbody tr").count(), 1);
    assert.equal(await page.locator("td.cell-name").innerText(), "Receiver 01");
    await screenshot(page, "desktop-07-destinations-page-2");
    await page.click("text=First page");
    await page.click(".ws-menu summary");
    const options = await page.locator(".ws-option .ws-name").allInnerTexts();
    assert.deepEqual(options, ["Acme Marketing", "Northwind Sales"]);
    await screenshot(page, "desktop-08-workspace-chooser", { fullPage: false });
    await page.click(`.ws-option[href="/w/${acme.uuid}/integrations/webhooks"]`);
    assert.equal(page.url(), at(`/w/${acme.uuid}/integrations/webhooks`), "the chooser keeps the screen");
    assert.equal(await page.locator(".ws-menu summary .ws-name").textContent(), "Workspace: Acme Marketing");
  },
);

test("a workspace the session does not hold is a 404, as is an unknown page", LIMIT, async () => {
  for (const path of [
    `/w/${globex.uuid}/integrations/webhooks`,
    "/w/00000000-0000-4000-8000-000000000000/integrations",
    `/w/${acme.uuid}/no-such-page`,
  ]) {
    const response = await page.goto(at(path));
    assert.equal(response.status(), 404, path);
    assert.equal(await heading(), "Page not found");
  }
  await screenshot(page, "desktop-09-not-found");
});

test("a form posted from another site, or without the page's token, is refused with 403", LIMIT, async () => {
  const attacker = await startCrossSitePage();
  try {
    // Cross-site (localhost is another site than 127.0.0.1): the session cookie is not even sent.
    const signOut = encodeURIComponent(at("/sign-out"));
    await page.goto(`http://localhost:${attacker.port}/post?to=${signOut}`);
    await page.waitForURL(at("/sign-out"));
    assert.equal(await heading(), "This request was refused");
    await screenshot(page, "desktop-10-cross-site-refused");
    // Same site, another origin (another port): the cookie is sent, the Origin check refuses it.
    const signIn = encodeURIComponent(at("/sign-in"));
    await page.goto(`http://127.0.0.1:${attacker.port}/post?to=${signIn}&api_key=${globex.apiKey}`);
    await page.waitForURL(at("/sign-in"));
    assert.equal(await heading(), "This request was refused");
  } finally {
    await attacker.close();
  }
  await page.goto(at(`/w/${acme.uuid}/integrations`));
  const status = await page.evaluate(async () => (await fetch("/sign-out", { method: "POST" })).status);
  assert.equal(status, 403, "a same-origin post without the CSRF token is refused too");
  await page.reload();
  assert.equal(await heading(), "Integrations", "still signed in");
  await page.click(".ws-menu summary");
  assert.deepEqual(await page.locator(".ws-option .ws-name").allInnerTexts(), [
    "Acme Marketing",
    "Northwind Sales",
  ]);
});

test("revoking the API key that proved a workspace drops it from the session", LIMIT, async () => {
  await operator.revokeKey(northwind.uuid, northwind.secondKey.id);
  const response = await page.goto(at(`/w/${northwind.uuid}/integrations`));
  assert.equal(response.status(), 404);
  await page.goto(at("/"));
  assert.equal(page.url(), at(`/w/${acme.uuid}/integrations`));
  await page.click(".ws-menu summary");
  assert.deepEqual(await page.locator(".ws-option .ws-name").allInnerTexts(), ["Acme Marketing"]);
});

test("keyboard: the skip link comes first and moves focus to the main content", LIMIT, async () => {
  await page.goto(at(`/w/${acme.uuid}/integrations/webhooks`));
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => ({
    text: document.activeElement.textContent,
    outline: getComputedStyle(document.activeElement).outlineStyle,
  }));
  assert.deepEqual(first, { text: "Skip to content", outline: "solid" });
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main");
});

test("phone (390 px): sidebar on top, the table as cards, nothing wider than the screen", LIMIT, async () => {
  const phone = await browser.newContext(PHONE);
  try {
    const small = await phone.newPage();
    await small.goto(at("/"));
    await assertNoHorizontalOverflow(small, "sign-in");
    await screenshot(small, "phone-01-sign-in");
    await phone.addCookies(await desktop.cookies(worker.url));
    for (const [name, path] of [
      ["phone-02-integrations", `/w/${acme.uuid}/integrations`],
      ["phone-03-destinations", `/w/${acme.uuid}/integrations/webhooks`],
    ]) {
      await small.goto(at(path));
      await assertNoHorizontalOverflow(small, name);
      await screenshot(small, name);
    }
    const sidebar = await small.locator(".sidebar").boundingBox();
    assert.equal(Math.round(sidebar.width), 390, "the sidebar spans the screen above the content");
    await small.click(".ws-menu summary");
    await assertNoHorizontalOverflow(small, "workspace chooser");
    await screenshot(small, "phone-04-workspace-chooser", { fullPage: false });
    await small.goto(at(`/w/${globex.uuid}/integrations`));
    await assertNoHorizontalOverflow(small, "404");
    await screenshot(small, "phone-05-not-found");
  } finally {
    await phone.close();
  }
});

test("signing out ends the session server-side: the old cookie no longer works", LIMIT, async () => {
  const before = await desktop.cookies(worker.url);
  await page.goto(at(`/w/${acme.uuid}/integrations`));
  await page.click("text=Sign out");
  await page.waitForURL(at("/"));
  assert.equal(await heading(), "Sign in to Leadpush");
  const replay = await browser.newContext(DESKTOP);
  try {
    await replay.addCookies(before);
    const old = await replay.newPage();
    await old.goto(at(`/w/${acme.uuid}/integrations`));
    assert.equal(old.url(), at("/"), "the copied cookie leads back to sign-in");
  } finally {
    await replay.close();
  }
});
