// Contextual mustache rendering of a destination's request templates (DESIGN.md "Templates").
// mustache only parses; rendering is our own walker so every value goes through the escaping of its
// context — `{{{x}}}` and `{{& x}}` included — and objects render as JSON instead of "[object Object]".
import Mustache, { type TemplateSpans } from "mustache";

export type KeyValue = { key: string; value: string };
export type RenderableDestination = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  urlTemplate: string;
  headersTemplate: KeyValue[];
  queryTemplate: KeyValue[];
  bodyTemplate: string | null;
};
export type RenderedRequest = {
  method: string;
  url: string;
  headers: [string, string][];
  body: string | null;
};

export class TemplateError extends Error {
  override name = "TemplateError";
}

type Tag = { name: string; path: string[] | null };
type Section = Tag & { inverted: boolean; children: Node[] };
type Node = string | Tag | Section;
type Escape = (value: unknown) => string;

const TAGS: [string, string] = ["{{", "}}"];
// A private writer with mustache's unbounded template cache switched off; we keep our own bounded one.
const writer = new Mustache.Writer();
(writer as unknown as { templateCache: undefined }).templateCache = undefined;

// Parsed templates by source text, bounded by total characters (a body template may be 64 KiB).
const compiled = new Map<string, Node[]>();
const CACHE_CHARS = 4 * 1024 * 1024;
let cachedChars = 0;

function compile(template: string, what: string): Node[] {
  let nodes = compiled.get(template);
  if (nodes !== undefined) return nodes;
  let tokens: TemplateSpans;
  try {
    tokens = writer.parse(template, TAGS);
  } catch (error) {
    throw new TemplateError(`${what} template: ${errorMessage(error).replace(/ at \d+$/, "")}`);
  }
  nodes = toNodes(tokens, what);
  while (cachedChars + template.length > CACHE_CHARS && compiled.size > 0) {
    const oldest = compiled.keys().next().value as string;
    compiled.delete(oldest);
    cachedChars -= oldest.length;
  }
  compiled.set(template, nodes);
  cachedChars += template.length;
  return nodes;
}

function toNodes(tokens: TemplateSpans, what: string): Node[] {
  const nodes: Node[] = [];
  for (const token of tokens) {
    const [type, name] = token;
    if (type === "text") {
      nodes.push(name);
      continue;
    }
    const path = name.indexOf(".") > 0 ? name.split(".") : null; // as mustache: "a.b" walks, "." is the item
    // `&` (and `{{{ }}}`, which mustache reports as `&`) is treated like `name`: escaping always applies.
    if (type === "name" || type === "&") nodes.push({ name, path });
    else if (type === "#" || type === "^")
      nodes.push({ name, path, inverted: type === "^", children: toNodes(token[4] as TemplateSpans, what) });
    else if (type !== "!") throw new TemplateError(`${what} template: ${unsupported(type)}`);
  }
  return nodes;
}

const unsupported = (type: string) =>
  type === ">"
    ? "partials ({{> name}}) are not supported"
    : "delimiter changes ({{=<% %>=}}) are not supported";

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

/** Where the first tag of a template starts, or null when it has none (the template must parse). */
export function firstTagPosition(template: string): number | null {
  const tokens: TemplateSpans = writer.parse(template, TAGS);
  const tag = tokens.find((token) => token[0] !== "text");
  return tag ? tag[2] : null;
}

export function checkTemplateSyntax(
  template: string,
): { ok: true } | { ok: false; message: string; position: number } {
  try {
    const unsupportedAt = findUnsupported(writer.parse(template, TAGS));
    return unsupportedAt ?? { ok: true };
  } catch (error) {
    const message = errorMessage(error);
    const at = / at (\d+)$/.exec(message);
    const position = at ? Number(at[1]) : 0;
    // A delimiter change before the failure explains it better than what mustache parsed afterwards.
    const delimiter = /\{\{\s*=/.exec(template);
    if (delimiter && (!at || delimiter.index < position))
      return { ok: false, message: unsupported("="), position: delimiter.index };
    return { ok: false, message: message.replace(/ at \d+$/, ""), position };
  }
}

function findUnsupported(tokens: TemplateSpans): { ok: false; message: string; position: number } | null {
  for (const token of tokens) {
    if (token[0] === ">" || token[0] === "=")
      return { ok: false, message: unsupported(token[0]), position: token[2] };
    if (token[0] === "#" || token[0] === "^") {
      const inner = findUnsupported(token[4] as TemplateSpans);
      if (inner) return inner;
    }
  }
  return null;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
