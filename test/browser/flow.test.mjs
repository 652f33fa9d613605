// Flow control on the dashboard, in a real browser: the Rate Limit field of Create Destination (its
// error beside it, its value on the destination's page). Screens are saved under test/browser/artifacts/ (desktop-8x, phone-8x).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startWorker } from "../e2e/harness.mjs";
import { DESKTOP, launchBrowser, screenshot } from "./helpers.mjs";

const LIMIT = { timeout: 30_000 };
let worker, browser, page, ws, _destinationUrl;

before(async () => {
  [worker, browser] = await Promise.all([startWorker(), launchBrowser()]);
  ws = await worker.createWorkspace("Acme Marketing");
  page = await (await browser.newContext(DESKTOP)).newPage();
  page.setDefaultTimeout(8_000);
  await page.goto(`${worker.url}/`);
  await page.fill("#api-key", ws.apiKey);
  await Promise.all([page.waitForURL(/\/integrations$/), page.click("button[type=submit]")]);
});

after(async () => {
  await browser?.close();
  await worker?.dispose();
});

const createForm = () => page.goto(`${worker.url}/w/${ws.uuid}/integrations/webhooks/destinations/new`);

test("Rate Limit: out of range is refused beside the field; a limit shows on the page", LIMIT, async () => {
  await createForm();
  await page.getByLabel("Name", { exact: true }).fill("Warehouse loader");
  await page.getByLabel("URL Template", { exact: true }).fill("https://warehouse.example.com/leadpush");
  await page.getByRole("checkbox", { name: /contact\.updated/ }).check();
  const rate = page.getByLabel("Rate Limit", { exact: true });
  assert.equal(await rate.getAttribute("placeholder"), "No limit");
  await rate.fill("5000");
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/destinations/new")),
    page.getByRole("button", { name: "Create Destination" }).click(),
  ]);
  assert.equal(refused.status(), 400);
  await page.waitForLoadState();
  assert.match(await page.locator("#rate_limit_per_second-error").innerText(), /from 1 to 1000, or blank/);
  assert.equal(await rate.getAttribute("aria-invalid"), "true");
  await screenshot(page, "desktop-80-rate-limit-error");

  await rate.fill("25");
  await Promise.all([
    page.waitForURL(/\/destinations\/dst_/),
    page.getByRole("button", { name: "Create Destination" }).click(),
  ]);
  _destinationUrl = page.url().split("?")[0];
  // The one-time secret dialog comes first.
  await page.locator("#secret-dialog").getByRole("button", { name: "Done" }).click();
  const setting = page.locator(".setting", { has: page.locator("dt", { hasText: "Rate Limit" }) });
  assert.equal(await setting.locator("dd").innerText(), "25 per second");
  assert.equal(await page.locator(".failing-banner").count(), 0, "no banner while healthy");
});
