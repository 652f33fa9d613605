// Standard Webhooks signatures, sent as X-Leadpush-Id / -Timestamp / -Signature (docs/signatures.md),
// and the headers Leadpush sets on every delivery.
import type { StoredRequestHeaders } from "../db/history-schema";
import { bytesToBase64 } from "../encoding";
import { secretKeyBytes } from "../secrets/signing-secret";

export const USER_AGENT = "Leadpush-Webhooks/1.0 (+https://leadpush.io/docs/webhooks)";

const encoder = new TextEncoder();

export function importSigningKey(secret: string): Promise<CryptoKey> {
  const algorithm = { name: "HMAC", hash: "SHA-256" };
  return crypto.subtle.importKey("raw", secretKeyBytes(secret), algorithm, false, ["sign", "verify"]);
}

const signedContent = (id: string, timestamp: number, body: string) =>
  encoder.encode(`${id}.${timestamp}.${body}`);

/** `v1,<base64>` per key, space-separated (two during a rotation grace). Pass `""` as body when none is sent. */
export async function signPayload(
  keys: CryptoKey[],
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  if (keys.length === 0) throw new Error("at least one signing key is required");
  if (!Number.isSafeInteger(timestamp)) throw new Error("timestamp must be whole unix seconds");
  const content = signedContent(id, timestamp, body);
  const macs = await Promise.all(keys.map((key) => crypto.subtle.sign("HMAC", key, content)));
  return macs.map((mac) => `v1,${bytesToBase64(new Uint8Array(mac))}`).join(" ");
}

export type DeliveryMeta = { id: string; timestamp: number; eventType: string; signature: string };

/** What attempts record in place of a credential (src/dispatch/attempt.ts). */
export const REDACTED = "[redacted]";

/** The headers Leadpush adds after the rendered ones (`rendered` with its names lower-cased). */
function ownHeaders(rendered: [string, string][], meta: DeliveryMeta): [string, string][] {
  const own: [string, string][] = [];
  if (!rendered.some(([name]) => name === "user-agent")) own.push(["user-agent", USER_AGENT]);
  own.push(
    ["x-leadpush-id", meta.id],
    ["x-leadpush-timestamp", String(meta.timestamp)],
    ["x-leadpush-event", meta.eventType],
    ["x-leadpush-signature", meta.signature],
  );
  return own;
}

/**
 * The rendered headers, in order and with their names lower-cased as HTTP/2 sends them, then those
 * Leadpush sets on every delivery; a user's header never replaces these. A plain list, as the attempt
 * records it.
 */
export function deliveryHeaders(rendered: [string, string][], meta: DeliveryMeta): [string, string][] {
  const headers: [string, string][] = rendered.map(([name, value]) => [name.toLowerCase(), value]);
  headers.push(...ownHeaders(headers, meta));
  return headers;
}

/** The headers of an attempt as it sent them (the signature redacted), from their stored form: what
 * deliveryHeaders added is restored from the delivery and the attempt. */
export function restoredRequestHeaders(
  stored: StoredRequestHeaders,
  meta: Omit<DeliveryMeta, "signature">,
): [string, string][] {
  if (Array.isArray(stored)) return stored;
  return [...stored.rendered, ...ownHeaders(stored.rendered, { ...meta, signature: REDACTED })];
}
