// Escaping by context (docs/templates.md): what each kind of template part makes of a value, and what a
// header value may not contain. The renderer (render.ts) applies them.
import { TemplateError } from "./templates";

// Raw text of a value: objects and arrays as JSON, null as nothing.
export function text(value: unknown): string {
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

export function urlComponent(value: unknown): string {
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
export function jsonValue(value: unknown): string {
  if (typeof value === "string") return htmlSafe(JSON.stringify(value).slice(1, -1));
  if (typeof value === "function" || typeof value === "symbol") return "";
  return htmlSafe(JSON.stringify(value) ?? "");
}

/** UTF-8 length without encoding: the wire size of a rendered part. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const LINE_BREAKING = /[\r\n\0]/;
const CONTROL = /(?!\t)\p{Cc}/u; // C0 and C1 controls and DEL, but tab

/**
 * What makes a header value unsendable, or null. CR/LF/NUL would split or truncate the header, and
 * receivers refuse every other control character but tab. Checked when saved and when rendered.
 */
export function headerValueProblem(value: string): string | null {
  if (LINE_BREAKING.test(value)) return "a CR, LF or NUL character";
  const control = CONTROL.exec(value)?.[0];
  if (control === undefined) return null;
  return `a control character (U+${control.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()})`;
}
