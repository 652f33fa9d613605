// Standard Webhooks signatures sent as X-Leadpush-Id / -Timestamp / -Signature (DESIGN.md "Signatures").
import { base64ToBytes, bytesToBase64 } from "../secrets/encoding";

const SECRET_PREFIX = "whsec_";
const encoder = new TextEncoder();

export function generateSigningSecret(): string {
  return SECRET_PREFIX + bytesToBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** The HMAC key: the base64 after `whsec_` (a bare base64 secret is accepted too, as the reference libraries do). */
export function secretKeyBytes(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = base64ToBytes(encoded);
  } catch {
    throw new Error("signing secret is not valid base64");
  }
  if (bytes.length === 0) throw new Error("signing secret is empty");
  return bytes;
}

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
