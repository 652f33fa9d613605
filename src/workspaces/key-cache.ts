// API keys recently seen valid, per isolate: a workspace request costs no D1 round trip for its key.
// The price is a bound on revocation: another isolate may accept a revoked key for up to KEY_CACHE_TTL_MS
// after its last lookup; the isolate that revoked it forgets it at once. Only a key's SHA-256 is kept.

import type { Database } from "../db/client";
import { KEY_CACHE_TTL_MS } from "../limits";
import { type ActiveKey, findActiveKeyByHash, hashApiKey } from "./store";

const MAX_ENTRIES = 10_000;

const cache = new Map<string, { key: ActiveKey; expiresAt: number }>();

/** The active key behind a bearer token, from this isolate's cache when it was looked up recently. */
export async function lookupActiveKey(
  db: Database,
  token: string,
  now = Date.now(),
): Promise<ActiveKey | null> {
  const hash = await hashApiKey(token);
  const hit = cache.get(hash);
  if (hit && hit.expiresAt > now) return hit.key;
  cache.delete(hash);
  const key = await findActiveKeyByHash(db, hash);
  // Invalid keys are not cached: they always cost a lookup, and can never crowd out valid ones.
  if (key) {
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(hash, { key, expiresAt: now + KEY_CACHE_TTL_MS });
  }
  return key;
}

/** Drops a revoked key from this isolate's cache. */
export function forgetKey(id: string): void {
  for (const [hash, entry] of cache) if (entry.key.id === id) cache.delete(hash);
}
