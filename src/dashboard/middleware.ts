// The dashboard's middleware, in the order a request meets it: security headers on every response,
// the session from the cookie, the cross-site checks on every unsafe request, and the workspace in
// the URL checked against the session.
import { createMiddleware } from "hono/factory";
import { database } from "../db/client";
import { notFoundPage, refusedPage } from "./answers";
import {
  clearSessionCookie,
  crossSiteReason,
  csrfTokenFor,
  csrfTokensMatch,
  isHttps,
  readSessionCookie,
  readSignInCookie,
  secureHeadersFor,
  UNSAFE_METHODS,
} from "./security";
import { chooseWorkspace, loadSession, revokeSession } from "./session";
import type { DashboardEnv } from "./types";
import { urls } from "./urls";

const overHttps = secureHeadersFor(true);
const overHttp = secureHeadersFor(false);

export const securityHeaders = createMiddleware<DashboardEnv>(async function securityHeaders(c, next) {
  await (isHttps(c) ? overHttps : overHttp)(c, async () => {
    await next();
    // Pages show tenant data: never kept by a browser or a proxy. Assets set their own, long, policy.
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  });
});

/** Sets `session` (null when signed out) and `csrf`, the token this browser's forms must carry. */
export const withSession = createMiddleware<DashboardEnv>(async function withSession(c, next) {
  const token = readSessionCookie(c);
  let session = token ? await loadSession(database(c.env.DB), token) : null;
  if (session && session.workspaces.length === 0) {
    // Every key that proved a workspace was revoked: the session can show nothing any more.
    await revokeSession(database(c.env.DB), session.id);
    session = null;
  }
  if (token && !session) clearSessionCookie(c);
  c.set("session", session);
  const basis = session?.token ?? readSignInCookie(c);
  c.set("csrf", basis ? await csrfTokenFor(basis) : null);
  await next();
});

/**
 * Refuses an unsafe request unless it comes from one of our pages (Origin, and Sec-Fetch-Site when
 * sent) AND carries this session's CSRF token. Either check alone would stop a forged form in today's
 * browsers; both together also cover older ones and a token leaked from a page.
 * Not hono/csrf: it lets a request through when EITHER Origin or Sec-Fetch-Site passes, skips non-form
 * bodies, and refuses with a thrown plain "Forbidden"; its options would have to hold this whole rule.
 */
export const refuseCrossSite = createMiddleware<DashboardEnv>(async function refuseCrossSite(c, next) {
  if (!UNSAFE_METHODS.has(c.req.method)) return next();
  const signedIn = c.var.session !== null;
  let reason = crossSiteReason(c);
  // Signing out without a live session changes nothing, so a page left open past expiry may do it.
  const needsToken = !(c.req.path === urls.signOut && !signedIn);
  if (!reason && needsToken) {
    const form = await c.req.parseBody();
    const given = typeof form._csrf === "string" ? form._csrf : "";
    const expected = c.var.csrf;
    if (!expected || !given || !(await csrfTokensMatch(expected, given))) {
      reason = "its security token was missing or out of date";
    }
  }
  if (reason) return refusedPage(c, reason);
  await next();
});

/**
 * Routes under /w/{ws}: signed out → the sign-in page; a workspace this session does not hold → 404,
 * the same answer as a workspace that does not exist (never 403: existence is not confirmed).
 */
export const requireWorkspace = createMiddleware<DashboardEnv>(async function requireWorkspace(c, next) {
  const session = c.var.session;
  if (!session) return c.redirect(urls.home, 303);
  const workspace = session.workspaces.find((w) => w.uuid === c.req.param("ws"));
  if (!workspace) return notFoundPage(c);
  if (session.currentWorkspaceUuid !== workspace.uuid) {
    await chooseWorkspace(database(c.env.DB), session.id, workspace.uuid);
  }
  c.set("workspace", workspace);
  await next();
});
