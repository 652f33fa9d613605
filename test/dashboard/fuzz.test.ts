// The destination forms under generated hostile input (fast-check, seed fixed): whatever fields, values,
// repeats and buttons a form posts to Create Destination, Edit, Preview or Rotate, the answer is never a
// 5xx, a refusal writes nothing, and nothing posted comes back as markup.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { countRows, createDestination, createWorkspace } from "../support/helpers";
import { dashboardUrls, Visitor } from "./helpers";

const SEED = 20261201;
const RUNS = 200;

const NAMES = [
  "name",
  "enabled",
  "method",
  "url_template",
  "header_key",
  "header_value",
  "query_key",
  "query_value",
  "body_template",
  "timeout_seconds",
  "event_types",
  "_action",
  "preview_event_type",
  "grace_seconds",
  "unexpected",
];

const NASTY = [
  "",
  " ",
  "{{",
  "{{#a}}{{#b}}{{#c}}{{#d}}{{#e}}{{#f}}{{#g}}{{#h}}{{#i}}x{{/i}}{{/h}}{{/g}}{{/f}}{{/e}}{{/d}}{{/c}}{{/b}}{{/a}}",
  "{{> partial }}",
  "{{=<% %>=}}",
  "\u0000\r\n\u2028",
  "\ud800",
  "<script>alert(1)</script>",
  "</textarea></dialog><img src=x onerror=alert(1)>",
  "http://127.0.0.1/hook",
  "https://{{ x }}.example.com/",
  "https://example.com/{{ contact._id }}",
  "GET",
  "DELETE",
  "preview",
  "add-header",
  "add-query",
  "remove-header-0",
  "remove-query-99",
  "contact.created",
  "webhook.test",
  "Host",
  "X-Leadpush-Id",
  "-1",
  "31",
  "1e3",
  "604800",
  "x".repeat(5_000),
];

const value = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
);
const form = fc.array(fc.tuple(fc.constantFrom(...NAMES), value), { maxLength: 40 });

let visitor: Visitor;
let targets: string[];
let wsUuid: string;

beforeAll(async () => {
  vi.spyOn(env.DELIVERY_QUEUE, "sendBatch").mockResolvedValue(undefined as never);
  const ws = await createWorkspace("Fuzzed");
  wsUuid = ws.uuid;
  const destination = await createDestination(ws);
  visitor = new Visitor();
  await visitor.signIn(ws.key);
  const at = dashboardUrls(ws.uuid);
  await visitor.fetch(at.create);
  targets = [at.create, at.preview, at.action(destination.id, "edit"), at.action(destination.id, "rotate")];
});

afterAll(() => vi.restoreAllMocks());

describe("the destination forms, fuzzed", () => {
  it("never answer 5xx, write only on a save that succeeded, and echo nothing as markup", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(targets.length - 1), form, async (target, fields) => {
        const path = targets[target] ?? "";
        const before = await countRows("destinations", "workspace_uuid = ?", wsUuid);
        const response = await visitor.post(path, fields);
        const text = await response.text();
        expect(response.status, path).toBeLessThan(500);
        expect([200, 303, 400, 409], path).toContain(response.status);
        expect(text).not.toContain("<script>alert(1)");
        expect(text).not.toContain("<img src=x");
        const after = await countRows("destinations", "workspace_uuid = ?", wsUuid);
        const created = path === targets[0] && response.status === 303;
        expect(after - before, path).toBe(created ? 1 : 0);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 60_000);
});
