// GET /docs and /docs/troubleshooting: public, like /openapi.json; they read no session and hold no secret.
import { Hono } from "hono";
import { renderPage } from "../layout";
import type { DashboardEnv } from "../types";
import { urls } from "../urls";
import type { OpenApiDocument } from "./openapi";
import { DocsPage } from "./page";
import { TroubleshootingPage } from "./troubleshooting";

export function docsRoutes(openApiDocument: () => Promise<unknown>) {
  const router = new Hono<DashboardEnv>();
  router.get(urls.docs, async (c) => {
    const doc = (await openApiDocument()) as OpenApiDocument;
    return renderPage(c, <DocsPage doc={doc} origin={new URL(c.req.url).origin} />);
  });
  router.get(urls.troubleshooting(), (c) => renderPage(c, <TroubleshootingPage />));
  return router;
}
