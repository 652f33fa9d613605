import type { Context } from "hono";
import type { Session, SessionWorkspace } from "./session";

/** What the dashboard's middleware hands each handler. */
export type DashboardEnv = {
  Bindings: Env;
  Variables: {
    /** The live session, or null when signed out. */
    session: Session | null;
    /** The CSRF token every form on this page must carry; null when there is nothing to bind it to. */
    csrf: string | null;
    /** The workspace named in the URL, checked against the session (routes under /w/:ws only). */
    workspace: SessionWorkspace;
  };
};

/** A dashboard handler's context. */
export type DashboardContext = Context<DashboardEnv>;
