// Contextual rendering of a destination's request templates (docs/templates.md): every value goes
// through the escaping of its context — `{{{x}}}` and `{{& x}}` included — and objects render as JSON
// instead of "[object Object]". Parsing lives in templates.ts.

import type { DestinationRow } from "../db/schema";
import { RENDER_LIMITS } from "../limits";
import { headerValueProblem, jsonValue, text, urlComponent, utf8Length } from "./escape";
import { compile, errorMessage, type Node, type Tag, TemplateError } from "./templates";

export type RenderableDestination = Pick<
  DestinationRow,
  "method" | "urlTemplate" | "headersTemplate" | "queryTemplate" | "bodyTemplate"
>;
export type RenderedRequest = {
  method: string;
  /** Serialized by the URL parser (href): no raw whitespace, control characters or empty userinfo. */
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

/** One request's render: the steps it has taken (each tag and each section item counts one). */
type Budget = { steps: number };

/** One part's output, refused the moment it passes its bound. */
class Output {
  text = "";
  constructor(
    readonly limit: number,
    readonly what: string,
  ) {}

  append(piece: string) {
    this.text += piece;
    if (this.text.length > this.limit)
      throw new TemplateError(`${this.what} rendered more than ${this.limit} characters`);
  }
}

function step(budget: Budget, what: string) {
  if (++budget.steps > RENDER_LIMITS.steps)
    throw new TemplateError(`${what} template: rendering took more than ${RENDER_LIMITS.steps} steps`);
}

function walk(nodes: Node[], stack: unknown[], esc: Escape, out: Output, budget: Budget): void {
  for (const node of nodes) {
    if (typeof node === "string") {
      out.append(node);
      continue;
    }
    step(budget, out.what);
    const value = lookup(stack, node);
    if (!("children" in node)) {
      if (value !== undefined) out.append(esc(value));
    } else if (node.inverted) {
      if (!value || (Array.isArray(value) && value.length === 0))
        walk(node.children, stack, esc, out, budget);
    } else if (Array.isArray(value)) {
      for (const item of value) {
        step(budget, out.what);
        stack.push(item);
        walk(node.children, stack, esc, out, budget);
        stack.pop();
      }
    } else if (
      value &&
      (typeof value === "object" || typeof value === "string" || typeof value === "number")
    ) {
      stack.push(value);
      walk(node.children, stack, esc, out, budget);
      stack.pop();
    } else if (value) {
      walk(node.children, stack, esc, out, budget); // `true`: render in the same context, as mustache does
    }
  }
}

type Part = { template: string; what: string; limit: number; esc: Escape };

function render(part: Part, payload: unknown, budget: Budget): string {
  const out = new Output(part.limit, part.what);
  walk(compile(part.template, part.what), [payload], part.esc, out, budget);
  return out.text;
}

const JSON_MEDIA_TYPE = /^\s*(?:application\/(?:[^\s;/]*\+)?json|text\/json)\s*(?:;|$)/i;
// Without a Content-Type, `{` or `[` opens a JSON body, but `{{` opens a mustache tag, not an object.
const JSON_SHAPE = /^\s*(?:\[|\{(?!\{))/;
function renderUrl(dest: RenderableDestination, payload: Record<string, unknown>, budget: Budget): URL {
  const part = { template: dest.urlTemplate, what: "url", limit: RENDER_LIMITS.urlChars, esc: urlComponent };
  let url: URL;
  try {
    url = new URL(render(part, payload, budget));
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    throw new TemplateError("url template did not render a valid URL");
  }
  if (dest.queryTemplate.length > 0) {
    const query = new URLSearchParams();
    for (const { key, value } of dest.queryTemplate) {
      const what = `query "${key}"`;
      query.append(
        key,
        render({ template: value, what, limit: RENDER_LIMITS.queryValueChars, esc: text }, payload, budget),
      );
    }
    // Appended after the template's own query, which is kept exactly as written.
    url.search = url.search.length > 1 ? `${url.search}&${query}` : `?${query}`;
  }
  if (url.href.length > RENDER_LIMITS.urlChars)
    throw new TemplateError(`the rendered URL is longer than ${RENDER_LIMITS.urlChars} characters`);
  return url;
}

function renderHeaders(dest: RenderableDestination, payload: Record<string, unknown>, budget: Budget) {
  const headers: [string, string][] = [];
  let total = 0;
  for (const { key, value } of dest.headersTemplate) {
    const what = `header "${key}"`;
    // A lone surrogate becomes U+FFFD, so the wire never carries invalid UTF-8.
    const v = render(
      { template: value, what, limit: RENDER_LIMITS.headerValueBytes, esc: text },
      payload,
      budget,
    ).toWellFormed();
    const problem = headerValueProblem(v);
    if (problem) throw new TemplateError(`${what} rendered ${problem}`);
    const bytes = utf8Length(v);
    if (bytes > RENDER_LIMITS.headerValueBytes)
      throw new TemplateError(`${what} rendered more than ${RENDER_LIMITS.headerValueBytes} bytes`);
    total += key.length + bytes;
    if (total > RENDER_LIMITS.headersBytes)
      throw new TemplateError(`the headers rendered more than ${RENDER_LIMITS.headersBytes} bytes together`);
    headers.push([key, v]);
  }
  return headers;
}

/** The body and the Content-Type it implies when none is configured. */
function renderBody(
  dest: RenderableDestination,
  payload: Record<string, unknown>,
  contentType: string | null,
  budget: Budget,
): { body: string | null; impliedType: string | null } {
  const template = dest.bodyTemplate;
  let body: string | null = null;
  let impliedType: string | null = null;
  if (template === null || template.trim() === "") {
    // Blank template: the full payload as JSON, except for GET which has no body.
    if (dest.method !== "GET") [body, impliedType] = [JSON.stringify(payload), "application/json"];
  } else {
    // fetch refuses a GET with a body; fail as a configuration error instead of a network error each try.
    if (dest.method === "GET") throw new TemplateError("body template: a GET request cannot carry a body");
    const json = contentType === null ? JSON_SHAPE.test(template) : JSON_MEDIA_TYPE.test(contentType);
    body = render(
      { template, what: "body", limit: RENDER_LIMITS.bodyBytes, esc: json ? jsonValue : text },
      payload,
      budget,
    );
    if (json) {
      try {
        JSON.parse(body);
      } catch (error) {
        throw new TemplateError(`body template did not render valid JSON: ${errorMessage(error)}`);
      }
    }
    impliedType = json ? "application/json" : "text/plain; charset=utf-8";
  }
  if (body !== null && utf8Length(body) > RENDER_LIMITS.bodyBytes)
    throw new TemplateError(`body rendered more than ${RENDER_LIMITS.bodyBytes} bytes`);
  return { body, impliedType };
}

/** The request a destination's templates make of one event payload; a TemplateError when they cannot. */
export function renderRequest(
  dest: RenderableDestination,
  payload: Record<string, unknown>,
): RenderedRequest {
  const budget: Budget = { steps: 0 };
  const url = renderUrl(dest, payload, budget);
  const headers = renderHeaders(dest, payload, budget);
  const contentType = headers.find(([key]) => key.toLowerCase() === "content-type")?.[1] ?? null;
  const { body, impliedType } = renderBody(dest, payload, contentType, budget);
  if (contentType === null && impliedType !== null) headers.push(["Content-Type", impliedType]);
  return { method: dest.method, url: url.href, headers, body };
}
