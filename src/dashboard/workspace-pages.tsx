// The screens of one workspace, under /w/{ws}. requireWorkspace has checked the workspace against the
// session before any of these runs; every read below is scoped to it. A destination's screens are in
// their own routers, mounted below. Mounted at /w/:ws.
import { Hono } from "hono";
import { destinationHealth } from "../deliveries/health";
import { listDestinations } from "../destinations/store";
import { HistoryView } from "../history/client";
import { PageQuery, page } from "../http/pagination";
import { activityPages } from "./activity-pages";
import { deliveryPages } from "./delivery-pages";
import { destinationFormPages } from "./destination-form-pages";
import { destinationPages } from "./destination-pages";
import { inboxPages } from "./inbox-pages";
import { requireWorkspace } from "./middleware";
import { recoveryPages } from "./recovery-pages";
import { IntegrationsPage } from "./screens/integrations";
import { WebhooksPage } from "./screens/webhooks";
import type { DashboardEnv } from "./types";
import { urls } from "./urls";

const PAGE_SIZE = 20;

export const workspacePages = new Hono<DashboardEnv>();

// Mounted at /w/:ws: "*" becomes `/w/:ws/*`, which matches `/w/:ws` too.
workspacePages.use("*", requireWorkspace);

workspacePages.get("/", (c) => c.redirect(urls.integrations(c.var.workspace.uuid), 303));

workspacePages.get("/integrations", async (c) => {
  const { workspace } = c.var;
  // One row is enough to know whether webhooks are set up.
  const any = await listDestinations(c.env, workspace.uuid, 0);
  return c.render(<IntegrationsPage webhooksSetUp={any.length > 0} />, {
    title: "Integrations",
    section: "integrations",
  });
});

workspacePages.get("/integrations/webhooks", async (c) => {
  const { workspace } = c.var;
  const query = PageQuery.safeParse({ limit: PAGE_SIZE, cursor: c.req.query("cursor") });
  // A cursor we did not make (edited by hand, or from an old link) starts the list over.
  if (!query.success) return c.redirect(urls.webhooks(workspace.uuid), 303);
  const rows = await listDestinations(c.env, workspace.uuid, PAGE_SIZE, query.data.cursor);
  const { data, next_cursor } = page(rows, PAGE_SIZE);
  const health = await destinationHealth(
    new HistoryView(c.env, workspace.uuid),
    data.map((d) => d.id),
  );
  return c.render(
    <WebhooksPage
      destinations={data}
      health={health}
      nextCursor={next_cursor}
      paged={query.data.cursor !== undefined}
      deleted={c.req.query("notice") === "deleted"}
    />,
    { title: "Webhooks", section: "integrations", sectionPage: false, switchTo: urls.webhooks },
  );
});

// Each router is mounted where its URLs begin (src/dashboard/urls.ts); the parent path's :ws and :id
// reach its handlers as params. The form's fixed paths (new, preview) come before the pages under :id.
const DESTINATIONS = "/integrations/webhooks/destinations";
workspacePages.route(DESTINATIONS, destinationFormPages);
workspacePages.route(DESTINATIONS, destinationPages);
workspacePages.route(`${DESTINATIONS}/:id`, recoveryPages);
workspacePages.route(`${DESTINATIONS}/:id/deliveries/:deliveryId`, deliveryPages);
workspacePages.route("/", activityPages);
workspacePages.route("/inbox", inboxPages);
