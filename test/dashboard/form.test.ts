// The destination form on its own: what the browser posts becomes the API's JSON shape, the API's field
// errors land next to the right input in the documentation's words, and the row buttons keep the rest.
import { describe, expect, it } from "vitest";
import {
  applyRowAction,
  blankForm,
  type DestinationForm,
  displayRows,
  placeErrors,
  readAction,
  readDestinationForm,
  toDestinationInput,
} from "../../src/dashboard/destination-form";
import { DestinationCreate } from "../../src/destinations/schema";
import { fieldError } from "../../src/problem";

function posted(fields: [string, string][]): FormData {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  return form;
}

const FULL: [string, string][] = [
  ["name", "  CRM Intake  "],
  ["enabled", "on"],
  ["method", "POST"],
  ["url_template", "https://example.com/contacts/{{ contact._id }}"],
  ["header_key", " Authorization "],
  ["header_value", "Bearer your-token"],
  ["header_key", ""],
  ["header_value", "  "],
  ["header_key", "X-Contact"],
  ["header_value", "{{ contact.attributes.email }}"],
  ["query_key", "event"],
  ["query_value", "{{ event.type }}"],
  ["body_template", '{\r\n  "email": "{{ contact.attributes.email }}"\r\n}'],
  ["timeout_seconds", " 15 "],
  ["event_types", "contact.created"],
  ["event_types", "contact.updated"],
];

describe("the form as the API's JSON shape", () => {
  it("converts every field, drops empty rows, trims keys and keeps values as typed", () => {
    const { input, rows } = toDestinationInput(readDestinationForm(posted(FULL)));
    expect(input).toEqual({
      name: "  CRM Intake  ",
      enabled: true,
      method: "POST",
      url_template: "https://example.com/contacts/{{ contact._id }}",
      headers_template: [
        { key: "Authorization", value: "Bearer your-token" },
        { key: "X-Contact", value: "{{ contact.attributes.email }}" },
      ],
      query_template: [{ key: "event", value: "{{ event.type }}" }],
      body_template: '{\n  "email": "{{ contact.attributes.email }}"\n}',
      timeout_seconds: 15,
      rate_limit_per_second: null,
      event_types: ["contact.created", "contact.updated"],
      filter: null,
    });
    expect(rows).toEqual({ headers: [0, 2], query: [0] });
    const parsed = DestinationCreate.parse(input);
    expect(parsed.name).toBe("CRM Intake");
  });

  it("reads an unchecked Enabled as false, no events as none, and a blank timeout as no number", () => {
    const form = readDestinationForm(
      posted([
        ["name", "x"],
        ["timeout_seconds", ""],
      ]),
    );
    expect(form.enabled).toBe(false);
    expect(form.event_types).toEqual([]);
    expect(toDestinationInput(form).input.timeout_seconds).toBeNaN();
  });

  it("reads a typed Rate Limit as a number and a blank one as no limit", () => {
    const read = (value: string) =>
      toDestinationInput(readDestinationForm(posted([["rate_limit_per_second", value]]))).input
        .rate_limit_per_second;
    expect(read(" 25 ")).toBe(25);
    expect(read("")).toBeNull();
    expect(read("2.5")).toBe(2.5); // refused by the API's schema, beside the field
  });

  it("never reads more rows than the API allows plus one, whatever is posted", () => {
    const many: [string, string][] = Array.from({ length: 500 }, (_, i) => ["header_key", `X-${i}`]);
    expect(readDestinationForm(posted(many)).headers).toHaveLength(21);
  });
});

describe("the API's field errors, placed next to their inputs", () => {
  const rows = { headers: [0, 2], query: [1] };

  it("finds the form row an API index came from, skipping the empty rows", () => {
    const placed = placeErrors(
      [
        fieldError(["headers_template", 1, "key"], "Host is set by Leadpush and cannot be configured"),
        fieldError(["query_template", 0, "value"], "template error at position 3: unclosed tag"),
      ],
      rows,
    );
    expect(placed).toEqual([
      {
        inputId: "header-2-key",
        label: "Headers Template, row 3 key",
        message: "Host is set by Leadpush and cannot be configured.",
      },
      {
        inputId: "query-1-value",
        label: "Query Template, row 2 value",
        message: "Template error at position 3: unclosed tag.",
      },
    ]);
  });

  it("speaks in the documentation's labels, never the API's JSON names or zod's own words", () => {
    const placed = placeErrors(
      [
        fieldError(
          ["body_template"],
          "a GET request carries no body; clear body_template or use another method",
        ),
        fieldError(["timeout_seconds"], "Invalid input: expected number, received NaN"),
        fieldError(
          ["headers_template", 0, "key"],
          "is not a valid header name (RFC 9110 token characters only)",
        ),
        fieldError(["query_template", 0, "key"], "Too big: expected string to have <=256 characters"),
        fieldError(["event_types", 0], 'Invalid option: expected one of "contact.created"|…'),
        fieldError(["url_template"], "the URL template is required"),
      ],
      { headers: [0], query: [0] },
    );
    expect(placed.map((e) => [e.inputId, e.message])).toEqual([
      ["body_template", "A GET request carries no body; clear Body Template or use another method."],
      ["timeout_seconds", "Timeout Seconds must be a whole number from 1 to 30."],
      ["header-0-key", "This is not a valid header name (RFC 9110 token characters only)"],
      ["query-0-key", "A query key must be 1 to 256 characters."],
      ["event-type-0", "Choose from the contact events listed."],
      ["url_template", "The URL template is required."],
    ]);
    const words = placed.map((e) => `${e.label} ${e.message}`).join(" ");
    expect(words).not.toMatch(/_template|timeout_seconds|event_types/);
  });

  it("keeps the first error of an input when the API names it twice", () => {
    const placed = placeErrors(
      [fieldError(["name"], "the name must not be blank"), fieldError(["name"], "second")],
      rows,
    );
    expect(placed).toHaveLength(1);
  });
});

describe("the row buttons", () => {
  const form: DestinationForm = {
    ...blankForm(),
    name: "kept",
    headers: [
      { key: "A", value: "1" },
      { key: "B", value: "2" },
    ],
  };

  it("reads which button posted the form; anything unknown saves", () => {
    expect(readAction("add-header")).toEqual({ kind: "add", list: "header" });
    expect(readAction("remove-query-3")).toEqual({ kind: "remove", list: "query", row: 3 });
    expect(readAction("preview")).toEqual({ kind: "preview" });
    expect(readAction("remove-header-x")).toEqual({ kind: "save" });
    expect(readAction(undefined)).toEqual({ kind: "save" });
  });

  it("adds or removes one row and keeps everything else as typed", () => {
    const added = applyRowAction(form, { kind: "add", list: "header" });
    expect(added.headers).toEqual([...form.headers, { key: "", value: "" }]);
    expect(added.name).toBe("kept");
    const removed = applyRowAction(form, { kind: "remove", list: "header", row: 0 });
    expect(removed.headers).toEqual([{ key: "B", value: "2" }]);
  });

  it("shows the saved rows plus one blank row, and no second blank one", () => {
    expect(displayRows(form.headers)).toHaveLength(3);
    expect(displayRows(displayRows(form.headers))).toHaveLength(3);
    expect(displayRows([])).toEqual([{ key: "", value: "" }]);
  });
});
