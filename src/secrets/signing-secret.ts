// A destination's signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks' format).
// The HMAC key is the decoded bytes. See docs/signatures.md.
import { base64ToBytes, bytesToBase64 } from "../encoding";

const SECRET_PREFIX = "whsec_";

export function generateSigningSecret(): string {
  return SECRET_PREFIX + bytesToBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** What the API shows after the one-time reveal: enough to tell secrets apart, not to use one. */
export const secretHint = (secret: string) => `${SECRET_PREFIX}…${secret.slice(-4)}`;

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
