// Save-time rules for a destination that zod's structural checks cannot express on their own.
// (The URL template's address rules live with the URL policy: src/rules/url-policy.ts.)
import { checkTemplateSyntax } from "../rules/templates";

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
