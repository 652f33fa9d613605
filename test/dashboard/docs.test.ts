// /docs is generated from the document /openapi.json serves: every operation appears, `$ref`s are
// resolved into field tables, and the example bodies it offers are requests the API accepts.
import { describe, expect, it } from "vitest";
import { exampleValue, fieldRows } from "../../src/dashboard/docs/fields";
import { groupOperations, type OpenApiDocument, resolve } from "../../src/dashboard/docs/openapi";
import { call, createWorkspace } from "../support/helpers";
import { Visitor } from "./helpers";

const openapi = async () => (await (await call("/openapi.json")).json()) as OpenApiDocument;

describe("/docs", () => {
  it("shows every operation of /openapi.json, grouped by tag, with its auth and fields", async () => {
    const doc = await openapi();
    const page = await (await new Visitor().fetch("/docs")).text();
    for (const group of groupOperations(doc)) {
      expect(page).toContain(`id="${group.id}"`);
      for (const op of group.operations)
        expect(page, op.id).toContain(`<article class="op card" id="${op.id}"`);
    }
    expect(page).toContain("Authentication: </strong>Bearer token — A workspace API key");
    // DestinationCreate's headers_template is an array of a $ref: its fields are listed under it.
    expect(page).toMatch(
      /<code>headers_template<\/code>.*?array of HeaderTemplate.*?depth-1"><code>key<\/code>/s,
    );
  });

  it("offers example bodies the API accepts", async () => {
    const doc = await openapi();
    const ws = await createWorkspace();
    const create = doc.paths?.["/v1/workspaces/{ws}/destinations"]?.post;
    const schema = create?.requestBody?.content?.["application/json"]?.schema ?? {};
    const response = await call(`/v1/workspaces/${ws.uuid}/destinations`, {
      method: "POST",
      auth: ws.auth,
      body: exampleValue(doc, schema),
    });
    expect(response.status).toBe(201);
    const ingest = doc.paths?.["/v1/workspaces/{ws}/events"]?.post;
    const event = exampleValue(doc, ingest?.requestBody?.content?.["application/json"]?.schema ?? {});
    // Into a workspace without destinations: nothing is queued for example.com.
    const quiet = await createWorkspace("Quiet");
    const accepted = await call(`/v1/workspaces/${quiet.uuid}/events`, {
      method: "POST",
      auth: quiet.auth,
      body: event,
    });
    expect(accepted.status).toBe(202);
  });
});

describe("reading a schema", () => {
  const doc: OpenApiDocument = {
    components: {
      schemas: {
        Node: {
          type: "object",
          properties: {
            name: { type: "string" },
            children: { type: "array", items: { $ref: "#/components/schemas/Node" } },
          },
          required: ["name"],
        },
        Named: {
          allOf: [
            { $ref: "#/components/schemas/Node" },
            { type: "object", properties: { extra: { type: "integer" } } },
          ],
        },
      },
    },
  };

  it("stops at a $ref cycle instead of recursing forever", () => {
    const rows = fieldRows(doc, { $ref: "#/components/schemas/Node" });
    expect(rows.map((r) => [r.name, r.depth, r.type])).toEqual([
      ["name", 0, "string"],
      ["children", 0, "array of Node"],
    ]);
  });

  it("merges allOf parts into one object", () => {
    const merged = resolve(doc, { $ref: "#/components/schemas/Named" });
    expect(Object.keys(merged.properties ?? {})).toEqual(["name", "children", "extra"]);
    expect(merged.required).toEqual(["name"]);
    expect(exampleValue(doc, { $ref: "#/components/schemas/Named" })).toEqual({ name: "string" });
  });
});
