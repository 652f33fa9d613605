// Dashboard sessions in D1. The cookie carries a random 256-bit token; the table keeps only its
// SHA-256. A session holds workspaces, each proven by an API key that must still be valid on every
// request: revoking the key takes the workspace out of the session at once.

import { and, asc, eq, gt, inArray, isNull, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { dashboardReveals, dashboardSessions, dashboardSessionWorkspaces } from "../db/dashboard-schema";
import { apiKeys, workspaces } from "../db/schema";
import { bytesToBase64Url, sha256Hex } from "../encoding";
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from "../limits";
import { API_KEY_PREFIX, findActiveKeyByHash, hashApiKey } from "../workspaces/store";

// last_seen_at is written at most once a minute: idle expiry does not need a write per page view.
const TOUCH_INTERVAL_MS = 60 * 1000;
// Expired sessions are swept a few at a time on sign-in, so the table does not grow without bound.
const SWEEP_BATCH = 50;

export type SessionWorkspace = { uuid: string; name: string };

export type Session = {
  id: string;
  /** The raw cookie token; CSRF tokens are derived from it. Never stored or rendered. */
  token: string;
  expiresAt: number;
  currentWorkspaceUuid: string | null;
  /** The workspaces whose API key is still valid, in the order they were added. */
  workspaces: SessionWorkspace[];
};

export const newSessionToken = () => bytesToBase64Url(crypto.getRandomValues(new Uint8Array(32)));

const hashToken = (token: string) => sha256Hex(token);

/** The unrevoked API key `key` is, with its workspace; null for an unknown or revoked key. */
export async function findApiKey(db: Database, key: string) {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  // Never from the API's key cache: signing in proves the key is valid now.
  return findActiveKeyByHash(db, await hashApiKey(key));
}

/** The live session a cookie token names, with its still-valid workspaces; null otherwise. */
export async function loadSession(db: Database, token: string, now = Date.now()): Promise<Session | null> {
  const tokenHash = await hashToken(token);
  const [session, held] = await db.batch([
    db
      .select()
      .from(dashboardSessions)
      .where(
        and(
          eq(dashboardSessions.tokenHash, tokenHash),
          isNull(dashboardSessions.revokedAt),
          gt(dashboardSessions.expiresAt, now),
          gt(dashboardSessions.lastSeenAt, now - IDLE_TIMEOUT_MS),
        ),
      ),
    db
      .select({ uuid: workspaces.uuid, name: workspaces.name })
      .from(dashboardSessionWorkspaces)
      .innerJoin(dashboardSessions, eq(dashboardSessions.id, dashboardSessionWorkspaces.sessionId))
      .innerJoin(
        apiKeys,
        and(
          eq(apiKeys.id, dashboardSessionWorkspaces.apiKeyId),
          eq(apiKeys.workspaceUuid, dashboardSessionWorkspaces.workspaceUuid),
          isNull(apiKeys.revokedAt),
        ),
      )
      .innerJoin(workspaces, eq(workspaces.uuid, dashboardSessionWorkspaces.workspaceUuid))
      .where(eq(dashboardSessions.tokenHash, tokenHash))
      .orderBy(asc(dashboardSessionWorkspaces.addedAt), asc(workspaces.uuid)),
  ]);
  const row = session[0];
  if (!row) return null;
  if (now - row.lastSeenAt > TOUCH_INTERVAL_MS) {
    await db.update(dashboardSessions).set({ lastSeenAt: now }).where(eq(dashboardSessions.id, row.id));
  }
  return {
    id: row.id,
    token,
    expiresAt: row.expiresAt,
    currentWorkspaceUuid: row.currentWorkspaceUuid,
    workspaces: held,
  };
}

type ProvenWorkspace = { workspaceUuid: string; apiKeyId: string };

const holdWorkspace = (db: Database, sessionId: string, proof: ProvenWorkspace, now: number) =>
  db
    .insert(dashboardSessionWorkspaces)
    .values({ sessionId, workspaceUuid: proof.workspaceUuid, apiKeyId: proof.apiKeyId, addedAt: now })
    .onConflictDoUpdate({
      target: [dashboardSessionWorkspaces.sessionId, dashboardSessionWorkspaces.workspaceUuid],
      set: { apiKeyId: proof.apiKeyId },
    });

/** Starts a session holding one workspace; returns the cookie token (shown to no one but the browser). */
export async function createSession(db: Database, proof: ProvenWorkspace, now = Date.now()) {
  const token = newSessionToken();
  const id = crypto.randomUUID();
  const expiresAt = now + ABSOLUTE_TIMEOUT_MS;
  const expired = db
    .select({ id: dashboardSessions.id })
    .from(dashboardSessions)
    .where(lt(dashboardSessions.expiresAt, now))
    .limit(SWEEP_BATCH);
  await db.batch([
    db.delete(dashboardSessions).where(inArray(dashboardSessions.id, expired)),
    db.insert(dashboardSessions).values({
      id,
      tokenHash: await hashToken(token),
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      currentWorkspaceUuid: proof.workspaceUuid,
    }),
    holdWorkspace(db, id, proof, now),
  ]);
  return { token, expiresAt };
}

/**
 * Adds a workspace to a session (or renews the key that proves it) and makes it current. The token
 * changes too, as on any sign-in, so a token seen before the sign-in is worth nothing after it.
 */
export async function addWorkspace(
  db: Database,
  sessionId: string,
  proof: ProvenWorkspace,
  now = Date.now(),
) {
  const token = newSessionToken();
  await db.batch([
    db
      .update(dashboardSessions)
      .set({ tokenHash: await hashToken(token), lastSeenAt: now, currentWorkspaceUuid: proof.workspaceUuid })
      .where(eq(dashboardSessions.id, sessionId)),
    holdWorkspace(db, sessionId, proof, now),
  ]);
  return token;
}

export async function chooseWorkspace(db: Database, sessionId: string, workspaceUuid: string) {
  await db
    .update(dashboardSessions)
    .set({ currentWorkspaceUuid: workspaceUuid })
    .where(eq(dashboardSessions.id, sessionId));
}

/** Ends a session server-side: its cookie is worth nothing from now on, wherever a copy of it is. */
export async function revokeSession(db: Database, sessionId: string, now = Date.now()) {
  await db.batch([
    db.update(dashboardSessions).set({ revokedAt: now }).where(eq(dashboardSessions.id, sessionId)),
    // A secret waiting to be shown once is not shown to a session that has ended.
    db.delete(dashboardReveals).where(eq(dashboardReveals.sessionId, sessionId)),
  ]);
}
