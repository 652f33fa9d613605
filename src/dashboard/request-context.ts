// What a page knows about its request while it renders: the session, the workspace, the CSRF token and
// the development tools, read from the request context jsxRenderer provides (so no screen passes them
// down as props). Only pages rendered with c.render() may call these; fragments sent with c.html() do not.
import { useRequestContext } from "hono/jsx-renderer";
import { configOf } from "../config";
import type { Session, SessionWorkspace } from "./session";
import type { DashboardEnv } from "./types";

const useDashboard = () => useRequestContext<DashboardEnv>();

/** The live session; null when signed out, or when the request failed before the session was read. */
export const useSession = (): Session | null => useDashboard().var.session ?? null;

/** The URL's workspace, checked against the session (screens under /w/:ws only). */
export function useWorkspace(): SessionWorkspace {
  const workspace = useDashboard().var.workspace;
  if (!workspace) throw new Error("useWorkspace outside /w/:ws: requireWorkspace sets it");
  return workspace;
}

/** The token this page's forms carry; null when there is nothing to bind it to. */
export const useCsrfToken = (): string | null => useDashboard().var.csrf ?? null;

/** In development (configOf(env).devTools), the origin the local inbox is reached at; null in production,
 * where no screen shows the inbox or a way to it. */
export function useDevTools(): { origin: string } | null {
  const c = useDashboard();
  return configOf(c.env).devTools ? { origin: new URL(c.req.url).origin } : null;
}
