// /docs in a real browser: the API reference generated from /openapi.json, readable offline (every
// asset from this server), and its "Try it" forms calling the API with a token kept in memory only.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startWorker } from "../e2e/harness.mjs";
import {
  ARTIFACTS,
  assertNoHorizontalOverflow,
  DESKTOP,
  launchBrowser,
  PHONE,
  screenshot,
} from "./helpers.mjs";

const LIMIT = { timeout: 30_000 };

let worker, browser, context, page, workspace;
const requested = [];

before(async () => {
  [worker, browser] = await Promise.all([startWorker(), launchBrowser()]);
  workspace = await worker.createWorkspace("Docs reader");
  context = await browser.newContext(DESKTOP);
  page = await context.newPage();
  page.on("request", (request) => requested.push(request.url()));
});

after(async () => {
  await browser?.close();
  await worker?.dispose();
});

const at = (path) => `${worker.url}${path}`;

test(
  "/docs lists every operation of /openapi.json, from this server alone, with a strict CSP",
  LIMIT,
  async () => {
    const response = await page.goto(at("/docs"));
    assert.equal(response.status(), 200);
    assert.match(response.headers()["content-security-policy"], /default-src 'none'.*connect-src 'self'/);
    assert.equal(response.headers()["x-frame-options"], "DENY");
    const document = await (await worker.fetch("/openapi.json")).json();
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const shown = await page.locator("article.op h3").allInnerTexts();
    assert.deepEqual(shown.map((text) => text.replace(/\s+/, " ")).sort(), operations.sort());
    assert.ok(
      requested.every((url) => url.startsWith(worker.url)),
      `only this server: ${requested.join(", ")}`,
    );
    const create = page.locator("#post-v1-workspaces-ws-destinations");
    assert.match(await create.innerText(), /url_template[\s\S]*required/);
    assert.match(await create.innerText(), /headers_template[\s\S]*array of HeaderTemplate[\s\S]*key/);
    await screenshot(page, "desktop-11-docs", { fullPage: false });
    await create.screenshot({ path: join(ARTIFACTS, "desktop-12-docs-operation.png") });
  },
);

test("Try it: GET /v1/event-types shows the status, headers and body", LIMIT, async () => {
  const operation = page.locator("#get-v1-event-types");
  await operation.scrollIntoViewIfNeeded();
  await operation.getByRole("button", { name: "Send request" }).click();
  const status = operation.locator("[data-try-status]");
  await status.filter({ hasText: "200" }).waitFor();
  assert.match(await status.innerText(), /^GET \/v1\/event-types → 200/);
  assert.match(await operation.locator("[data-try-body]").innerText(), /"type": "contact\.created"/);
  assert.match(
    await operation.locator("[data-try-headers]").textContent(),
    /content-type: application\/json/,
  );
  await operation.screenshot({ path: join(ARTIFACTS, "desktop-13-docs-try-it.png") });
});

test("Try it with a workspace key: the key is sent, and kept nowhere", LIMIT, async () => {
  await page.fill("#try-token", workspace.apiKey);
  await page.fill("#try-workspace", workspace.uuid);
  const operation = page.locator("#get-v1-workspaces-ws-destinations");
  await operation.getByRole("button", { name: "Send request" }).click();
  await operation.locator("[data-try-status]").filter({ hasText: "200" }).waitFor();
  assert.match(await operation.locator("[data-try-body]").innerText(), /"data": \[\]/);
  const kept = await page.evaluate(() => ({
    storage: localStorage.length + sessionStorage.length,
    cookie: document.cookie,
    url: location.href,
  }));
  assert.deepEqual(kept, { storage: 0, cookie: "", url: at("/docs") });
  assert.equal((await context.cookies()).length, 0);
  assert.equal(await page.getAttribute("#try-token", "name"), null, "no form can submit the token");
});

test("without script the reference still reads, and no Try it form shows", LIMIT, async () => {
  const plain = await browser.newContext({ ...DESKTOP, javaScriptEnabled: false });
  try {
    const reader = await plain.newPage();
    await reader.goto(at("/docs"));
    assert.equal(await reader.locator("form[data-try]").first().isVisible(), false);
    assert.ok(await reader.locator("#get-v1-event-types .curl").isVisible());
  } finally {
    await plain.close();
  }
});

test("phone (390 px): the reference fits the screen", LIMIT, async () => {
  const phone = await browser.newContext(PHONE);
  try {
    const small = await phone.newPage();
    await small.goto(at("/docs"));
    await assertNoHorizontalOverflow(small, "docs");
    await screenshot(small, "phone-06-docs", { fullPage: false });
    await small.locator("#post-v1-workspaces-ws-destinations").scrollIntoViewIfNeeded();
    await screenshot(small, "phone-07-docs-operation", { fullPage: false });
  } finally {
    await phone.close();
  }
});
