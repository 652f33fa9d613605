// Manual redelivery: the same event to the same destination, as a new delivery with its own attempts.
import type { Database } from "../db/client";
import type { DeliveryRow } from "../db/schema";
import type { DeliveryMessage } from "../queue";
import { queueNewDeliveries } from "../queue";
import { insertDelivery, newDeliveryRow } from "./store";

export async function redeliver(
  db: Database,
  queue: Queue<DeliveryMessage>,
  original: DeliveryRow,
): Promise<DeliveryRow> {
  const row = newDeliveryRow(
    original.workspaceUuid,
    original.destinationId,
    original.eventId,
    original.eventType,
  );
  await insertDelivery(db, row);
  await queueNewDeliveries(db, queue, [row.id]);
  return row;
}
