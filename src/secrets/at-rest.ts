// Signing secrets at rest: AES-256-GCM under SECRET_ENCRYPTION_KEY. Every ciphertext is bound to where
// it is kept (the additional authenticated data): a destination's secret to the destination's id, a
// dashboard's one-time reveal to its session and destination. A ciphertext copied elsewhere fails to decrypt.
import { base64ToBytes, bytesToBase64 } from "../encoding";

const FORMAT = "v1";
const keys = new Map<string, Promise<CryptoKey>>();

function encryptionKey(encodedKey: string | undefined): Promise<CryptoKey> {
  if (!encodedKey) throw new Error("SECRET_ENCRYPTION_KEY is not set");
  let key = keys.get(encodedKey);
  if (!key) {
    const raw = base64ToBytes(encodedKey);
    if (raw.length !== 32) throw new Error("SECRET_ENCRYPTION_KEY must be base64 of 32 bytes");
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(encodedKey, key);
  }
  return key;
}

/** Encrypts `plaintext` bound to `context`: only the same context decrypts it. */
export async function encryptBound(encodedKey: string, context: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
    await encryptionKey(encodedKey),
    new TextEncoder().encode(plaintext),
  );
  return `${FORMAT}.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(ciphertext))}`;
}

export async function decryptBound(encodedKey: string, context: string, stored: string): Promise<string> {
  const [format, iv, ciphertext] = stored.split(".");
  if (format !== FORMAT || !iv || !ciphertext) throw new Error("unrecognized secret ciphertext format");
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64ToBytes(iv), additionalData: new TextEncoder().encode(context) },
    await encryptionKey(encodedKey),
    base64ToBytes(ciphertext),
  );
  return new TextDecoder().decode(plaintext);
}

const destinationContext = (destinationId: string) => `leadpush.destination:${destinationId}`;

export const encryptSecret = (encodedKey: string, destinationId: string, secret: string) =>
  encryptBound(encodedKey, destinationContext(destinationId), secret);

export const decryptSecret = (encodedKey: string, destinationId: string, stored: string) =>
  decryptBound(encodedKey, destinationContext(destinationId), stored);
