// Workspaces and their API keys in D1. A key is shown once, when issued; only its SHA-256 is stored.
import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "../db/client";
import { apiKeys, workspaces } from "../db/schema";
import { bytesToBase64Url, sha256Hex } from "../encoding";
import { newId } from "../ids";

export const API_KEY_PREFIX = "lpk_";

const generateApiKey = () => API_KEY_PREFIX + bytesToBase64Url(crypto.getRandomValues(new Uint8Array(32)));

// Keys are 256-bit random, so a fast hash is enough and the lookup stays one index probe.
export const hashApiKey = (key: string) => sha256Hex(key);

async function newKeyRow(workspaceUuid: string) {
  const key = generateApiKey();
  const row = { id: newId("key"), workspaceUuid, keyHash: await hashApiKey(key), createdAt: Date.now() };
  return { row, key };
}

/** A new workspace and its first API key, in one transaction. */
export async function createWorkspace(db: Database, name: string) {
  const uuid = crypto.randomUUID();
  const { row, key } = await newKeyRow(uuid);
  await db.batch([
    db.insert(workspaces).values({ uuid, name, createdAt: Date.now() }),
    db.insert(apiKeys).values(row),
  ]);
  return { uuid, name, apiKey: key };
}

/** Another key for a workspace; null when the workspace does not exist. */
export async function issueApiKey(db: Database, workspaceUuid: string) {
  const exists = await db
    .select({ uuid: workspaces.uuid })
    .from(workspaces)
    .where(eq(workspaces.uuid, workspaceUuid))
    .get();
  if (!exists) return null;
  const { row, key } = await newKeyRow(workspaceUuid);
  await db.insert(apiKeys).values(row);
  return { id: row.id, apiKey: key };
}

/** Revokes a key of the workspace; false when there is no such active key. */
export async function revokeApiKey(db: Database, workspaceUuid: string, id: string): Promise<boolean> {
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: Date.now() })
    .where(and(eq(apiKeys.workspaceUuid, workspaceUuid), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return revoked.length === 1;
}

export type ActiveKey = { id: string; workspaceUuid: string };

/** The active (not revoked) key with this SHA-256, or null. Callers go through key-cache.ts. */
export async function findActiveKeyByHash(db: Database, keyHash: string): Promise<ActiveKey | null> {
  const found = await db
    .select({ id: apiKeys.id, workspaceUuid: apiKeys.workspaceUuid })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .get();
  return found ?? null;
}
