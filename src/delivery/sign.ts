// Standard Webhooks signatures sent as X-Leadpush-Id / -Timestamp / -Signature (DESIGN.md "Signatures").
import { base64ToBytes, bytesToBase64 } from "../secrets/encoding";

export const SIGNATURE_TOLERANCE_SECONDS = 300;
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

type SubtleWithTimingSafeEqual = SubtleCrypto & {
  timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean;
};

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false; // workerd's timingSafeEqual throws on unequal lengths
  const subtle = crypto.subtle as SubtleWithTimingSafeEqual;
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let diff = 0; // outside workerd (e.g. Node), a branch-free XOR loop
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

function decodeSignature(encoded: string): Uint8Array | null {
  try {
    return base64ToBytes(encoded);
  } catch {
    return null;
  }
}

/**
 * Receiver-side check: true when the timestamp is within 5 minutes of now (either way) and any `v1`
 * signature in the header matches any of the secrets.
 */
export async function verifySignature(
  secrets: string[] | string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  if (!headers.id || !/^\d{1,15}$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const candidates: Uint8Array[] = [];
  for (const entry of headers.signature.split(" ")) {
    const [version, encoded] = entry.split(",", 2);
    const decoded = version === "v1" && encoded ? decodeSignature(encoded) : null;
    if (decoded) candidates.push(decoded);
  }
  if (candidates.length === 0) return false;
  const content = signedContent(headers.id, timestamp, body);
  let matched = false;
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    const key = await importSigningKey(secret);
    const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
    // No early exit, so timing does not reveal which candidate matched.
    for (const candidate of candidates) matched = constantTimeEqual(expected, candidate) || matched;
  }
  return matched;
}
