// Deliveries a person asks for: a test of a destination, and sending a delivery's event again. Both
// refuse a disabled destination (docs/destinations.md); the API answers that with 409 and the
// dashboard with a message beside the button, from this one check.
import { database } from "../db/client";
import type { DeliveryRow } from "../db/history-schema";
import { findDelivery } from "../deliveries/store";
import { sendTestDelivery } from "../events/ingest";
import { redeliver } from "../events/redeliver";
import { findDestination } from "./store";

export type ManualDelivery =
  | { outcome: "queued"; delivery: DeliveryRow }
  | { outcome: "not_found" }
  /** `reason` is why it was disabled, when Leadpush disabled it (e.g. a 410 Gone). */
  | { outcome: "disabled"; reason: string | null };

/** A `webhook.test` delivery with the sample contact, queued like any other. */
export async function requestTestDelivery(
  env: Env,
  workspaceUuid: string,
  destinationId: string,
): Promise<ManualDelivery> {
  const db = database(env.DB);
  const found = await findDestination(db, workspaceUuid, destinationId);
  if (!found) return { outcome: "not_found" };
  if (!found.row.enabled) return { outcome: "disabled", reason: found.row.disabledReason };
  const delivery = await sendTestDelivery(env, workspaceUuid, found.row.id);
  return { outcome: "queued", delivery };
}

/** The same event to the same destination, as a new delivery with its own id and attempts. */
export async function requestRedelivery(
  env: Env,
  workspaceUuid: string,
  deliveryId: string,
): Promise<ManualDelivery> {
  const original = await findDelivery(env, workspaceUuid, deliveryId);
  if (!original) return { outcome: "not_found" };
  const destination = await findDestination(database(env.DB), workspaceUuid, original.destinationId);
  if (!destination) return { outcome: "not_found" };
  if (!destination.row.enabled) return { outcome: "disabled", reason: destination.row.disabledReason };
  const delivery = await redeliver(env, original);
  return delivery ? { outcome: "queued", delivery } : { outcome: "not_found" };
}
