// What a failed attempt means and what the receiver's owner should do: one entry per error class and
// common status, shown beside the attempt in the dashboard and as the dashboard's Troubleshooting page.
// docs/troubleshooting.md mirrors this list, section by section (test/node checks the anchors).
import type { ErrorClass } from "../db/history-schema";

export type Hint = {
  /** The section's anchor, on /docs/troubleshooting and in docs/troubleshooting.md. */
  anchor: string;
  title: string;
  meaning: string;
  action: string;
};

const hint = (anchor: string, title: string, meaning: string, action: string): Hint => ({
  anchor,
  title,
  meaning,
  action,
});

export const HINTS = {
  unauthorized: hint(
    "unauthorized",
    "401 Unauthorized or 403 Forbidden",
    "The receiver refused the request's credentials: the token in a header or query template is wrong, expired or lacks the permission, or the receiver rejected the signature.",
    "Check the Authorization header (or the query parameter) in the destination's templates against the receiver's current token; if the receiver verifies signatures, check that it uses this destination's current signing secret (after a rotation, both secrets verify during the grace period).",
  ),
  notFound: hint(
    "not-found",
    "404 Not Found",
    "The URL reached a server, but no endpoint answers at that path: a typo, a path that moved, or a URL template that renders a path the receiver does not have.",
    "Compare the attempt's URL with the receiver's endpoint. Preview the destination with a real event to see the URL its template renders.",
  ),
  gone: hint(
    "gone",
    "410 Gone",
    "The receiver says the endpoint is gone for good. Leadpush disabled the destination at once and stops sending to it.",
    "If the endpoint is back or moved, fix the URL and enable the destination; then recover what was skipped meanwhile (Recover deliveries… on its page).",
  ),
  rateLimited: hint(
    "rate-limited",
    "429 Too Many Requests",
    "The receiver asked for fewer requests. Leadpush pauses the destination for its Retry-After (within the retry schedule's bounds) and retries.",
    "Nothing to do if it is occasional. If it is steady, set a rate limit on the destination at or under what the receiver accepts, or raise the receiver's limit.",
  ),
  unavailable: hint(
    "unavailable",
    "503 Service Unavailable",
    "The receiver is down or overloaded. Its Retry-After, when it sends one, is honoured; otherwise the retry schedule applies.",
    "Bring the receiver back; deliveries are retried for about 28 hours, and what failed for good can be recovered in bulk once it is up.",
  ),
  serverError: hint(
    "server-error",
    "5xx Server error",
    "The receiver failed while handling the request (500, 502, 504…): a bug, a crash, or a proxy that could not reach the application.",
    "Look in the receiver's logs at the attempt's time for the request's X-Leadpush-Id. Deliveries are retried on the schedule; after ten failures in a row the destination is failing and only probed until it answers.",
  ),
  redirect: hint(
    "redirect",
    "3xx Redirect (not followed)",
    "The receiver answered with a redirect. Leadpush never follows redirects, so a signed request is never carried to another address.",
    "Point the destination at the final URL (often the https:// form, or the path with or without its trailing slash).",
  ),
  tooLarge: hint(
    "too-large",
    "413 Content Too Large",
    "The receiver refused the body's size.",
    "Raise the receiver's body limit, or send less with a body template that picks the fields it needs.",
  ),
  rejected: hint(
    "rejected",
    "4xx Rejected",
    "The receiver rejected the request as it is (400, 422…): it did not accept the body, a header or the method.",
    "Read the response body below for the receiver's reason, then adjust the method, headers or body template; Preview shows the exact request.",
  ),
  timeout: hint(
    "timeout",
    "Timed out",
    "No complete answer came within the destination's timeout. The receiver may still have processed it, so it must dedupe on X-Leadpush-Id.",
    "Answer quickly with a 2xx and do the work afterwards (a queue on the receiver's side), or raise the destination's timeout (at most 30 s).",
  ),
  tls: hint(
    "tls",
    "TLS error",
    "The TLS handshake failed: an expired, self-signed or mismatched certificate, or an incomplete chain.",
    "Check the receiver's certificate for the host in the URL (expiry, name, full chain from a public authority).",
  ),
  dns: hint(
    "dns",
    "DNS error",
    "The URL's host name does not resolve.",
    "Check the host in the URL template for a typo, and that its DNS record exists publicly.",
  ),
  network: hint(
    "network",
    "Network error",
    "The request could not be sent or its answer was cut off: the connection was refused or reset.",
    "Check that the receiver listens on the URL's host and port and accepts connections from the internet.",
  ),
  blocked: hint(
    "blocked",
    "URL not allowed",
    "The rendered URL points at a private, local or otherwise non-public address, or is not https. It is refused before anything is sent, and not retried.",
    "Use a public HTTPS endpoint; if a template variable builds the host, make sure every event renders a public one.",
  ),
  template: hint(
    "template",
    "Template error",
    "A template could not render this event; the message says which and where. Nothing was sent, and it is not retried.",
    "Preview the destination with this event to see the error, fix the template, then redeliver.",
  ),
  internal: hint(
    "internal",
    "Internal error",
    "Leadpush failed on its side while preparing or sending this attempt. It was recorded and is retried on the schedule.",
    "Nothing on the receiver's side. If it repeats, tell us the delivery id.",
  ),
} as const satisfies Record<string, Hint>;

export const ALL_HINTS: readonly Hint[] = Object.values(HINTS);

const BY_CLASS: Partial<Record<ErrorClass, Hint>> = {
  timeout: HINTS.timeout,
  destination_blocked: HINTS.blocked,
  template_error: HINTS.template,
  internal_error: HINTS.internal,
};

function forStatus(status: number): Hint {
  if (status === 401 || status === 403) return HINTS.unauthorized;
  if (status === 404) return HINTS.notFound;
  if (status === 410) return HINTS.gone;
  if (status === 429) return HINTS.rateLimited;
  if (status === 503) return HINTS.unavailable;
  if (status === 413) return HINTS.tooLarge;
  if (status >= 500) return HINTS.serverError;
  if (status >= 300 && status < 400) return HINTS.redirect;
  return HINTS.rejected;
}

function forNetwork(message: string): Hint {
  if (/tls|ssl|certificate|handshake/i.test(message)) return HINTS.tls;
  if (/dns|resolve|lookup|enotfound|name or service/i.test(message)) return HINTS.dns;
  return HINTS.network;
}

/** The hint for a failed attempt; null for a success. */
export function troubleshoot(attempt: {
  error_class: ErrorClass | null;
  response_status: number | null;
  error_message: string | null;
}): Hint | null {
  const { error_class: errorClass, response_status: status } = attempt;
  if (errorClass === null) return null;
  if (errorClass === "http_status" && status !== null) return forStatus(status);
  if (errorClass === "network_error") return forNetwork(attempt.error_message ?? "");
  return BY_CLASS[errorClass] ?? HINTS.network;
}
