// Standard Webhooks signatures, sent as X-Leadpush-Id / -Timestamp / -Signature (docs/signatures.md),
// and the headers Leadpush sets on every delivery.
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

/**
 * The rendered headers plus those Leadpush sets on every delivery, names lower-cased as HTTP/2 sends
 * them; a user's header never replaces these. A plain list: fetch takes it as it is, and building a
 * Headers object first would cost a crossing into the runtime per header.
 */
export function deliveryHeaders(rendered: [string, string][], meta: DeliveryMeta): [string, string][] {
  const headers: [string, string][] = rendered.map(([name, value]) => [name.toLowerCase(), value]);
  if (!headers.some(([name]) => name === "user-agent")) headers.push(["user-agent", USER_AGENT]);
  headers.push(
    ["x-leadpush-id", meta.id],
    ["x-leadpush-timestamp", String(meta.timestamp)],
    ["x-leadpush-event", meta.eventType],
    ["x-leadpush-signature", meta.signature],
  );
  return headers;
}
