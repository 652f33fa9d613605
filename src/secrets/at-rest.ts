// Signing secrets at rest: AES-256-GCM under SECRET_ENCRYPTION_KEY. The destination id is the
// additional authenticated data, so a ciphertext copied onto another row fails to decrypt.
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

const associatedData = (destinationId: string) =>
  new TextEncoder().encode(`leadpush.destination:${destinationId}`);

export async function encryptSecret(
  encodedKey: string,
  destinationId: string,
  secret: string,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: associatedData(destinationId) },
    await encryptionKey(encodedKey),
    new TextEncoder().encode(secret),
  );
  return `${FORMAT}.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(ciphertext))}`;
}

export async function decryptSecret(
  encodedKey: string,
  destinationId: string,
  stored: string,
): Promise<string> {
  const [format, iv, ciphertext] = stored.split(".");
  if (format !== FORMAT || !iv || !ciphertext) throw new Error("unrecognized secret ciphertext format");
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64ToBytes(iv), additionalData: associatedData(destinationId) },
    await encryptionKey(encodedKey),
    base64ToBytes(ciphertext),
  );
  return new TextDecoder().decode(plaintext);
}
