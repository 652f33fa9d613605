// The dashboard's own refusals and failures, each as one call: the status and the page together, in the
// message pages' frame. Used by the middleware, the routers and the error handler alike.
import type { Context } from "hono";
import { CrossSiteRefusedPage, MESSAGE_TITLES, NotFoundPage, ServerErrorPage } from "./screens/messages";
import type { DashboardEnv } from "./types";

type DashboardContext = Context<DashboardEnv>;

const title = (name: string) => `${name} · Leadpush`;

/** 404: also the answer for another workspace's page, so existence is never confirmed. */
export function notFoundPage(c: DashboardContext) {
  c.status(404);
  return c.render(<NotFoundPage />, { title: title(MESSAGE_TITLES.notFound) });
}

export function refusedPage(c: DashboardContext, reason: string) {
  c.status(403);
  return c.render(<CrossSiteRefusedPage reason={reason} />, { title: title(MESSAGE_TITLES.refused) });
}

export function serverErrorPage(c: DashboardContext) {
  c.status(500);
  return c.render(<ServerErrorPage />, { title: title(MESSAGE_TITLES.serverError) });
}
