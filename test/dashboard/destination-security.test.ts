// The destination screens under attack: another workspace's ids, malformed and unknown ids (404 on every
// route, nothing changed), forms posted from another origin or without the page's token (403 on every
// post, nothing changed), hostile names and templates (text, never markup), no inline script or style.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pendingDelivery } from "../support/consumer-helpers";
import { countRows, createDestination, createWorkspace } from "../support/helpers";
import { dashboardUrls, destinationForm, inlineCodeIn, Visitor } from "./helpers";

beforeEach(() => {
  vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
});
afterEach(() => vi.restoreAllMocks());

const HOSTILE = `<img src=x onerror=alert(1)> "quoted" </dialog><script>alert(2)</script> {{ x }}`;

/** Every destination route of the dashboard, for a destination id and a delivery id. */
function routes(ws: string, id: string, deliveryId: string): [method: "GET" | "POST", path: string][] {
  const at = dashboardUrls(ws);
  return [
    ["GET", at.destination(id)],
    ["GET", at.action(id, "edit")],
    ["POST", at.action(id, "edit")],
    ["POST", at.action(id, "enable")],
    ["POST", at.action(id, "disable")],
    ["POST", at.action(id, "rotate")],
    ["POST", at.action(id, "test")],
    ["GET", at.action(id, "delete")],
    ["POST", at.action(id, "delete")],
    ["GET", at.delivery(id, deliveryId)],
    ["POST", `${at.delivery(id, deliveryId)}/redeliver`],
  ];
}

/** Everything a request could have changed about a destination. */
const snapshot = async (id: string) => ({
  ...(await env.DB.prepare(
    "SELECT name, enabled, secret_version, url_template FROM destinations d WHERE id = ?",
  )
    .bind(id)
    .first()),
  deliveries: await countRows("deliveries", "destination_id = ?", id),
});

async function twoWorkspaces() {
  const mine = await createWorkspace("Mine");
  const theirs = await createWorkspace("Theirs");
  const myDestination = await createDestination(mine);
  const theirDestination = await createDestination(theirs);
  const myDelivery = await pendingDelivery(mine, myDestination.id);
  const theirDelivery = await pendingDelivery(theirs, theirDestination.id);
  const visitor = new Visitor();
  await visitor.signIn(mine.key);
  await visitor.fetch(dashboardUrls(mine.uuid).create);
  return { mine, theirs, myDestination, theirDestination, myDelivery, theirDelivery, visitor };
}

const send = (visitor: Visitor, method: "GET" | "POST", path: string, form = destinationForm()) =>
  method === "GET" ? visitor.fetch(path) : visitor.post(path, [...form, ["grace_seconds", "0"]]);

describe("ids that are not this workspace's", () => {
  it("answers 404 on every route for another workspace's ids, and changes nothing there", async () => {
    const { mine, theirs, theirDestination, theirDelivery, visitor } = await twoWorkspaces();
    const before = await snapshot(theirDestination.id);
    // Their ids under my workspace's URL, and under theirs (which this session does not hold).
    for (const ws of [mine.uuid, theirs.uuid]) {
      for (const [method, path] of routes(ws, theirDestination.id, theirDelivery)) {
        const response = await send(visitor, method, path);
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(await response.text()).toContain("Page not found");
      }
    }
    expect(await snapshot(theirDestination.id)).toEqual(before);
  });

  it("answers 404 for malformed and unknown ids, and for a delivery of another destination", async () => {
    const { mine, myDestination, myDelivery, theirDelivery, visitor } = await twoWorkspaces();
    const other = await createDestination(mine, { name: "Other" });
    const unknown = "dst_0123456789abcdef0123456789abcdef";
    const cases: [string, string][] = [
      ["nope", "dlv_x"],
      [unknown, myDelivery],
      [`${myDestination.id}%27`, myDelivery],
      [other.id, myDelivery],
      [myDestination.id, theirDelivery],
      [myDestination.id, "dlv_0123456789abcdef0123456789abcdef"],
    ];
    for (const [id, deliveryId] of cases) {
      const deliveryRoutes = routes(mine.uuid, id, deliveryId).filter(([, path]) =>
        path.includes("/deliveries/"),
      );
      // A real destination of this workspace has its own pages: only its delivery routes are wrong here.
      const real = id === myDestination.id || id === other.id;
      const all = real ? deliveryRoutes : routes(mine.uuid, id, deliveryId);
      for (const [method, path] of all) {
        expect((await send(visitor, method, path)).status, `${method} ${path}`).toBe(404);
      }
    }
  });
});

describe("cross-site posts", () => {
  it.each([
    ["another origin", { origin: "https://evil.test" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["no token", { drop: "token" }],
  ])("refuses every post from %s with 403 and changes nothing", async (_, how) => {
    const { mine, myDestination, myDelivery, visitor } = await twoWorkspaces();
    const before = await snapshot(myDestination.id);
    const at = dashboardUrls(mine.uuid);
    const posts = [
      at.create,
      at.preview,
      ...routes(mine.uuid, myDestination.id, myDelivery)
        .filter(([method]) => method === "POST")
        .map(([, path]) => path),
    ];
    for (const path of posts) {
      const form = [...destinationForm(), ["grace_seconds", "0"]] as [string, string][];
      const response =
        "drop" in how
          ? await visitor.fetch(path, { form })
          : await visitor.post(path, form, how as Record<string, string>);
      expect(response.status, path).toBe(403);
      expect(await response.text()).toContain("This request was refused");
    }
    expect(await snapshot(myDestination.id)).toEqual(before);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM destinations WHERE workspace_uuid = ?")
        .bind(mine.uuid)
        .first("n"),
    ).toBe(1);
  });
});

describe("hostile names and templates", () => {
  it("renders them as text on every screen, with no inline script or style anywhere", async () => {
    const ws = await createWorkspace(HOSTILE);
    const destination = await createDestination(ws, {
      name: HOSTILE,
      url_template: "https://example.com/{{ x }}?a=<b>&c=</dialog>",
      headers_template: [{ key: "X-Evil", value: "</textarea><script>alert(3)</script>" }],
      body_template: `<script>alert(4)</script> ${HOSTILE}`,
    });
    const delivery = await pendingDelivery(ws, destination.id, "contact.created", { _id: HOSTILE });
    const visitor = new Visitor();
    await visitor.signIn(ws.key);
    const at = dashboardUrls(ws.uuid);
    await visitor.fetch(at.action(destination.id, "delete"));
    const rotated = await visitor.post(at.action(destination.id, "rotate"), { grace_seconds: "0" });
    expect(rotated.status).toBe(303);
    const pages = [
      at.destination(destination.id),
      at.action(destination.id, "edit"),
      at.action(destination.id, "delete"),
      at.delivery(destination.id, delivery),
      at.create,
    ];
    for (const [index, path] of pages.entries()) {
      const page = await (await visitor.fetch(path)).text();
      // The first view of the destination's page carries the one-time secret dialog.
      if (index === 0) expect(page).toContain('id="secret-dialog"');
      expect(await inlineCodeIn(page), path).toEqual([]);
      expect(page, path).not.toContain("<img src=x");
      expect(page, path).not.toContain("</textarea><script>");
    }
    // The check itself finds what it looks for.
    expect(await inlineCodeIn('<p onclick="x">a</p><script>1</script><i style="">')).toEqual([
      "p[onclick]",
      "inline <script>",
      "i[style]",
    ]);
    const page = await (await visitor.fetch(at.action(destination.id, "edit"))).text();
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &lt;/dialog&gt;");
  });
});
