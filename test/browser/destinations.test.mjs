// The documentation's walk-through in a real browser, against the real worker bundle and a real local
// receiver: sign in, choose the workspace, Integrations → Webhooks → Destinations → Create Destination,
// copy the secret from the one-time dialog (and verify a delivery with it), send a test, read its
// attempt, disable and enable, rotate, edit, delete; then try to break it. Every screen is saved under
// test/browser/artifacts/ (desktop-2x/3x at 1280×800, phone-1x at 390×844).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { startWorker } from "../e2e/harness.mjs";
import { startReceiver } from "../e2e/receiver.mjs";
import {
  apiFor,
  assertNoHorizontalOverflow,
  DESKTOP,
  launchBrowser,
  PHONE,
  recordDialogs,
  screenshot,
  startCrossSitePage,
  waitFor,
} from "./helpers.mjs";

const LIMIT = { timeout: 30_000 };
const HOSTILE = `<img src=x onerror=alert(1)> "{{ x }}" </dialog><script>alert(2)</script>`;

let worker, receiver, browser, context, page, acme, globex, initech;
const dialogs = [];
const secrets = []; // every signing secret the dialog showed, in order
let destinationUrl = "";

before(async () => {
  [worker, receiver, browser] = await Promise.all([
    startWorker(),
    startReceiver((request) =>
      request.path.startsWith("/gone")
        ? { status: 410, body: "This endpoint has moved to https://example.com/new." }
        : { status: 200, body: '{"received":true}' },
    ),
    launchBrowser(),
  ]);
  [acme, globex, initech] = await Promise.all(
    ["Acme Marketing", "Globex", "Initech"].map((name) => worker.createWorkspace(name)),
  );
  context = await browser.newContext({ ...DESKTOP, permissions: ["clipboard-read", "clipboard-write"] });
  page = await context.newPage();
  page.setDefaultTimeout(8_000);
  recordDialogs(page, dialogs);
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await worker?.dispose();
});

const at = (path) => `${worker.url}${path}`;
const heading = () => page.locator("h1").innerText();
const secretDialog = () => page.locator("#secret-dialog");
const verifies = (secret, request) => {
  const headers = {
    "webhook-id": request.headers["x-leadpush-id"],
    "webhook-timestamp": request.headers["x-leadpush-timestamp"],
    "webhook-signature": request.headers["x-leadpush-signature"],
  };
  try {
    new Webhook(secret).verify(request.body, headers, { jsonParse: false });
    return true;
  } catch {
    return false;
  }
};

async function signIn(key) {
  await page.fill("#api-key", key);
  await Promise.all([page.waitForLoadState(), page.click("button[type=submit]")]);
}

/** The one-time dialog: modal, focused, warning; Copy puts exactly the shown secret on the clipboard. */
async function copySecretFromDialog(name, { close = true } = {}) {
  await secretDialog().waitFor();
  assert.ok(await page.locator("#secret-dialog:modal").isVisible(), "the dialog is modal");
  assert.equal(await page.evaluate(() => document.activeElement.id), "signing-secret", "focus moved in");
  assert.match(await secretDialog().innerText(), /This secret will not be shown again/);
  const shown = await page.inputValue("#signing-secret");
  assert.match(shown, /^whsec_[A-Za-z0-9+/]+=*$/);
  await page.getByRole("button", { name: "Copy" }).click();
  await page.getByText("Copied to the clipboard.").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shown);
  assert.ok(!page.url().includes("whsec_"), "the secret is not in the URL");
  await screenshot(page, name, { fullPage: false });
  secrets.push(shown);
  if (!close) return shown;
  await page.keyboard.press("Escape");
  // Closing it takes the secret out of the page.
  await secretDialog().waitFor({ state: "detached" });
  return shown;
}

test(
  "sign in, choose the workspace, Integrations → Webhooks → Destinations → Create Destination",
  LIMIT,
  async () => {
    await page.goto(at("/"));
    await signIn(acme.apiKey);
    await page.click(".ws-menu summary");
    await page.click("text=Add a workspace…");
    await signIn(globex.apiKey);
    await page.click(".ws-menu summary");
    await page.click(".ws-option:has-text('Acme Marketing')");
    assert.equal(await page.locator(".ws-menu summary .ws-name").textContent(), "Workspace: Acme Marketing");
    await page.click(".nav-link:has-text('Integrations')");
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    assert.equal(await page.locator(".tab[aria-current=page]").innerText(), "Destinations");
    await page.getByRole("link", { name: "Create Destination" }).click();
    assert.equal(await heading(), "Create Destination");
    for (const label of ["Name", "Method", "URL Template", "Timeout Seconds", "Enabled", "Body Template"]) {
      assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `a field labelled ${label}`);
    }
    for (const legend of ["Headers Template", "Query Template", "Event subscriptions"]) {
      assert.equal(await page.locator(`legend:has-text("${legend}")`).count(), 1, legend);
    }
    await screenshot(page, "desktop-20-create-destination");
  },
);

test(
  "fill the form, add a header with the button, and preview the exact request before saving",
  LIMIT,
  async () => {
    await page.getByLabel("Name", { exact: true }).fill("CRM Intake");
    await page.getByLabel("Method", { exact: true }).selectOption("POST");
    await page.getByLabel("URL Template", { exact: true }).fill(`${receiver.url}/hooks/{{ contact._id }}`);
    await page.getByLabel("Timeout Seconds", { exact: true }).fill("5");
    assert.ok(await page.getByLabel("Enabled", { exact: true }).isChecked());
    await page.getByLabel("Header 1 key").fill("Authorization");
    await page.getByLabel("Header 1 value").fill("Bearer your-token");
    await page.getByRole("button", { name: "Add header" }).click();
    assert.equal(
      await page.evaluate(() => document.activeElement.id),
      "header-1-key",
      "the new row takes focus",
    );
    await page.keyboard.type("X-Contact");
    await page.getByLabel("Header 2 value").fill("{{ contact.attributes.email }}");
    await page.getByLabel("Query parameter 1 key").fill("event");
    await page.getByLabel("Query parameter 1 value").fill("{{ event.type }}");
    await page
      .getByLabel("Body Template", { exact: true })
      .fill(
        '{\n  "event": "{{ event.type }}",\n  "contact_id": "{{ contact._id }}",\n  "email": "{{ contact.attributes.email }}"\n}',
      );
    await page.getByRole("checkbox", { name: /contact\.created/ }).check();
    await page.getByRole("checkbox", { name: /contact\.updated/ }).check();
    await page.getByRole("button", { name: "Preview request" }).click();
    const preview = page.locator(".preview-request");
    await preview.waitFor();
    const text = await preview.innerText();
    assert.match(text, new RegExp(`POST\\s+${receiver.url}/hooks/ct_sample_0001\\?event=webhook\\.test`));
    assert.match(text, /x-contact\s+ada@example\.com/);
    assert.match(text, /authorization\s+Bearer your-token/);
    assert.match(text, /x-leadpush-signature\s+v1,<computed when sent>/);
    assert.match(text, /"email": "ada@example\.com"/);
    await screenshot(page, "desktop-21-create-preview");
  },
);

test("a refused form keeps everything typed and shows the error next to its field", LIMIT, async () => {
  await page.getByRole("button", { name: "Add header" }).click();
  await page.getByLabel("Header 3 key").fill("Host");
  await page.getByLabel("Header 3 value").fill("example.com");
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/destinations/new")),
    page.getByRole("button", { name: "Create Destination" }).click(),
  ]);
  assert.equal(response.status(), 400);
  await page.waitForLoadState();
  assert.equal(await page.evaluate(() => document.activeElement.className), "error-summary");
  assert.match(await page.locator("#header-2-key-error").innerText(), /Host is set by Leadpush/);
  assert.equal(await page.getByLabel("Header 3 key").getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "CRM Intake");
  assert.equal(await page.getByLabel("Header 2 value").inputValue(), "{{ contact.attributes.email }}");
  assert.match(await page.getByLabel("Body Template", { exact: true }).inputValue(), /"contact_id"/);
  assert.ok(await page.getByRole("checkbox", { name: /contact\.updated/ }).isChecked());
  await screenshot(page, "desktop-22-create-error");
  await page.getByRole("button", { name: "Remove header 3" }).click();
  const keys = await page.locator("[name=header_key]").evaluateAll((inputs) => inputs.map((i) => i.value));
  assert.deepEqual(keys, ["Authorization", "X-Contact", ""], "the row is gone, the others kept");
});

test(
  "create, then copy the signing secret from the one-time dialog; reload and back never show it",
  LIMIT,
  async () => {
    await Promise.all([
      page.waitForURL(/\/destinations\/dst_/),
      page.getByRole("button", { name: "Create Destination" }).click(),
    ]);
    destinationUrl = page.url();
    await copySecretFromDialog("desktop-23-secret-dialog");
    // Focus comes back out of the dialog (the close event that returns it is dispatched after closing).
    await page.waitForFunction(() => document.activeElement?.id === "main");
    await page.reload();
    assert.equal(await secretDialog().count(), 0, "reloading does not show it");
    await page.getByRole("link", { name: "Webhooks" }).first().click();
    await page.goBack();
    assert.equal(page.url(), destinationUrl);
    assert.equal(await secretDialog().count(), 0, "going back does not show it");
    assert.ok(!(await page.content()).includes(secrets[0]));
  },
);

test(
  "send a test: it succeeds, the receiver verifies it with the copied secret, the history shows it",
  LIMIT,
  async () => {
    await page.getByRole("button", { name: "Send test" }).click();
    await page.getByText("Test sent").waitFor();
    await page.locator(".attempt .pill-ok").waitFor({ timeout: 15_000 });
    const [request] = await receiver.waitFor(1);
    assert.equal(request.path, "/hooks/ct_sample_0001");
    assert.equal(request.headers.authorization, "Bearer your-token");
    assert.equal(request.headers["x-contact"], "ada@example.com");
    assert.deepEqual(JSON.parse(request.body), {
      event: "webhook.test",
      contact_id: "ct_sample_0001",
      email: "ada@example.com",
    });
    assert.ok(verifies(secrets[0], request), "the delivery verifies with the secret copied from the dialog");
    const attempt = await page.locator(".attempt").innerText();
    assert.match(attempt, /Attempt 1/);
    assert.match(attempt, /200 OK/);
    assert.match(attempt, /\{"received":true\}/);
    assert.match(attempt, /authorization\s+\[redacted\]/);
    await page.goto(destinationUrl);
    const row = page.locator(".history-table tbody tr");
    assert.match(await row.innerText(), /Succeeded[\s\S]*webhook\.test/);
    await screenshot(page, "desktop-24-destination");
    await row.getByRole("link", { name: "webhook.test" }).click();
    assert.equal(await heading(), "Delivery");
    await screenshot(page, "desktop-25-delivery");
  },
);

test(
  "disable: the state shows Disabled and a test is refused with the reason; enable again",
  LIMIT,
  async () => {
    await page.goto(destinationUrl);
    await page.getByRole("button", { name: "Disable destination" }).click();
    assert.match(await page.locator(".title-row").innerText(), /Disabled/);
    assert.match(await page.getByRole("status").first().innerText(), /Destination disabled/);
    await page.getByRole("button", { name: "Send test" }).click();
    assert.match(await page.getByRole("alert").innerText(), /No test was sent: this destination is disabled/);
    await screenshot(page, "desktop-26-disabled-test-refused");
    await page.getByRole("button", { name: "Enable destination" }).click();
    assert.match(await page.locator(".title-row").innerText(), /Enabled/);
  },
);

test(
  "rotate with a grace period: a new secret in a new dialog; both secrets verify during the grace",
  LIMIT,
  async () => {
    await page.getByLabel("Grace period").selectOption({ label: "1 hour" });
    await page.getByRole("button", { name: "Rotate secret" }).click();
    assert.match(await page.locator("#secret-title").innerText(), /New signing secret/);
    const rotated = await copySecretFromDialog("desktop-27-rotated-secret", { close: false });
    assert.notEqual(rotated, secrets[0]);
    // Leaving with the dialog still open, then coming back: the browser's copy of the page has no secret.
    await page.goto(at(`/w/${acme.uuid}/integrations/webhooks`));
    await page.goBack();
    assert.equal(await secretDialog().count(), 0, "back after leaving with the dialog open does not show it");
    assert.ok(!(await page.content()).includes(rotated));
    assert.match(await page.locator("#secret-card-title + p").innerText(), /version 2/);
    await page.getByRole("button", { name: "Send test" }).click();
    const [, request] = await receiver.waitFor(2, 10_000);
    assert.ok(verifies(rotated, request), "the new secret verifies");
    assert.ok(verifies(secrets[0], request), "the previous secret still verifies during the grace");
  },
);

test("edit keeps the saved values and saves a change", LIMIT, async () => {
  await page.goto(destinationUrl);
  await page.getByRole("link", { name: "Edit" }).click();
  assert.equal(await page.getByLabel("Header 2 key").inputValue(), "X-Contact");
  await page.getByLabel("Timeout Seconds", { exact: true }).fill("7");
  await screenshot(page, "desktop-28-edit");
  await page.getByRole("button", { name: "Save changes" }).click();
  assert.match(await page.getByRole("status").first().innerText(), /Changes saved/);
  assert.match(await page.locator(".settings").innerText(), /7 seconds/);
});

test(
  "a hostile name and hostile templates are shown as text everywhere, and run nothing",
  LIMIT,
  async () => {
    const api = apiFor(worker, acme.uuid, acme.apiKey);
    const hostile = await api.createDestination({
      name: HOSTILE,
      url_template: `${receiver.url}/x/{{ contact._id }}?q=</dialog>`,
      headers_template: [{ key: "X-Evil", value: "</textarea><script>alert(3)</script>" }],
      body_template: `<b>{{ contact._id }}</b> ${HOSTILE}`,
    });
    await page.goto(at(`/w/${acme.uuid}/integrations/webhooks/destinations/${hostile.id}`));
    assert.equal(await heading(), HOSTILE);
    assert.match(await page.locator(".settings").innerText(), /<\/textarea><script>alert\(3\)<\/script>/);
    await page.getByRole("link", { name: "Edit" }).click();
    assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), HOSTILE);
    await page.getByRole("button", { name: "Preview request" }).click();
    await page.locator(".preview-request pre").waitFor();
    assert.match(await page.locator(".preview-request pre").innerText(), /<b>ct_sample_0001<\/b> <img src=x/);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(dialogs, [], "no script ran");
    await screenshot(page, "desktop-29-hostile-preview");
  },
);

test(
  "a receiver that answers 410: the attempt shows its status, error class and message",
  LIMIT,
  async () => {
    const gone = await apiFor(worker, acme.uuid, acme.apiKey).createDestination({
      name: "Legacy endpoint",
      url_template: `${receiver.url}/gone`,
    });
    await page.goto(at(`/w/${acme.uuid}/integrations/webhooks/destinations/${gone.id}`));
    await page.getByRole("button", { name: "Send test" }).click();
    await page.locator(".attempt .pill-bad").waitFor({ timeout: 15_000 });
    const attempt = await page.locator(".attempt").innerText();
    assert.match(attempt, /410 Gone/);
    assert.match(attempt, /http_status/);
    assert.match(attempt, /This endpoint has moved/);
    assert.match(await page.locator(".status-cell").innerText(), /Failed/);
    await screenshot(page, "desktop-35-failed-attempt");
    await page.getByRole("link", { name: "Legacy endpoint" }).click();
    assert.match(await page.locator(".title-row").innerText(), /Disabled/);
    await page.getByRole("link", { name: "Failed" }).click();
    assert.equal(await page.locator(".history-table tbody tr").count(), 1);
    await screenshot(page, "desktop-36-history-failed");
  },
);

test("a form posted from another site is refused (403) and changes nothing", LIMIT, async () => {
  const attacker = await startCrossSitePage();
  try {
    const target = encodeURIComponent(`${destinationUrl}/delete`);
    await page.goto(`http://127.0.0.1:${attacker.port}/post?to=${target}`);
    await page.waitForURL(`${destinationUrl}/delete`);
    assert.equal(await heading(), "This request was refused");
    await screenshot(page, "desktop-30-cross-site-delete-refused");
  } finally {
    await attacker.close();
  }
  assert.equal((await page.goto(destinationUrl)).status(), 200, "the destination is still there");
});

test("another workspace's destination id is a 404, under either workspace's address", LIMIT, async () => {
  const theirs = await apiFor(worker, initech.uuid, initech.apiKey).createDestination({
    name: "Initech hook",
    url_template: `${receiver.url}/initech`,
  });
  for (const ws of [acme.uuid, initech.uuid]) {
    const response = await page.goto(at(`/w/${ws}/integrations/webhooks/destinations/${theirs.id}`));
    assert.equal(response.status(), 404);
    assert.equal(await heading(), "Page not found");
  }
});

test("without script: rows, preview and the secret dialog work as plain forms", LIMIT, async () => {
  const plain = await browser.newContext({ ...DESKTOP, javaScriptEnabled: false });
  try {
    await plain.addCookies(await context.cookies(worker.url));
    const bare = await plain.newPage();
    bare.setDefaultTimeout(8_000);
    await bare.goto(at(`/w/${acme.uuid}/integrations/webhooks/destinations/new`));
    await bare.getByLabel("Name", { exact: true }).fill("Data Warehouse Events");
    await bare.getByLabel("URL Template", { exact: true }).fill(`${receiver.url}/warehouse/{{ event.type }}`);
    await bare.getByLabel("Header 1 key").fill("X-Source");
    await bare.getByLabel("Header 1 value").fill("leadpush");
    await bare.getByRole("button", { name: "Add header" }).click();
    assert.equal(
      await bare.getByLabel("Header 1 value").inputValue(),
      "leadpush",
      "the page came back as typed",
    );
    assert.equal(await bare.locator("[name=header_key]").count(), 2, "with one more row");
    await bare.getByRole("button", { name: "Preview request" }).click();
    assert.match(await bare.locator(".preview-request").innerText(), /\/warehouse\/webhook\.test/);
    await bare.getByRole("button", { name: "Create Destination" }).click();
    const dialog = bare.locator("#secret-dialog[open]");
    assert.match(await dialog.innerText(), /This secret will not be shown again/);
    assert.match(await bare.inputValue("#signing-secret"), /^whsec_/);
    await screenshot(bare, "desktop-34-secret-without-script");
    await bare.getByRole("button", { name: "Done" }).click();
    assert.equal(await bare.locator("#secret-dialog[open]").count(), 0, "Done closes it without script");
    await bare.reload();
    assert.equal(await bare.locator("#secret-dialog").count(), 0);
    await bare.getByRole("link", { name: "Delete destination…" }).click();
    assert.match(bare.url(), /\/delete$/, "the confirmation is its own page");
  } finally {
    await plain.close();
  }
});

test(
  "phone (390 px): the form, the destination, the secret dialog and a delivery fit the screen",
  LIMIT,
  async () => {
    const phone = await browser.newContext({ ...PHONE, permissions: ["clipboard-read", "clipboard-write"] });
    try {
      await phone.addCookies(await context.cookies(worker.url));
      const small = await phone.newPage();
      const shots = [
        ["phone-10-create-destination", at(`/w/${acme.uuid}/integrations/webhooks/destinations/new`)],
        ["phone-11-destination", destinationUrl],
      ];
      for (const [name, url] of shots) {
        await small.goto(url);
        await assertNoHorizontalOverflow(small, name);
        await screenshot(small, name);
      }
      await small.getByRole("button", { name: "Rotate secret" }).click();
      await small.locator("#secret-dialog:modal").waitFor();
      await assertNoHorizontalOverflow(small, "secret dialog");
      await screenshot(small, "phone-12-secret-dialog", { fullPage: false });
      await small.keyboard.press("Escape");
      await small.locator(".history-table a").first().click();
      await assertNoHorizontalOverflow(small, "delivery");
      await screenshot(small, "phone-13-delivery");
      await small.goto(destinationUrl);
      await small.getByRole("link", { name: "Delete destination…" }).click();
      await small.locator("#delete-dialog:modal").waitFor();
      await assertNoHorizontalOverflow(small, "delete dialog");
      await screenshot(small, "phone-14-delete-dialog", { fullPage: false });
    } finally {
      await phone.close();
    }
  },
);

test(
  "delete asks first, saying what goes with it; Escape cancels, then delete removes it",
  LIMIT,
  async () => {
    await page.goto(destinationUrl);
    const open = page.getByRole("link", { name: "Delete destination…" });
    await open.click();
    const dialog = page.locator("#delete-dialog:modal");
    await dialog.waitFor();
    assert.match(
      await dialog.innerText(),
      /also removes its event subscriptions and related delivery records/,
    );
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Cancel", "focus moved in");
    await screenshot(page, "desktop-31-delete-dialog", { fullPage: false });
    await page.keyboard.press("Escape");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Delete destination…");
    await page.goto(`${destinationUrl}/delete`);
    await screenshot(page, "desktop-32-delete-page");
    await page.getByRole("button", { name: "Delete destination" }).click();
    await waitFor(async () => page.url().endsWith("?notice=deleted"), "the list");
    assert.match(await page.getByRole("status").first().innerText(), /Destination deleted/);
    const names = await page.locator("td.cell-name").allInnerTexts();
    assert.ok(!names.includes("CRM Intake"), "gone from the list");
    await screenshot(page, "desktop-33-deleted");
  },
);
