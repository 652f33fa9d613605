// Parsing destination templates: mustache's parser, our own tree and rules (docs/templates.md).
// Partials and delimiter changes are refused; `{{{x}}}` and `{{& x}}` parse like `{{x}}`, because the
// renderer escapes every value for its context whatever the tag says.

import Mustache, { type TemplateSpans } from "mustache";
import { MAX_SECTION_DEPTH } from "../limits";

export class TemplateError extends Error {
  override name = "TemplateError";
}

export type Tag = { name: string; path: string[] | null };
export type Section = Tag & { inverted: boolean; children: Node[] };
export type Node = string | Tag | Section;

const TAGS: [string, string] = ["{{", "}}"];
const tooDeep = `sections may be nested at most ${MAX_SECTION_DEPTH} deep`;
// A private writer with mustache's unbounded template cache switched off; we keep our own bounded one.
const writer = new Mustache.Writer();
(writer as unknown as { templateCache: undefined }).templateCache = undefined;

// Parsed templates by source text, bounded by total characters (a body template may be 64 KiB).
const compiled = new Map<string, Node[]>();
const CACHE_CHARS = 4 * 1024 * 1024;
let cachedChars = 0;

/** The template's tree, from the cache when it was parsed before. `what` names it in errors. */
export function compile(template: string, what: string): Node[] {
  let nodes = compiled.get(template);
  if (nodes !== undefined) return nodes;
  let tokens: TemplateSpans;
  try {
    tokens = writer.parse(template, TAGS);
  } catch (error) {
    throw new TemplateError(`${what} template: ${errorMessage(error).replace(/ at \d+$/, "")}`);
  }
  nodes = toNodes(tokens, what, 1);
  while (cachedChars + template.length > CACHE_CHARS && compiled.size > 0) {
    const oldest = compiled.keys().next().value as string;
    compiled.delete(oldest);
    cachedChars -= oldest.length;
  }
  compiled.set(template, nodes);
  cachedChars += template.length;
  return nodes;
}

function toNodes(tokens: TemplateSpans, what: string, depth: number): Node[] {
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
    else if (type === "#" || type === "^") {
      if (depth > MAX_SECTION_DEPTH) throw new TemplateError(`${what} template: ${tooDeep}`);
      nodes.push({
        name,
        path,
        inverted: type === "^",
        children: toNodes(token[4] as TemplateSpans, what, depth + 1),
      });
    } else if (type !== "!") throw new TemplateError(`${what} template: ${unsupported(type)}`);
  }
  return nodes;
}

const unsupported = (type: string) =>
  type === ">"
    ? "partials ({{> name}}) are not supported"
    : "delimiter changes ({{=<% %>=}}) are not supported";

/** Where the first tag of a template starts, or null when it has none (the template must parse). */
export function firstTagPosition(template: string): number | null {
  const tokens: TemplateSpans = writer.parse(template, TAGS);
  const tag = tokens.find((token) => token[0] !== "text");
  return tag ? tag[2] : null;
}

export type SyntaxVerdict = { ok: true } | { ok: false; message: string; position: number };

export function checkTemplateSyntax(template: string): SyntaxVerdict {
  try {
    const unsupportedAt = findUnsupported(writer.parse(template, TAGS), 1);
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

/** The first partial, delimiter change or section nested too deep, with its position. */
function findUnsupported(
  tokens: TemplateSpans,
  depth: number,
): { ok: false; message: string; position: number } | null {
  for (const token of tokens) {
    if (token[0] === ">" || token[0] === "=")
      return { ok: false, message: unsupported(token[0]), position: token[2] };
    if (token[0] === "#" || token[0] === "^") {
      if (depth > MAX_SECTION_DEPTH) return { ok: false, message: tooDeep, position: token[2] };
      const inner = findUnsupported(token[4] as TemplateSpans, depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
