// The destination form, as the browser posts it (application/x-www-form-urlencoded) and as the API takes
// it (JSON). The dashboard converts one into the other and then validates and saves exactly as the API
// does; the errors that come back are placed next to their inputs, in the documentation's words.

import { DESTINATION_METHODS } from "../db/schema";
import type { DestinationJson } from "../destinations/schema";
import { DESTINATION_LIMITS } from "../limits";
import type { FieldError } from "../problem";

export { applyRowAction, displayRows, type FormAction, readAction } from "./destination-form-actions";

export type Pair = { key: string; value: string };

/** Everything the form holds, as typed: re-rendered as it is when anything is refused. */
export type DestinationForm = {
  name: string;
  enabled: boolean;
  method: string;
  url_template: string;
  headers: Pair[];
  query: Pair[];
  body_template: string;
  timeout_seconds: string;
  /** Blank: no limit. */
  rate_limit_per_second: string;
  event_types: string[];
  /** JSON text as typed; blank: no filter. */
  filter: string;
};

export const MAX_ROWS = DESTINATION_LIMITS.pairs;

export const blankForm = (): DestinationForm => ({
  name: "",
  enabled: true,
  method: "POST",
  url_template: "",
  headers: [],
  query: [],
  body_template: "",
  timeout_seconds: String(DESTINATION_LIMITS.timeoutSecondsDefault),
  rate_limit_per_second: "",
  event_types: [],
  filter: "",
});

export const formFromDestination = (d: DestinationJson): DestinationForm => ({
  name: d.name,
  enabled: d.enabled,
  method: d.method,
  url_template: d.url_template,
  headers: d.headers_template.map(({ key, value }) => ({ key, value })),
  query: d.query_template.map(({ key, value }) => ({ key, value })),
  body_template: d.body_template ?? "",
  timeout_seconds: String(d.timeout_seconds),
  rate_limit_per_second: d.rate_limit_per_second === null ? "" : String(d.rate_limit_per_second),
  event_types: [...d.event_types],
  filter: d.filter ? JSON.stringify(d.filter, null, 2) : "",
});

const strings = (form: FormData, name: string) =>
  form.getAll(name).filter((v): v is string => typeof v === "string");

/** Key and value inputs come in pairs, in page order. */
function pairs(form: FormData, keyName: string, valueName: string): Pair[] {
  const keys = strings(form, keyName);
  const values = strings(form, valueName);
  const rows = Math.min(Math.max(keys.length, values.length), MAX_ROWS + 1);
  return Array.from({ length: rows }, (_, i) => ({ key: keys[i] ?? "", value: values[i] ?? "" }));
}

export function readDestinationForm(form: FormData): DestinationForm {
  const text = (name: string) => strings(form, name)[0] ?? "";
  return {
    name: text("name"),
    enabled: form.has("enabled"),
    method: text("method"),
    url_template: text("url_template"),
    headers: pairs(form, "header_key", "header_value"),
    query: pairs(form, "query_key", "query_value"),
    // A browser posts a textarea's line breaks as CRLF; the template is what was typed, with LF.
    body_template: text("body_template").replaceAll("\r\n", "\n"),
    timeout_seconds: text("timeout_seconds"),
    rate_limit_per_second: text("rate_limit_per_second"),
    event_types: strings(form, "event_types"),
    filter: text("filter").replaceAll("\r\n", "\n"),
  };
}

/** The filter as typed: blank is none; text that is not JSON goes as it is, for the API to refuse. */
function filterInput(text: string): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const isBlank = (pair: Pair) => pair.key.trim() === "" && pair.value.trim() === "";

/**
 * The API's JSON shape. Rows left empty are dropped, so `headerRows[i]` / `queryRows[i]` say which
 * form row the API's `headers_template[i]` / `query_template[i]` came from.
 */
export function toDestinationInput(form: DestinationForm) {
  const kept = (rows: Pair[]) => rows.flatMap((pair, row) => (isBlank(pair) ? [] : [{ pair, row }]));
  const headers = kept(form.headers);
  const query = kept(form.query);
  const timeout = form.timeout_seconds.trim();
  const rate = form.rate_limit_per_second.trim();
  return {
    input: {
      name: form.name,
      enabled: form.enabled,
      method: form.method,
      url_template: form.url_template,
      headers_template: headers.map(({ pair }) => ({ key: pair.key.trim(), value: pair.value })),
      query_template: query.map(({ pair }) => ({ key: pair.key.trim(), value: pair.value })),
      body_template: form.body_template,
      timeout_seconds: timeout === "" ? Number.NaN : Number(timeout),
      rate_limit_per_second: rate === "" ? null : Number(rate),
      event_types: form.event_types,
      filter: filterInput(form.filter),
    },
    rows: { headers: headers.map((h) => h.row), query: query.map((q) => q.row) },
  };
}

export type FormRows = ReturnType<typeof toDestinationInput>["rows"];

/** An error placed on the page: the input it belongs to, its label, and what to do. */
export type PlacedError = { inputId: string; label: string; message: string };

export type FormErrors = { fields: PlacedError[]; general?: string };

export const rowInputId = (list: "header" | "query", row: number, part: "key" | "value") =>
  `${list}-${row}-${part}`;

export const EVENT_TYPES_INPUT = "event-type-0";

const LABELS: Record<string, { inputId: string; label: string }> = {
  name: { inputId: "name", label: "Name" },
  enabled: { inputId: "enabled", label: "Enabled" },
  method: { inputId: "method", label: "Method" },
  url_template: { inputId: "url_template", label: "URL Template" },
  body_template: { inputId: "body_template", label: "Body Template" },
  timeout_seconds: { inputId: "timeout_seconds", label: "Timeout Seconds" },
  rate_limit_per_second: { inputId: "rate_limit_per_second", label: "Rate Limit" },
  event_types: { inputId: EVENT_TYPES_INPUT, label: "Event subscriptions" },
  filter: { inputId: "filter", label: "Filter" },
  headers_template: { inputId: "headers-add", label: "Headers Template" },
  query_template: { inputId: "query-add", label: "Query Template" },
};

const API_NAMES: [RegExp, string][] = [
  [/\burl_template\b/g, "URL Template"],
  [/\bheaders_template\b/g, "Headers Template"],
  [/\bquery_template\b/g, "Query Template"],
  [/\bbody_template\b/g, "Body Template"],
  [/\btimeout_seconds\b/g, "Timeout Seconds"],
  [/\bevent_types\b/g, "event subscriptions"],
];

/** The API's message in the documentation's words: its labels, not its JSON names. */
function inWords(message: string, fallback: string): string {
  // zod's own wording for a type or size it did not expect says nothing a person can act on.
  if (/^(Invalid|Too big|Too small)\b/.test(message)) return fallback;
  let words = message;
  for (const [name, label] of API_NAMES) words = words.replace(name, label);
  if (words.startsWith("is ")) words = `This ${words}`;
  words = words.charAt(0).toUpperCase() + words.slice(1);
  return /[.!?)]$/.test(words) ? words : `${words}.`;
}

const ROW_FIELD = /^(headers_template|query_template)\[(\d+)\](?:\.(key|value))?$/;

function placeError(error: FieldError, rows: FormRows): PlacedError {
  const row = ROW_FIELD.exec(error.field);
  if (row) {
    const list = row[1] === "headers_template" ? "header" : "query";
    const formRow = (list === "header" ? rows.headers : rows.query)[Number(row[2])] ?? 0;
    const part = row[3] === "value" ? "value" : "key";
    const label = `${list === "header" ? "Headers Template" : "Query Template"}, row ${formRow + 1} ${part}`;
    const fallback =
      list === "query" && part === "key"
        ? `A query key must be 1 to ${DESTINATION_LIMITS.queryKeyLength} characters.`
        : "This value is not accepted.";
    return { inputId: rowInputId(list, formRow, part), label, message: inWords(error.detail, fallback) };
  }
  const top = error.field.replace(/\[\d+\]$/, "");
  const known = LABELS[top] ?? { inputId: "name", label: error.field };
  const fallbacks: Record<string, string> = {
    timeout_seconds: `Timeout Seconds must be a whole number from 1 to ${DESTINATION_LIMITS.timeoutSecondsMax}.`,
    rate_limit_per_second: `Rate Limit must be a whole number of requests per second from 1 to ${DESTINATION_LIMITS.rateLimitPerSecond}, or blank for no limit.`,
    method: `Choose ${DESTINATION_METHODS.slice(0, -1).join(", ")} or ${DESTINATION_METHODS.at(-1)}.`,
    event_types: "Choose from the contact events listed.",
  };
  if (top === "timeout_seconds" || top === "rate_limit_per_second")
    return { ...known, message: fallbacks[top] ?? "" };
  if (top === "filter") {
    // The engine names the place as the filter wrote it (filter.contact.plan.$gt): keep its words.
    const message = error.detail.startsWith("filter must be a JSON object")
      ? 'Filter must be a JSON object, such as { "contact.attributes.plan": "pro" }, or blank for none.'
      : `${error.detail}.`;
    return { ...known, message };
  }
  return { ...known, message: inWords(error.detail, fallbacks[top] ?? "This value is not accepted.") };
}

/** The API's field errors, each placed next to its input; one message per input, the first. */
export function placeErrors(errors: FieldError[], rows: FormRows): PlacedError[] {
  const placed = new Map<string, PlacedError>();
  for (const error of errors) {
    const here = placeError(error, rows);
    if (!placed.has(here.inputId)) placed.set(here.inputId, here);
  }
  return [...placed.values()];
}
