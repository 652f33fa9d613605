// The one-time secret dialog's store. A create or a rotation keeps the new secret here, encrypted and
// bound to the session and the destination, and redirects; the destination's page takes it out (the
// row is deleted by the same statement that reads it) and shows it once. A reload, the back button or
// another tab finds nothing. The secret is never put in a URL, a redirect or a log.

import { and, eq, lt } from "drizzle-orm";
import { database } from "../db/client";
import { dashboardReveals } from "../db/dashboard-schema";
import { REVEAL_TTL_MS } from "../limits";
import { decryptBound, encryptBound } from "../secrets/at-rest";

export type RevealReason = "created" | "rotated";
export type Reveal = { reason: RevealReason; secret: string };

const context = (sessionId: string, destinationId: string) =>
  `leadpush.dashboard-reveal:${sessionId}:${destinationId}`;

export async function keepForReveal(
  env: Env,
  sessionId: string,
  destinationId: string,
  reveal: Reveal,
  now = Date.now(),
): Promise<void> {
  const db = database(env.DB);
  const secretCiphertext = await encryptBound(
    env.SECRET_ENCRYPTION_KEY,
    context(sessionId, destinationId),
    reveal.secret,
  );
  const row = { reason: reveal.reason, secretCiphertext, createdAt: now, expiresAt: now + REVEAL_TTL_MS };
  await db.batch([
    // This session's reveals that were never shown go as soon as it keeps another.
    db
      .delete(dashboardReveals)
      .where(and(eq(dashboardReveals.sessionId, sessionId), lt(dashboardReveals.expiresAt, now))),
    // A second rotation before the page was seen replaces the first: only the newest secret matters.
    db
      .insert(dashboardReveals)
      .values({ sessionId, destinationId, ...row })
      .onConflictDoUpdate({ target: [dashboardReveals.sessionId, dashboardReveals.destinationId], set: row }),
  ]);
}

/** The reveal waiting for this session and destination, removed as it is read; null when there is none. */
export async function takeReveal(
  env: Env,
  sessionId: string,
  destinationId: string,
  now = Date.now(),
): Promise<Reveal | null> {
  const [row] = await database(env.DB)
    .delete(dashboardReveals)
    .where(and(eq(dashboardReveals.sessionId, sessionId), eq(dashboardReveals.destinationId, destinationId)))
    .returning();
  if (!row || row.expiresAt <= now) return null;
  const secret = await decryptBound(
    env.SECRET_ENCRYPTION_KEY,
    context(sessionId, destinationId),
    row.secretCiphertext,
  );
  return { reason: row.reason, secret };
}
