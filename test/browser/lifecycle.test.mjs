// The failure lifecycle in a real browser, as the workspace's owner walks it the morning after an outage:
// the receiver answered 410 Gone, so the destination was disabled and its other deliveries skipped. The
// Activity page says so; the destination's page gives the reason; the failed attempt explains the 410 and
// links to Troubleshooting; the event's page says who got it; re-enabling offers to recover what was
// skipped, which counts, starts and finishes while the receiver (fixed) gets every delivery once.
// Screens are saved under test/browser/artifacts/ (desktop-9x, phone-9x).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startWorker } from "../e2e/harness.mjs";
import { startReceiver } from "../e2e/receiver.mjs";
import {
  apiFor,
  assertNoHorizontalOverflow,
  DESKTOP,
  launchBrowser,
  PHONE,
  screenshot,
  waitFor,
} from "./helpers.mjs";

const LIMIT = { timeout: 60_000 };
let worker, browser, receiver, page, ws, api, destination;
let fixed = false;

before(async () => {
  [worker, browser, receiver] = await Promise.all([
    startWorker(),
    launchBrowser(),
    // The 410 comes late enough for all four events to be ingested while the destination is still on.
    startReceiver((request) =>
      fixed || request.path === "/chat" ? { status: 200 } : { status: 410, delayMs: 1_000 },
    ),
  ]);
  ws = await worker.createWorkspace("Acme Marketing");
  api = apiFor(worker, ws.uuid, ws.apiKey);
  await api.createDestination({
    name: "Team chat",
    url_template: `${receiver.url}/chat`,
    event_types: ["destination.disabled"],
  });
  destination = await api.createDestination({ name: "CRM intake", url_template: `${receiver.url}/crm` });
  for (let i = 0; i < 4; i++)
    await api.ingest({
      id: `crm-${i}`,
      type: "contact.created",
      contact: { _id: `ct_${i}`, attributes: {} },
    });
  // The first 410 disables it; the other deliveries are failed or skipped, none left pending.
  await waitFor(
    async () => {
      const { data } = await api.deliveries(destination.id);
      return data.length === 4 && data.every((d) => d.status !== "pending");
    },
    "the outage to settle",
    20_000,
  );
  page = await (await browser.newContext(DESKTOP)).newPage();
  page.setDefaultTimeout(8_000);
  await page.goto(`${worker.url}/`);
  await page.fill("#api-key", ws.apiKey);
  await Promise.all([page.waitForURL(/\/integrations$/), page.click("button[type=submit]")]);
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await worker?.dispose();
});

test("Activity says what happened, and leads to the destination with its reason", LIMIT, async () => {
  await page.getByRole("link", { name: "Activity" }).click();
  await page.waitForURL(/\/activity$/);
  const item = page.locator(".activity-item", { hasText: "CRM intake was disabled" });
  assert.match(await item.innerText(), /CRM intake was disabled: The receiver answered 410 Gone on /);
  // The 410'd delivery failed for good, and says so too.
  assert.equal(await page.locator(".activity-item", { hasText: "had a delivery fail for good" }).count(), 1);
  await screenshot(page, "desktop-90-activity");
  await item.getByRole("link", { name: "CRM intake" }).click();
  await page.waitForURL(/\/destinations\/dst_/);
  assert.match(await page.locator("#state-title").locator("..").locator("..").innerText(), /410 Gone/);
  assert.match(await page.locator('[aria-labelledby="activity-title"]').innerText(), /was disabled/);
  await screenshot(page, "desktop-91-disabled-destination");
});

test("the failed attempt explains the 410; the event's page says who got it", LIMIT, async () => {
  const failed = page.locator(".history-table tr", { hasText: "Failed" }).first();
  await failed.getByRole("link").first().click();
  await page.waitForURL(/\/deliveries\/dlv_/);
  const hint = page.locator(".trouble-hint").first();
  assert.match(await hint.innerText(), /410 Gone[\s\S]*What to do:/);
  await screenshot(page, "desktop-92-attempt-hint");
  await page.getByRole("link", { name: /Which destinations got this event/ }).click();
  await page.waitForURL(/\/events\//);
  const chat = page.locator("tr", { hasText: "Team chat" });
  assert.match(await chat.innerText(), /Not subscribed to this event type/);
  await screenshot(page, "desktop-93-event");
  await page.goto(`${worker.url}/docs/troubleshooting#gone`);
  assert.equal(await page.locator("#gone h2").innerText(), "410 Gone");
  await screenshot(page, "desktop-94-troubleshooting", { fullPage: false });
});

test("re-enabling offers to recover what was skipped; it counts, runs and finishes", LIMIT, async () => {
  fixed = true;
  const before = receiver.requests.filter((q) => q.path === "/crm").length;
  await page.goto(`${worker.url}/w/${ws.uuid}/integrations/webhooks/destinations/${destination.id}`);
  await page.getByRole("button", { name: "Enable destination" }).click();
  await page.getByRole("link", { name: "Recover skipped deliveries…" }).click();
  await page.waitForURL(/\/recover\?/);
  // The 410'd delivery failed; the others were skipped: recover both kinds.
  await page.getByLabel(/^Failed/).check();
  await page.getByRole("button", { name: "Count deliveries" }).click();
  assert.equal(await page.locator("#count-title").innerText(), "4 deliveries match");
  await screenshot(page, "desktop-95-recover-count");

  const phone = await (await browser.newContext(PHONE)).newPage();
  await phone.context().addCookies(await page.context().cookies());
  await phone.goto(page.url());
  await assertNoHorizontalOverflow(phone, "recover deliveries, phone");
  await screenshot(phone, "phone-95-recover-count");
  await phone.goto(`${worker.url}/w/${ws.uuid}/activity`);
  await assertNoHorizontalOverflow(phone, "activity, phone");
  await screenshot(phone, "phone-90-activity");
  await phone.context().close();

  await page.getByRole("button", { name: "Recover 4 deliveries" }).click();
  await page.waitForURL(/\/recoveries\/rcv_/);
  await page.locator(".pill", { hasText: "Finished" }).waitFor({ timeout: 15_000 });
  assert.match(await page.locator('[aria-labelledby="progress-title"]').innerText(), /4 of 4 deliveries/);
  await screenshot(page, "desktop-96-recovery-finished");
  await waitFor(
    () => receiver.requests.filter((q) => q.path === "/crm").length - before === 4,
    "the recovered deliveries to arrive",
    15_000,
  );
  const ids = receiver.requests
    .filter((q) => q.path === "/crm")
    .slice(before)
    .map((q) => q.headers["x-leadpush-id"]);
  assert.equal(new Set(ids).size, 4, "each once, under its own id");
});

test("the Create form groups the operational events apart from the contact events", LIMIT, async () => {
  await page.goto(`${worker.url}/w/${ws.uuid}/integrations/webhooks/destinations/new`);
  const heading = page.getByRole("heading", { name: "Operational events" });
  await heading.waitFor();
  const types = await page
    .locator('input[name="event_types"]')
    .evaluateAll((inputs) => inputs.map((i) => i.value));
  const split = types.indexOf("destination.failing");
  assert.ok(split > 0, "operational types come after the contact types");
  assert.ok(types.slice(0, split).every((t) => t.startsWith("contact.")));
  assert.deepEqual(types.slice(split), [
    "destination.failing",
    "destination.recovered",
    "destination.disabled",
    "delivery.exhausted",
  ]);
  await heading.scrollIntoViewIfNeeded();
  await screenshot(page, "desktop-97-operational-event-types", { fullPage: false });
});
