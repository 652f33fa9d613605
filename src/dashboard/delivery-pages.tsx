// One delivery of a destination, with its attempts, and Redeliver. The delivery must belong to the
// destination in the URL, and the destination to the URL's workspace; anything else is a 404.
// Mounted at /w/:ws/integrations/webhooks/destinations/:id/deliveries/:deliveryId.

import { Hono } from "hono";
import { attemptJson, deliveryJson } from "../deliveries/schema";
import { findDeliveryWithAttempts } from "../deliveries/store";
import { requestRedelivery } from "../destinations/manual-deliveries";
import { notFoundPage } from "./answers";
import { deliveryIdOf, destinationOf } from "./lookups";
import { DELIVERY_NOTICES, type DeliveryNotice, DeliveryPage } from "./screens/delivery";
import type { DashboardContext, DashboardEnv } from "./types";
import { urls } from "./urls";

// While an attempt is due this soon, the page looks again by itself.
const REFRESH_WINDOW_MS = 15_000;

async function loadDelivery(c: DashboardContext) {
  const destination = await destinationOf(c);
  const deliveryId = deliveryIdOf(c);
  if (!destination || !deliveryId) return null;
  const found = await findDeliveryWithAttempts(c.env, c.var.workspace.uuid, deliveryId, destination.id);
  if (!found || found.delivery.destinationId !== destination.id) return null;
  return { destination, delivery: found.delivery, attempts: found.attempts };
}

type Loaded = NonNullable<Awaited<ReturnType<typeof loadDelivery>>>;
type Extra = { notice?: DeliveryNotice; alert?: string };

function deliveryPage(c: DashboardContext, loaded: Loaded, extra: Extra, status: 200 | 409 = 200) {
  const { delivery } = loaded;
  const due = delivery.nextAttemptAt ?? delivery.laneDueAt;
  const refresh = delivery.status === "pending" && due !== null && due - Date.now() < REFRESH_WINDOW_MS;
  c.status(status);
  return c.render(
    <DeliveryPage
      destination={loaded.destination}
      delivery={deliveryJson(delivery)}
      attempts={loaded.attempts.map((a) => attemptJson(a, delivery.eventType))}
      refresh={refresh}
      {...extra}
    />,
    { title: `Delivery ${delivery.id}`, section: "integrations", sectionPage: false },
  );
}

export const deliveryPages = new Hono<DashboardEnv>();

deliveryPages.get("/", async (c) => {
  const loaded = await loadDelivery(c);
  if (!loaded) return notFoundPage(c);
  const notice = c.req.query("notice");
  const known = notice && notice in DELIVERY_NOTICES ? (notice as DeliveryNotice) : undefined;
  return deliveryPage(c, loaded, { notice: known });
});

deliveryPages.post("/redeliver", async (c) => {
  const loaded = await loadDelivery(c);
  if (!loaded) return notFoundPage(c);
  const sent = await requestRedelivery(c.env, c.var.workspace.uuid, loaded.delivery.id);
  if (sent.outcome === "not_found") return notFoundPage(c);
  if (sent.outcome === "disabled") {
    const why = sent.reason ? ` ${sent.reason}` : "";
    const alert = `Nothing was sent: this destination is disabled.${why} Enable it on the destination's page first, then redeliver.`;
    return deliveryPage(c, loaded, { alert }, 409);
  }
  const ws = c.var.workspace.uuid;
  return c.redirect(`${urls.delivery(ws, loaded.destination.id, sent.delivery.id)}?notice=redelivered`, 303);
});
