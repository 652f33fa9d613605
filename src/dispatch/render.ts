// Contextual rendering of a destination's request templates (docs/templates.md): every value goes
// through the escaping of its context — `{{{x}}}` and `{{& x}}` included — and objects render as JSON
// instead of "[object Object]". Parsing lives in templates.ts.
import type { DestinationRow } from "../db/schema";
import { compile, errorMessage, type Node, type Tag, TemplateError } from "./templates";

export type RenderableDestination = Pick<
  DestinationRow,
  "method" | "urlTemplate" | "headersTemplate" | "queryTemplate" | "bodyTemplate"
>;
export type RenderedRequest = {
  method: string;
  url: string;
  headers: [string, string][];
  body: string | null;
};

type Escape = (value: unknown) => string;

// mustache.js lookup: innermost context first; a dotted name must resolve fully within one context.
// Own properties only, so prototype members (`constructor`, `toString`) are never reachable.
function lookup(stack: unknown[], tag: Tag): unknown {
  if (tag.name === ".") return stack[stack.length - 1];
  for (let i = stack.length - 1; i >= 0; i--) {
    const view = stack[i];
    if (tag.path === null) {
      if (typeof view === "object" && view !== null && Object.hasOwn(view, tag.name))
        return (view as Record<string, unknown>)[tag.name];
      continue;
    }
    let value = view;
    let j = 0;
    for (; j < tag.path.length && value != null && Object.hasOwn(Object(value), tag.path[j] as string); j++)
      value = (value as Record<string, unknown>)[tag.path[j] as string];
    if (j === tag.path.length) return value;
  }
  return undefined;
}

function walk(nodes: Node[], stack: unknown[], esc: Escape): string {
  let out = "";
  for (const node of nodes) {
    if (typeof node === "string") {
      out += node;
      continue;
    }
    const value = lookup(stack, node);
    if (!("children" in node)) {
      if (value !== undefined) out += esc(value);
    } else if (node.inverted) {
      if (!value || (Array.isArray(value) && value.length === 0)) out += walk(node.children, stack, esc);
    } else if (Array.isArray(value)) {
      for (const item of value) {
        stack.push(item);
        out += walk(node.children, stack, esc);
        stack.pop();
      }
    } else if (
      value &&
      (typeof value === "object" || typeof value === "string" || typeof value === "number")
    ) {
      stack.push(value);
      out += walk(node.children, stack, esc);
      stack.pop();
    } else if (value) {
      out += walk(node.children, stack, esc); // `true`: render in the same context, as mustache does
    }
  }
  return out;
}

// Raw text of a value: objects and arrays as JSON, null as nothing.
function text(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "object":
      return value === null ? "" : JSON.stringify(value);
    default:
      return "";
  }
}

function urlComponent(value: unknown): string {
  const raw = text(value);
  // `.` and `..` survive percent-encoding and would walk the path.
  if (raw === "." || raw === "..")
    throw new TemplateError(`url template: a value of "${raw}" would walk the path`);
  return encodeURIComponent(raw.toWellFormed()); // a lone surrogate becomes U+FFFD instead of a URIError
}

// Characters JSON allows raw but that are unsafe if the body lands in HTML or a JS string literal.
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const htmlSafe = (json: string) =>
  json.replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

// JSON body: strings as JSON string content; numbers, booleans, null, objects and arrays as JSON text.
function jsonValue(value: unknown): string {
  if (typeof value === "string") return htmlSafe(JSON.stringify(value).slice(1, -1));
  if (typeof value === "function" || typeof value === "symbol") return "";
  return htmlSafe(JSON.stringify(value) ?? "");
}

function render(template: string, payload: unknown, esc: Escape, what: string): string {
  return walk(compile(template, what), [payload], esc);
}

const JSON_MEDIA_TYPE = /^\s*(?:application\/(?:[^\s;/]*\+)?json|text\/json)\s*(?:;|$)/i;
// Without a Content-Type, `{` or `[` opens a JSON body, but `{{` opens a mustache tag, not an object.
const JSON_SHAPE = /^\s*(?:\[|\{(?!\{))/;
const HEADER_FORBIDDEN = /[\r\n\0]/;

export function renderRequest(
  dest: RenderableDestination,
  payload: Record<string, unknown>,
): RenderedRequest {
  let url: URL;
  const rendered = render(dest.urlTemplate, payload, urlComponent, "url");
  try {
    url = new URL(rendered);
  } catch {
    throw new TemplateError("url template did not render a valid URL");
  }
  if (dest.queryTemplate.length > 0) {
    const query = new URLSearchParams();
    for (const { key, value } of dest.queryTemplate)
      query.append(key, render(value, payload, text, `query "${key}"`));
    // Appended after the template's own query, which is kept exactly as written.
    url.search = url.search.length > 1 ? `${url.search}&${query}` : `?${query}`;
  }

  const headers: [string, string][] = [];
  let contentType: string | null = null;
  for (const { key, value } of dest.headersTemplate) {
    const v = render(value, payload, text, `header "${key}"`);
    // CR/LF/NUL would split or truncate the header; never sent, whatever the fetch implementation does.
    if (HEADER_FORBIDDEN.test(v))
      throw new TemplateError(`header "${key}" rendered a CR, LF or NUL character`);
    if (contentType === null && key.toLowerCase() === "content-type") contentType = v;
    headers.push([key, v]);
  }

  let body: string | null = null;
  const template = dest.bodyTemplate;
  if (template === null || template.trim() === "") {
    // Blank template: the full payload as JSON, except for GET which has no body.
    if (dest.method !== "GET") {
      body = JSON.stringify(payload);
      if (contentType === null) headers.push(["Content-Type", "application/json"]);
    }
  } else {
    // fetch refuses a GET with a body; fail as a configuration error instead of a network error each try.
    if (dest.method === "GET") throw new TemplateError("body template: a GET request cannot carry a body");
    const json = contentType === null ? JSON_SHAPE.test(template) : JSON_MEDIA_TYPE.test(contentType);
    body = render(template, payload, json ? jsonValue : text, "body");
    if (json) {
      try {
        JSON.parse(body);
      } catch (error) {
        throw new TemplateError(`body template did not render valid JSON: ${errorMessage(error)}`);
      }
    }
    if (contentType === null)
      headers.push(["Content-Type", json ? "application/json" : "text/plain; charset=utf-8"]);
  }
  return { method: dest.method, url: url.href, headers, body };
}
