// Save-time rules for a destination that zod's structural checks cannot express on their own.
import { checkTemplateSyntax, firstTagPosition } from "../delivery/render";
import { checkDestinationUrl } from "../delivery/url-policy";

export const LIMITS = {
  nameLength: 100,
  urlLength: 2048,
  pairs: 20,
  headerValueLength: 4096,
  queryKeyLength: 256,
  queryValueLength: 2048,
  bodyBytes: 64 * 1024,
} as const;

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HOP_BY_HOP = new Set(["connection", "transfer-encoding", "te", "trailer", "upgrade", "keep-alive"]);

/** Why a header name may not be configured, or null when it may. */
export function reservedHeaderReason(name: string): string | null {
  if (!HEADER_NAME.test(name)) return "is not a valid header name (RFC 9110 token characters only)";
  const lower = name.toLowerCase();
  if (lower === "host" || lower === "content-length")
    return `${name} is set by Leadpush and cannot be configured`;
  // The whole X-Leadpush namespace, dash or not, so no configured header can pass for a delivery header.
  if (lower.startsWith("x-leadpush"))
    return "headers beginning with X-Leadpush are reserved for delivery metadata";
  if (HOP_BY_HOP.has(lower) || lower.startsWith("proxy-"))
    return `${name} is a hop-by-hop header and cannot be configured`;
  return null;
}

/** A template's syntax error with its position, or null. */
export function templateSyntaxError(template: string): string | null {
  const result = checkTemplateSyntax(template);
  return result.ok ? null : `template error at position ${result.position}: ${result.message}`;
}

/**
 * Scheme, host and port must be literal so the destination's host is known at save time:
 * every tag has to start after the authority has ended with `/`, `?` or `#`.
 */
export function urlTemplateHostError(template: string): string | null {
  const position = firstTagPosition(template);
  if (position === null) return null;
  const prefix = template.slice(0, position);
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\\{}]+[/?#]/.test(prefix)
    ? null
    : "template tags are only allowed after the host, in the path or query; the scheme, host and port must be literal";
}

/** The URL template with every tag replaced by a plain value, for the save-time address policy. */
export function sampleUrl(template: string): string {
  return template.replace(/\{\{\{?[\s\S]*?\}?\}\}/g, "x");
}

export function urlPolicyError(template: string, allowPrivate: boolean): string | null {
  const verdict = checkDestinationUrl(sampleUrl(template), { allowPrivate });
  return verdict.ok ? null : verdict.reason;
}
