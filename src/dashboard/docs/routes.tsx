// GET /docs: public, like /openapi.json; it reads no session and holds no secret.
import { Hono } from "hono";
import { renderPage } from "../layout";
import type { DashboardEnv } from "../types";
import { urls } from "../urls";
import type { OpenApiDocument } from "./openapi";
import { DocsPage } from "./page";

export function docsRoutes(openApiDocument: () => Promise<unknown>) {
  const router = new Hono<DashboardEnv>();
  router.get(urls.docs, async (c) => {
    const doc = (await openApiDocument()) as OpenApiDocument;
    return renderPage(c, <DocsPage doc={doc} origin={new URL(c.req.url).origin} />);
  });
  return router;
}
