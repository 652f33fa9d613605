// GET /docs and /docs/troubleshooting: public, like /openapi.json; they read no session and hold no secret.
import { Hono } from "hono";
import { assetPath } from "../assets";
import type { DashboardEnv } from "../types";
import { urls } from "../urls";
import type { OpenApiDocument } from "./openapi";
import { DocsPage } from "./page";
import { TroubleshootingPage } from "./troubleshooting";

export function docsRoutes(openApiDocument: () => Promise<unknown>) {
  const router = new Hono<DashboardEnv>();
  router.get(urls.docs, async (c) => {
    const doc = (await openApiDocument()) as OpenApiDocument;
    return c.render(<DocsPage doc={doc} origin={new URL(c.req.url).origin} />, {
      title: `API reference · ${doc.info?.title ?? "Leadpush"}`,
      scripts: [assetPath("docsJs")],
    });
  });
  // The one page with no script at all.
  router.get(urls.troubleshooting(), (c) =>
    c.render(<TroubleshootingPage />, { title: "Troubleshooting · Leadpush", scripts: [] }),
  );
  return router;
}
