// The consumer's one read per batch: each message's delivery with its destination and event. One round
// trip of three statements, so a destination or an event that many deliveries of the batch share (a
// fan-out) crosses from D1 once, not once per delivery. Hand-written SQL, mapped here: drizzle's
// generic row mapping cost ~20 µs per delivery.
import type { Database } from "../db/client";
import type { DeliveryRow, DestinationRow } from "../db/schema";

type Destination = Pick<
  DestinationRow,
  | "enabled"
  | "method"
  | "urlTemplate"
  | "headersTemplate"
  | "queryTemplate"
  | "bodyTemplate"
  | "timeoutSeconds"
  | "secretCiphertext"
  | "previousSecretCiphertext"
  | "previousSecretExpiresAt"
  | "rateLimitPerSecond"
  | "sendPath"
  | "consecutiveFailures"
  | "failuresSince"
>;

/** What the consumer reads of a delivery row. */
type StoredDelivery = Pick<
  DeliveryRow,
  | "id"
  | "workspaceUuid"
  | "eventId"
  | "status"
  | "attemptsMade"
  | "eventType"
  | "destinationId"
  | "nextAttemptAt"
>;

export type LoadedDelivery = StoredDelivery & Destination & { payload: string };

/** Binds: ?1 the delivery ids as a JSON array (for all three). */
const BATCH = `SELECT value AS id FROM json_each(?1)`;
export const LOAD_DELIVERIES_SQL = `
  SELECT id, workspace_uuid AS workspaceUuid, event_id AS eventId, status, attempts_made AS attemptsMade,
         event_type AS eventType, destination_id AS destinationId, next_attempt_at AS nextAttemptAt
  FROM deliveries WHERE id IN (${BATCH})`;
export const LOAD_DESTINATIONS_SQL = `
  SELECT id, enabled, method, url_template AS urlTemplate, headers_template AS headersTemplate,
         query_template AS queryTemplate, body_template AS bodyTemplate, timeout_seconds AS timeoutSeconds,
         secret_ciphertext AS secretCiphertext, previous_secret_ciphertext AS previousSecretCiphertext,
         previous_secret_expires_at AS previousSecretExpiresAt, rate_limit_per_second AS rateLimitPerSecond,
         send_path AS sendPath, consecutive_failures AS consecutiveFailures, failures_since AS failuresSince
  FROM destinations WHERE id IN (SELECT destination_id FROM deliveries WHERE id IN (${BATCH}))`;
export const LOAD_EVENTS_SQL = `
  SELECT workspace_uuid AS workspaceUuid, id, payload FROM events
  WHERE (workspace_uuid, id) IN (SELECT workspace_uuid, event_id FROM deliveries WHERE id IN (${BATCH}))`;

type StoredDestination = Omit<Destination, "enabled" | "headersTemplate" | "queryTemplate"> & {
  id: string;
  enabled: number;
  headersTemplate: string;
  queryTemplate: string;
};
type StoredEvent = { workspaceUuid: string; id: string; payload: string };

/** The batch's deliveries that still exist, each with its destination and event. */
export async function loadDeliveries(db: Database, ids: string[]): Promise<LoadedDelivery[]> {
  const d1 = db.$client;
  const json = JSON.stringify(ids);
  const [found, targets, events] = await d1.batch<StoredDelivery | StoredDestination | StoredEvent>([
    d1.prepare(LOAD_DELIVERIES_SQL).bind(json),
    d1.prepare(LOAD_DESTINATIONS_SQL).bind(json),
    d1.prepare(LOAD_EVENTS_SQL).bind(json),
  ]);
  const destinations = new Map<string, Destination>();
  for (const row of (targets?.results ?? []) as StoredDestination[]) {
    const { id, enabled, headersTemplate, queryTemplate, ...rest } = row;
    destinations.set(id, {
      ...rest,
      enabled: enabled === 1,
      headersTemplate: JSON.parse(headersTemplate),
      queryTemplate: JSON.parse(queryTemplate),
    });
  }
  const payloads = new Map<string, string>();
  for (const row of (events?.results ?? []) as StoredEvent[])
    payloads.set(`${row.workspaceUuid} ${row.id}`, row.payload);
  const loaded: LoadedDelivery[] = [];
  for (const row of (found?.results ?? []) as StoredDelivery[]) {
    const destination = destinations.get(row.destinationId);
    const payload = payloads.get(`${row.workspaceUuid} ${row.eventId}`);
    if (destination && payload !== undefined) loaded.push({ ...row, ...destination, payload });
  }
  return loaded;
}
