// Manual redelivery: the same event to the same destination, as a new delivery with its own attempts,
// made now in the current history partition (the original stays where it was born).
import type { DeliveryRow } from "../db/history-schema";
import { historyStub, queueNewDeliveries } from "../history/client";
import { partitionOfId, partitionOfName } from "../history/ids";
import { addDeliveriesOf, type FoundEvent } from "./store";

/** The event a delivery was made of, from the partition that holds the delivery (its original, if a copy). */
async function eventOf(env: Env, original: DeliveryRow): Promise<FoundEvent | null> {
  const here = partitionOfId(original.workspaceUuid, original.id);
  if (!here) return null;
  const row = await historyStub(env, here).event(here, original.eventId);
  if (!row?.copyOf) return row && { partition: here, row };
  const home = partitionOfName(row.copyOf);
  const first = home && (await historyStub(env, home).event(home, original.eventId));
  return home && first ? { partition: home, row: first } : { partition: here, row };
}

export async function redeliver(env: Env, original: DeliveryRow): Promise<DeliveryRow | null> {
  const event = await eventOf(env, original);
  if (!event) return null;
  const [row] = await addDeliveriesOf(env, event, [original.destinationId]);
  if (!row) return null;
  await queueNewDeliveries(env, [row]);
  return row;
}
