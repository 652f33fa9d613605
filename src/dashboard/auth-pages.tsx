// GET / and /sign-in, POST /sign-in and /sign-out. The API key travels only in the body of a POST:
// never in a URL, never rendered back, never logged.
import type { Context } from "hono";
import { Hono } from "hono";
import { database } from "../db/client";
import { SignInPage, signInTitle } from "./screens/sign-in";
import {
  clearSessionCookie,
  clearSignInCookie,
  csrfTokenFor,
  ensureSignInCookie,
  setSessionCookie,
} from "./security";
import { addWorkspace, createSession, findApiKey, revokeSession, type Session } from "./session";
import type { DashboardEnv } from "./types";
import { urls } from "./urls";

type DashboardContext = Context<DashboardEnv>;

const REFUSED_KEY = "That API key is not valid, or it has been revoked. Check the key and try again.";
const MISSING_KEY = "Enter a workspace API key.";

/** The workspace GET / opens: the one last chosen, while the session still holds it. */
function currentWorkspace(session: Session): string | undefined {
  const held = session.workspaces.find((w) => w.uuid === session.currentWorkspaceUuid);
  return (held ?? session.workspaces[0])?.uuid;
}

/** The sign-in form; signed out, its CSRF token is bound to a pre-session cookie set here. */
async function signInPage(c: DashboardContext, adding: boolean) {
  if (!c.var.csrf) c.set("csrf", await csrfTokenFor(ensureSignInCookie(c)));
  return c.render(<SignInPage adding={adding} />, { title: signInTitle(adding) });
}

export const authPages = new Hono<DashboardEnv>();

authPages.get(urls.home, async (c) => {
  const session = c.var.session;
  const ws = session && currentWorkspace(session);
  if (ws) return c.redirect(urls.integrations(ws), 303);
  return signInPage(c, false);
});

authPages.get(urls.signIn, (c) => signInPage(c, c.var.session !== null));

authPages.post(urls.signIn, async (c) => {
  const form = await c.req.parseBody();
  const key = typeof form.api_key === "string" ? form.api_key.trim() : "";
  const db = database(c.env.DB);
  const found = key ? await findApiKey(db, key) : null;
  const session = c.var.session;
  if (!found) {
    const error = key ? REFUSED_KEY : MISSING_KEY;
    const adding = session !== null;
    c.status(401);
    return c.render(<SignInPage adding={adding} error={error} />, { title: signInTitle(adding) });
  }
  const proof = { workspaceUuid: found.workspaceUuid, apiKeyId: found.id };
  if (session) {
    setSessionCookie(c, await addWorkspace(db, session.id, proof), session.expiresAt);
  } else {
    const created = await createSession(db, proof);
    setSessionCookie(c, created.token, created.expiresAt);
    clearSignInCookie(c);
  }
  return c.redirect(urls.integrations(found.workspaceUuid), 303);
});

authPages.post(urls.signOut, async (c) => {
  const session = c.var.session;
  if (session) await revokeSession(database(c.env.DB), session.id);
  clearSessionCookie(c);
  return c.redirect(urls.home, 303);
});
