// The screens of one workspace, under /w/{ws}. requireWorkspace has checked the workspace against the
// session before any of these runs; every read below is scoped to it. A destination's screens are in
// their own routers, mounted below: the form (new, edit, preview) before the pages that take an :id.
import { Hono } from "hono";
import { database } from "../db/client";
import { destinationHealth } from "../deliveries/health";
import { listDestinations } from "../destinations/store";
import { PageQuery, page } from "../http/pagination";
import { activityRoutes } from "./activity-routes";
import { deliveryRoutes } from "./delivery-routes";
import { destinationFormRoutes } from "./destination-form-routes";
import { destinationRoutes } from "./destination-routes";
import { inboxRoutes } from "./inbox-routes";
import { renderPage } from "./layout";
import { requireWorkspace } from "./middleware";
import { recoveryRoutes } from "./recovery-routes";
import { shell } from "./route-helpers";
import { IntegrationsPage } from "./screens/integrations";
import { WebhooksPage } from "./screens/webhooks";
import type { DashboardEnv } from "./types";
import { urls } from "./urls";

const PAGE_SIZE = 20;

export const workspaceRoutes = new Hono<DashboardEnv>();

// `/w/:ws/*` matches `/w/:ws` too.
workspaceRoutes.use("/w/:ws/*", requireWorkspace);

workspaceRoutes.get("/w/:ws", (c) => c.redirect(urls.integrations(c.var.workspace.uuid), 303));

workspaceRoutes.get("/w/:ws/integrations", async (c) => {
  const { workspace } = c.var;
  // One row is enough to know whether webhooks are set up.
  const any = await listDestinations(database(c.env.DB), workspace.uuid, 0);
  return renderPage(c, <IntegrationsPage {...shell(c)} webhooksSetUp={any.length > 0} />);
});

workspaceRoutes.get("/w/:ws/integrations/webhooks", async (c) => {
  const { workspace } = c.var;
  const query = PageQuery.safeParse({ limit: PAGE_SIZE, cursor: c.req.query("cursor") });
  // A cursor we did not make (edited by hand, or from an old link) starts the list over.
  if (!query.success) return c.redirect(urls.webhooks(workspace.uuid), 303);
  const db = database(c.env.DB);
  const rows = await listDestinations(db, workspace.uuid, PAGE_SIZE, query.data.cursor);
  const { data, next_cursor } = page(rows, PAGE_SIZE);
  const health = await destinationHealth(
    db,
    workspace.uuid,
    data.map((d) => d.id),
  );
  return renderPage(
    c,
    <WebhooksPage
      {...shell(c)}
      destinations={data}
      health={health}
      nextCursor={next_cursor}
      paged={query.data.cursor !== undefined}
      deleted={c.req.query("notice") === "deleted"}
    />,
  );
});

workspaceRoutes.route("/", destinationFormRoutes);
workspaceRoutes.route("/", destinationRoutes);
workspaceRoutes.route("/", deliveryRoutes);
workspaceRoutes.route("/", recoveryRoutes);
workspaceRoutes.route("/", activityRoutes);
workspaceRoutes.route("/", inboxRoutes);
