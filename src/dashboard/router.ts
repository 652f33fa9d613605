// The dashboard and the API reference, served by the same worker as the API: sign-in at /, the
// workspace screens under /w/{ws}, /docs, and /assets. Middleware is registered per path family so
// it never runs for the API's /v1 routes.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { notFoundPage, serverErrorPage } from "./answers";
import { serveAssets } from "./assets";
import { authPages } from "./auth-pages";
import { docsRoutes } from "./docs/routes";
import { pageRenderer } from "./layout";
import { refuseCrossSite, securityHeaders, withSession } from "./middleware";
import type { DashboardEnv } from "./types";
import { urls } from "./urls";
import { workspacePages } from "./workspace-pages";

// Dashboard forms are small; the largest (a destination, in phase 2) is the API's 256 KiB at most.
const MAX_FORM_BYTES = 256 * 1024;

/** `openApiDocument` gives the document /openapi.json serves, so /docs renders the same one. */
export function dashboardRoutes(openApiDocument: () => Promise<unknown>) {
  const router = new Hono<DashboardEnv>();
  const pages = [urls.home, urls.signIn, urls.signOut, "/w/*"];

  // Every path family gets the renderer first, so even a failure in later middleware has its page.
  router.use("/assets/*", securityHeaders, pageRenderer);
  serveAssets(router);
  router.use(`${urls.docs}/*`, securityHeaders, pageRenderer);
  router.route("/", docsRoutes(openApiDocument));

  for (const path of pages) {
    router.use(
      path,
      securityHeaders,
      pageRenderer,
      bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text("The form is too large.", 413) }),
      withSession,
      refuseCrossSite,
    );
  }
  router.route("/", authPages);
  router.route("/w/:ws", workspacePages);

  // Anything else under the dashboard's paths is a 404 in the dashboard's look.
  for (const path of ["/w/*", "/assets/*", `${urls.docs}/*`]) {
    router.all(path, notFoundPage);
  }
  router.onError((error, c) => {
    // The message only: a stack or a form body could carry a key.
    console.error("dashboard error", error instanceof Error ? error.message : String(error));
    return serverErrorPage(c);
  });
  return router;
}
