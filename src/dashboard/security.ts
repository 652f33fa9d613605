// The dashboard's browser-facing defences: response headers (hono/secure-headers), cookies, and the two
// checks every unsafe request must pass (same origin, and a CSRF token bound to the session).
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { bytesToBase64Url } from "../encoding";

/** No inline script or style anywhere: everything the page runs or wears comes from /assets. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** The policy as the header reads (secureHeaders writes it from the same directives). */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(" ")}`)
  .join("; ");

/** The headers of every dashboard response; HSTS only over https, where a browser honours it. */
export const secureHeadersFor = (https: boolean) =>
  secureHeaders({
    contentSecurityPolicy: CSP_DIRECTIVES,
    xFrameOptions: "DENY",
    referrerPolicy: "same-origin",
    xContentTypeOptions: true,
    crossOriginOpenerPolicy: "same-origin",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
    strictTransportSecurity: https ? "max-age=31536000; includeSubDomains" : false,
    // Headers the dashboard has never sent stay off, so its responses are what they were.
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });

export const isHttps = (c: Context) => new URL(c.req.url).protocol === "https:";

// Over https (production) the __Host- prefix pins a cookie to this exact host, with Secure and Path=/,
// so no sibling subdomain can plant or overwrite it. Plain http (local dev) cannot use the prefix.
const cookieName = (c: Context, name: string) => (isHttps(c) ? `__Host-${name}` : name);
const SESSION_COOKIE = "lp_session";
// Before sign-in there is no session to bind a CSRF token to; this random cookie stands in for it.
const SIGN_IN_COOKIE = "lp_signin";

const cookieOptions = (c: Context) =>
  ({ httpOnly: true, sameSite: "Strict", path: "/", secure: isHttps(c) }) as const;

export const readSessionCookie = (c: Context) => getCookie(c, cookieName(c, SESSION_COOKIE));

export function setSessionCookie(c: Context, token: string, expiresAt: number) {
  const maxAge = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
  setCookie(c, cookieName(c, SESSION_COOKIE), token, { ...cookieOptions(c), maxAge });
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, cookieName(c, SESSION_COOKIE), cookieOptions(c));
}

export const readSignInCookie = (c: Context) => getCookie(c, cookieName(c, SIGN_IN_COOKIE));

/** The pre-session cookie's value, set now if the browser has none yet. */
export function ensureSignInCookie(c: Context): string {
  const existing = readSignInCookie(c);
  if (existing) return existing;
  const value = bytesToBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  setCookie(c, cookieName(c, SIGN_IN_COOKIE), value, cookieOptions(c));
  return value;
}

export function clearSignInCookie(c: Context) {
  if (readSignInCookie(c)) deleteCookie(c, cookieName(c, SIGN_IN_COOKIE), cookieOptions(c));
}

/**
 * The CSRF token of a session (or of a pre-session cookie): a one-way function of the cookie's
 * secret value. Another site can neither read the cookie nor compute the token, and nothing extra
 * needs storing.
 */
export async function csrfTokenFor(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`leadpush-csrf:${secret}`));
  return bytesToBase64Url(new Uint8Array(digest));
}

/** Compares digests of the two, so neither the time taken nor a length mismatch says anything. */
export async function csrfTokensMatch(expected: string, given: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

export const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Why an unsafe request is refused as cross-site, or null when it came from one of our own pages.
 * Browsers send Origin on every form post; Sec-Fetch-Site, where sent, must agree.
 */
export function crossSiteReason(c: Context): string | null {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin") return `it came from a ${site} page`;
  const origin = c.req.header("origin");
  if (!origin) return "it did not say which page it came from";
  if (origin !== new URL(c.req.url).origin) return "it came from another site";
  return null;
}
