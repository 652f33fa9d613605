// A destination's page and its actions. Each action goes through the module the API route uses:
// patchDestination (enable, disable), the workspace's coordinator (rotate), requestTestDelivery (test),
// deleteDestination (delete). A success redirects (303); a refusal renders the page with the reason.
// Mounted at /w/:ws/integrations/webhooks/destinations.

import { Hono } from "hono";
import { configOf } from "../config";
import { DELIVERY_STATUSES, type DeliveryStatus } from "../db/history-schema";
import { deliveryJson } from "../deliveries/schema";
import { listDeliveries } from "../deliveries/store";
import { requestTestDelivery } from "../destinations/manual-deliveries";
import { patchDestination } from "../destinations/save";
import { type DestinationJson, RotateSecretRequest } from "../destinations/schema";
import { deleteDestination } from "../destinations/store";
import { HistoryView } from "../history/client";
import { PageQuery, page } from "../http/pagination";
import { listActivity } from "../lifecycle/activity";
import { runningRecovery } from "../lifecycle/recovery";
import { rotateDestinationSecret } from "../workspaces/rotation";
import { notFoundPage } from "./answers";
import { destinationOf, sessionId } from "./lookups";
import { keepForReveal, takeReveal } from "./reveals";
import { DeleteDestinationPage } from "./screens/delete-destination";
import {
  DESTINATION_NOTICES,
  type DestinationNotice,
  DestinationPage,
  type DestinationPageProps,
} from "./screens/destination";
import type { DashboardContext, DashboardEnv } from "./types";
import { urls } from "./urls";

const HISTORY_PAGE = 20;
// Its latest operational events; the rest are on the Activity page.
const ACTIVITY_SHOWN = 5;

// A destination's screens sit under Integrations, below its own page.
const destinationFrame = { section: "integrations", sectionPage: false } as const;

type PageExtra = Pick<DestinationPageProps, "reveal" | "notice" | "alert" | "rotateError" | "recoverSince">;

const statusOf = (value: string | undefined) =>
  DELIVERY_STATUSES.find((status) => status === value) as DeliveryStatus | undefined;

/** The page, with the history page the URL asks for (a cursor we did not make starts over). */
async function destinationPage(
  c: DashboardContext,
  destination: DestinationJson,
  extra: PageExtra,
  status: 200 | 400 | 409 = 200,
) {
  const filter = statusOf(c.req.query("status"));
  const query = PageQuery.safeParse({ limit: HISTORY_PAGE, cursor: c.req.query("cursor") });
  const cursor = query.success ? query.data.cursor : undefined;
  const ws = c.var.workspace.uuid;
  const view = new HistoryView(c.env, ws);
  const [rows, running, activity] = await Promise.all([
    listDeliveries(view, destination.id, HISTORY_PAGE, {
      before: cursor,
      status: filter ? [filter] : undefined,
    }),
    runningRecovery(c.env, ws, destination.id),
    listActivity(view, { limit: ACTIVITY_SHOWN, destinationId: destination.id }),
  ]);
  const { data, next_cursor } = page(rows, HISTORY_PAGE);
  const history = {
    deliveries: data.map(deliveryJson),
    status: filter,
    nextCursor: next_cursor,
    paged: cursor !== undefined,
    retentionDays: configOf(c.env).retentionDays,
  };
  const disablesAt = destination.failing_since
    ? new Date(Date.parse(destination.failing_since) + configOf(c.env).autoDisableAfterMs).toISOString()
    : null;
  const recovery = running && { id: running.id, sent: running.sent, total: running.total };
  const props = { destination, history, disablesAt, recovery, activity, ...extra };
  c.status(status);
  return c.render(<DestinationPage {...props} />, { ...destinationFrame, title: destination.name });
}

export const destinationPages = new Hono<DashboardEnv>();

// The list of destinations is the Webhooks page's Destinations tab.
destinationPages.get("/", (c) => c.redirect(urls.webhooks(c.var.workspace.uuid), 303));

destinationPages.get("/:id", async (c) => {
  const destination = await destinationOf(c);
  if (!destination) return notFoundPage(c);
  // Shown once: taking it deletes it, so a reload, the back button or another tab finds nothing.
  const reveal = await takeReveal(c.env, sessionId(c), destination.id);
  const notice = c.req.query("notice");
  const known = notice && notice in DESTINATION_NOTICES ? (notice as DestinationNotice) : undefined;
  const since = c.req.query("since");
  const recoverSince = known === "enabled" && since && !Number.isNaN(Date.parse(since)) ? since : undefined;
  return destinationPage(c, destination, { reveal, notice: known, recoverSince });
});

for (const [action, enabled] of [
  ["enable", true],
  ["disable", false],
] as const) {
  destinationPages.post(`/:id/${action}`, async (c) => {
    const destination = await destinationOf(c);
    if (!destination) return notFoundPage(c);
    const updated = await patchDestination(c.env, c.var.workspace.uuid, destination.id, { enabled });
    if (!updated) return notFoundPage(c);
    const page = `${urls.destination(c.var.workspace.uuid, destination.id)}?notice=${action}d`;
    // Re-enabled: offer to recover what was skipped while it was off, from when it began to fail (an
    // automatic disable) or over the last day.
    const since = destination.failing_since ?? new Date(Date.now() - 86_400_000).toISOString();
    const wasOff = enabled && !destination.enabled;
    return c.redirect(wasOff ? `${page}&since=${encodeURIComponent(since)}` : page, 303);
  });
}

destinationPages.post("/:id/rotate", async (c) => {
  const destination = await destinationOf(c);
  if (!destination) return notFoundPage(c);
  const chosen = (await c.req.formData()).get("grace_seconds");
  // The API's own rule (0 to 7 days, whole seconds); a blank choice is not "none".
  const seconds = typeof chosen === "string" && chosen.trim() !== "" ? Number(chosen) : Number.NaN;
  const grace = RotateSecretRequest.safeParse({ grace_seconds: seconds });
  if (!grace.success) {
    const rotateError = "Choose a grace period from the list: none, or up to 7 days.";
    return destinationPage(c, destination, { rotateError }, 400);
  }
  const ws = c.var.workspace.uuid;
  const rotated = await rotateDestinationSecret(c.env, ws, destination.id, grace.data.grace_seconds);
  if (!rotated) return notFoundPage(c);
  await keepForReveal(c.env, sessionId(c), destination.id, { reason: "rotated", secret: rotated.secret });
  return c.redirect(urls.destination(ws, destination.id), 303);
});

destinationPages.post("/:id/test", async (c) => {
  const destination = await destinationOf(c);
  if (!destination) return notFoundPage(c);
  const ws = c.var.workspace.uuid;
  const sent = await requestTestDelivery(c.env, ws, destination.id);
  if (sent.outcome === "not_found") return notFoundPage(c);
  if (sent.outcome === "disabled") {
    const why = sent.reason ? ` ${sent.reason}` : "";
    const alert = `No test was sent: this destination is disabled.${why} Enable it first, then send a test.`;
    return destinationPage(c, destination, { alert }, 409);
  }
  return c.redirect(`${urls.delivery(ws, destination.id, sent.delivery.id)}?notice=test`, 303);
});

destinationPages.get("/:id/delete", async (c) => {
  const destination = await destinationOf(c);
  if (!destination) return notFoundPage(c);
  return c.render(<DeleteDestinationPage destination={destination} />, {
    ...destinationFrame,
    title: `Delete ${destination.name}`,
  });
});

destinationPages.post("/:id/delete", async (c) => {
  const destination = await destinationOf(c);
  if (!destination || !(await deleteDestination(c.env, c.var.workspace.uuid, destination.id))) {
    return notFoundPage(c);
  }
  return c.redirect(`${urls.webhooks(c.var.workspace.uuid)}?notice=deleted`, 303);
});
