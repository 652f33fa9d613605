// Pieces of the browser suite: Debian's chromium driven by playwright-core, the API calls that set up
// a workspace's data, screenshots, and a page on another origin that tries to post a form to us.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** One headless chromium for the whole suite; a fresh profile (playwright's own temp user-data-dir). */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium), as .ci/run does, or set CHROMIUM_PATH`,
    );
  }
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Saves a PNG of the page under test/browser/artifacts/<name>.png. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  // From the top: a full-page capture of a scrolled page draws the sticky header where it was scrolled to.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

/** Fails when a page would scroll sideways: nothing may overflow a 390 px screen. */
export async function assertNoHorizontalOverflow(page, what) {
  // Against the screen's width, not window.innerWidth: a phone browser zooms out to fit a page that
  // overflows, which widens innerWidth with it.
  const screenWidth = page.viewportSize().width;
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  const widest = Math.max(scrollWidth, innerWidth);
  assert.ok(widest <= screenWidth, `${what}: the page is ${widest} px wide on a ${screenWidth} px screen`);
}

/** The API, as a workspace's integration would call it. */
export function apiFor(worker, uuid, apiKey) {
  const call = async (method, path, body) => {
    const response = await worker.fetch(`/v1/workspaces/${uuid}${path}`, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    createDestination: (fields) =>
      call("POST", "/destinations", { method: "POST", event_types: ["contact.created"], ...fields }),
    ingest: (event) => call("POST", "/events", event),
    deliveries: (destinationId) => call("GET", `/destinations/${destinationId}/deliveries`),
  };
}

/** Operator calls: another API key for a workspace, and revoking one. */
export function operatorFor(worker) {
  const auth = { Authorization: `Bearer ${worker.operatorToken}` };
  return {
    async issueKey(uuid) {
      const response = await worker.fetch(`/v1/workspaces/${uuid}/api-keys`, {
        method: "POST",
        headers: auth,
      });
      assert.equal(response.status, 201);
      const { id, api_key } = await response.json();
      return { id, apiKey: api_key };
    },
    async revokeKey(uuid, id) {
      const response = await worker.fetch(`/v1/workspaces/${uuid}/api-keys/${id}`, {
        method: "DELETE",
        headers: auth,
      });
      assert.equal(response.status, 204);
    },
  };
}

/** Polls until `probe()` returns something truthy; fails after `timeoutMs`. */
export async function waitFor(probe, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

/**
 * An attacker's page on another origin: GET /post?to=<url>&field=value… answers an HTML form that
 * posts those fields to `to` as soon as it loads (an inline script: this server sends no CSP).
 */
export async function startCrossSitePage() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://attacker.invalid");
    const fields = [...url.searchParams].filter(([name]) => name !== "to");
    const inputs = fields
      .map(
        ([name, value]) => `<input type="hidden" name="${name}" value="${value.replaceAll('"', "&quot;")}">`,
      )
      .join("");
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", Connection: "close" });
    res.end(
      `<!doctype html><title>Win a prize</title><form id="f" method="post" action="${url.searchParams.get("to")}">${inputs}</form><script>document.getElementById("f").submit()</script>`,
    );
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  return {
    port,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** Keeps the text of every JavaScript dialog the page opens (none should open) and dismisses it. */
export function recordDialogs(page, into) {
  page.on("dialog", (dialog) => {
    into.push(dialog.message());
    dialog.dismiss().catch(() => undefined);
  });
}
