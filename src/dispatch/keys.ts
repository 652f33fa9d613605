// Signing keys for a destination: the current secret, plus the previous one during a rotation grace.
// Imported keys are cached by ciphertext (a new secret is a new ciphertext), so a busy destination
// decrypts and imports once, not once per delivery.

import { importSigningKey } from "../rules/signature";
import { decryptSecret } from "../secrets/at-rest";

const cache = new Map<string, Promise<CryptoKey>>();
const CACHE_LIMIT = 1000;

function keyFor(encodedKey: string, destinationId: string, ciphertext: string): Promise<CryptoKey> {
  let key = cache.get(ciphertext);
  if (!key) {
    key = decryptSecret(encodedKey, destinationId, ciphertext).then(importSigningKey);
    key.catch(() => cache.delete(ciphertext));
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(ciphertext, key);
  }
  return key;
}

export function signingKeysFor(
  env: Env,
  destination: {
    destinationId: string;
    secretCiphertext: string;
    previousSecretCiphertext: string | null;
    previousSecretExpiresAt: number | null;
  },
  now = Date.now(),
): Promise<CryptoKey[]> {
  const ciphertexts = [destination.secretCiphertext];
  const previous = destination.previousSecretCiphertext;
  if (previous && (destination.previousSecretExpiresAt ?? 0) > now) ciphertexts.push(previous);
  return Promise.all(ciphertexts.map((c) => keyFor(env.SECRET_ENCRYPTION_KEY, destination.destinationId, c)));
}
