// A destination's Filter in a real browser (Debian's chromium through playwright-core) against the real
// worker bundle: an invalid filter is refused at the Filter field with the place and the reason and
// nothing saved, with and without script; a valid one is saved and shown on the Settings card; the
// Preview says whether the sample event matches, and which condition failed when it does not.
// Every screen is saved under test/browser/artifacts/ (desktop-4x at 1280×800, phone-4x at 390×844).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startWorker } from "../e2e/harness.mjs";
import {
  apiFor,
  assertNoHorizontalOverflow,
  DESKTOP,
  launchBrowser,
  PHONE,
  recordDialogs,
  screenshot,
} from "./helpers.mjs";

const LIMIT = { timeout: 30_000 };

// The second branch of the $or compares with a boolean: the engine names that place and says why.
const INVALID_FILTER = `{
  "$or": [
    { "contact.attributes.plan": "pro" },
    { "contact.attributes.seats": { "$gt": true } }
  ]
}`;
const INVALID_MESSAGE = "filter.$or[1].contact.attributes.seats.$gt: must be a number or a string.";

// The sample contact's email ends with @example.com, so which event is previewed decides the verdict;
// the condition on the event's type is the second one, so a verdict naming it names the right one.
const VALID_FILTER = `{
  "contact.attributes.email": { "$endsWith": "@example.com" },
  "event.type": { "$in": ["contact.created", "contact.updated"] }
}`;
const VALID_COMPACT = JSON.stringify(JSON.parse(VALID_FILTER));
// Fails on its first condition, whose path is longer than a phone is wide.
const LONG_PATH_FILTER =
  '{ "contact.attributes.subscription_plan_identifier": { "$startsWith": "enterprise" } }';
const NO_FILTER = "None — every event of the subscribed types";

let worker, browser, context, page, acme, api;
const dialogs = [];
let destinationUrl = "";

before(async () => {
  [worker, browser] = await Promise.all([startWorker(), launchBrowser()]);
  acme = await worker.createWorkspace("Acme Marketing");
  api = apiFor(worker, acme.uuid, acme.apiKey);
  context = await browser.newContext(DESKTOP);
  page = await context.newPage();
  page.setDefaultTimeout(8_000);
  recordDialogs(page, dialogs);
  await page.goto(at("/"));
  await page.fill("#api-key", acme.apiKey);
  await Promise.all([page.waitForLoadState(), page.click("button[type=submit]")]);
});

after(async () => {
  await browser?.close();
  await worker?.dispose();
});

const at = (path) => `${worker.url}${path}`;
const createUrl = () => at(`/w/${acme.uuid}/integrations/webhooks/destinations/new`);

/** The workspace's destinations, as the API lists them. */
async function savedDestinations() {
  const response = await worker.fetch(`/v1/workspaces/${acme.uuid}/destinations`, {
    headers: { Authorization: `Bearer ${acme.apiKey}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()).data;
}

/** The Settings card's Filter row (its value). */
const filterRow = (p) => p.locator('#settings-title ~ .settings .setting:has(dt:text-is("Filter")) dd');

async function fillRequiredFields(p, name) {
  await p.getByLabel("Name", { exact: true }).fill(name);
  await p.getByLabel("URL Template", { exact: true }).fill("https://example.com/hooks/{{ contact._id }}");
  await p.getByRole("checkbox", { name: /contact\.created/ }).check();
  await p.getByRole("checkbox", { name: /contact\.updated/ }).check();
}

/** Posts Create Destination and expects the refusal: a 400 page, the same URL. */
async function createRefused(p) {
  const [response] = await Promise.all([
    p.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/destinations/new")),
    p.getByRole("button", { name: "Create Destination" }).click(),
  ]);
  assert.equal(response.status(), 400);
  await p.waitForLoadState();
}

/**
 * The invalid filter's error: in the Filter field itself, with the engine's place and reason, right
 * above the textarea (the field's own error slot, under its label), tied to it for screen readers; the
 * summary at the top links to it; the typed filter is kept as it was.
 */
async function assertFilterErrorAtField(p) {
  const field = p.locator(".field:has(> #filter)");
  assert.equal(await field.getAttribute("class"), "field field-invalid");
  const error = field.locator("> #filter-error");
  assert.equal(await error.textContent(), `Error: ${INVALID_MESSAGE}`);
  const textarea = p.getByLabel("Filter", { exact: true });
  assert.equal(await textarea.getAttribute("aria-invalid"), "true");
  assert.match(await textarea.getAttribute("aria-describedby"), /\bfilter-error\b/);
  assert.equal(await textarea.inputValue(), INVALID_FILTER, "the filter comes back as typed");
  const [box, input] = [await error.boundingBox(), await textarea.boundingBox()];
  assert.ok(box.y + box.height <= input.y + 1, "the error sits above the textarea, not over it");
  assert.ok(input.y - (box.y + box.height) < 24, "and right next to it");
  assert.ok(box.x < input.x + input.width && input.x < box.x + box.width, "in the same column");
  const summaryLink = p.locator('.error-summary a[href="#filter"]');
  assert.equal(await summaryLink.innerText(), `Filter: ${INVALID_MESSAGE}`);
}

test(
  "an invalid filter is refused at the Filter field, naming the place and the reason; nothing is saved",
  LIMIT,
  async () => {
    await page.goto(createUrl());
    await fillRequiredFields(page, "Paid plans");
    await page.getByLabel("Filter", { exact: true }).fill(INVALID_FILTER);
    await createRefused(page);
    await assertFilterErrorAtField(page);
    assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "Paid plans");
    assert.ok(await page.getByRole("checkbox", { name: /contact\.updated/ }).isChecked());
    assert.deepEqual(await savedDestinations(), [], "nothing was saved");
    await screenshot(page, "desktop-40-filter-error");
    // Following the summary's link puts the cursor in the filter.
    await page.locator('.error-summary a[href="#filter"]').click();
    assert.equal(await page.evaluate(() => document.activeElement.id), "filter");
  },
);

test(
  "a valid filter is saved as typed and shown on the Settings card's Filter row as compact JSON",
  LIMIT,
  async () => {
    await page.getByLabel("Filter", { exact: true }).fill(VALID_FILTER);
    await Promise.all([
      page.waitForURL(/\/destinations\/dst_[^/]+$/),
      page.getByRole("button", { name: "Create Destination" }).click(),
    ]);
    destinationUrl = page.url();
    await page.locator("#secret-dialog:modal").waitFor();
    await page.keyboard.press("Escape"); // the one-time secret dialog
    await page.locator("#secret-dialog").waitFor({ state: "detached" });
    const [saved] = await savedDestinations();
    assert.deepEqual(saved.filter, JSON.parse(VALID_FILTER), "the API has the filter typed");
    const row = filterRow(page);
    assert.equal(await row.locator("code").innerText(), VALID_COMPACT);
    assert.equal(await row.locator("code").getAttribute("title"), null, "a short filter is shown whole");
    await screenshot(page, "desktop-41-filter-settings");
    // A destination without one says so on the same row.
    const unfiltered = await api.createDestination({
      name: "Everything",
      url_template: "https://example.com/all",
    });
    await page.goto(at(`/w/${acme.uuid}/integrations/webhooks/destinations/${unfiltered.id}`));
    assert.equal(await filterRow(page).innerText(), NO_FILTER);
    assert.equal(await filterRow(page).locator("code").count(), 0);
  },
);

test(
  "the Preview says the filter matches a sample event that matches, and names the condition that failed otherwise",
  LIMIT,
  async () => {
    await page.goto(destinationUrl);
    await page.getByRole("link", { name: "Edit" }).click();
    assert.deepEqual(
      JSON.parse(await page.getByLabel("Filter", { exact: true }).inputValue()),
      JSON.parse(VALID_FILTER),
      "Edit shows the saved filter",
    );
    const verdict = page.locator("[data-filter-verdict]");
    await page.getByLabel("Sample event").selectOption("contact.created");
    await page.getByRole("button", { name: "Preview request" }).click();
    await page.locator('[data-filter-verdict="matches"]').waitFor();
    assert.equal(await verdict.innerText(), "The filter matches this event: it would be delivered.");
    assert.match(
      await page.locator(".preview-request").innerText(),
      /POST\s+https:\/\/example\.com\/hooks\/ct_sample_0001/,
    );
    await screenshot(page, "desktop-42-filter-preview-matches");
    await page.getByLabel("Sample event").selectOption("webhook.test");
    await page.getByRole("button", { name: "Preview request" }).click();
    await page.locator('[data-filter-verdict="filtered"]').waitFor();
    const filtered = await verdict.innerText();
    assert.match(filtered, /does not match this event, so it would not be delivered/);
    assert.match(filtered, /filter\.event\.type\.\$in did not hold/);
    assert.doesNotMatch(filtered, /contact\.attributes\.email/, "the email condition held");
    // The request it would otherwise send is still shown under the verdict.
    assert.match(await page.locator(".preview-request").innerText(), /evt_preview/);
    await screenshot(page, "desktop-43-filter-preview-filtered");
    assert.deepEqual(dialogs, [], "no script dialog opened");
  },
);

test(
  "without script: the same error at the Filter field, nothing saved; the Preview's verdict comes from the server",
  LIMIT,
  async () => {
    const plain = await browser.newContext({ ...DESKTOP, javaScriptEnabled: false });
    try {
      await plain.addCookies(await context.cookies(worker.url));
      const bare = await plain.newPage();
      bare.setDefaultTimeout(8_000);
      const before = (await savedDestinations()).length;
      await bare.goto(createUrl());
      await fillRequiredFields(bare, "Paid plans without script");
      await bare.getByLabel("Filter", { exact: true }).fill(INVALID_FILTER);
      await createRefused(bare);
      await assertFilterErrorAtField(bare);
      assert.equal((await savedDestinations()).length, before, "nothing was saved");
      await screenshot(bare, "desktop-44-filter-error-without-script");
      await bare.getByLabel("Filter", { exact: true }).fill(VALID_FILTER);
      await bare.getByLabel("Sample event").selectOption("webhook.test");
      const [response] = await Promise.all([
        bare.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/destinations/new")),
        bare.getByRole("button", { name: "Preview request" }).click(),
      ]);
      assert.equal(response.status(), 200, "the whole form came back, with the preview");
      await bare.waitForLoadState();
      assert.match(
        await bare.locator('[data-filter-verdict="filtered"]').innerText(),
        /filter\.event\.type\.\$in did not hold/,
      );
      assert.equal(await bare.getByLabel("Filter", { exact: true }).inputValue(), VALID_FILTER, "as typed");
      assert.equal((await savedDestinations()).length, before, "a preview saves nothing");
      await screenshot(bare, "desktop-45-filter-preview-without-script");
    } finally {
      await plain.close();
    }
  },
);

test(
  "phone (390 px): the filter's error and a long filter on the Settings card fit the screen",
  LIMIT,
  async () => {
    const plans = Array.from({ length: 60 }, (_, i) => `plan-${String(i).padStart(2, "0")}`);
    const long = { "contact.attributes.plan": { $in: plans }, "contact.attributes.email": { $exists: true } };
    const wide = await api.createDestination({
      name: "Many plans",
      url_template: "https://example.com/plans",
      filter: long,
    });
    const phone = await browser.newContext(PHONE);
    try {
      await phone.addCookies(await context.cookies(worker.url));
      const small = await phone.newPage();
      small.setDefaultTimeout(8_000);
      await small.goto(at(`/w/${acme.uuid}/integrations/webhooks/destinations/${wide.id}`));
      const code = filterRow(small).locator("code");
      const whole = JSON.stringify(long);
      assert.equal(await code.getAttribute("title"), whole, "the title holds the whole filter");
      const shown = await code.innerText();
      assert.ok(shown.endsWith("…") && shown.length < whole.length, "the row shows it cut, visibly");
      assert.ok(whole.startsWith(shown.slice(0, -1)));
      assert.match(await filterRow(small).innerText(), /Edit shows the whole filter/);
      await assertNoHorizontalOverflow(small, "long filter");
      await filterRow(small).scrollIntoViewIfNeeded();
      await screenshot(small, "phone-41-filter-long-settings", { fullPage: false });
      await small.goto(createUrl());
      await fillRequiredFields(small, "Paid plans on a phone");
      await small.getByLabel("Filter", { exact: true }).fill(INVALID_FILTER);
      await createRefused(small);
      await assertFilterErrorAtField(small);
      await assertNoHorizontalOverflow(small, "filter error");
      await small.getByLabel("Filter", { exact: true }).scrollIntoViewIfNeeded();
      await screenshot(small, "phone-40-filter-error", { fullPage: false });
      // A verdict naming a long path wraps inside the Preview card.
      await small.getByLabel("Filter", { exact: true }).fill(LONG_PATH_FILTER);
      await small.getByRole("button", { name: "Preview request" }).click();
      const verdict = small.locator('[data-filter-verdict="filtered"]');
      assert.match(await verdict.innerText(), /subscription_plan_identifier\.\$startsWith did not hold/);
      await assertNoHorizontalOverflow(small, "long verdict");
      await verdict.scrollIntoViewIfNeeded();
      await screenshot(small, "phone-42-filter-long-verdict", { fullPage: false });
    } finally {
      await phone.close();
    }
  },
);
