// Secret rotation: a new signing secret for a destination, the previous one kept for a grace period.
// Applied one at a time per workspace through the workspace's object (its promise chain: a Durable
// Object's input gate does not hold other requests while it awaits D1, only its own storage).
import { and, eq } from "drizzle-orm";
import { database } from "../db/client";
import { destinations } from "../db/schema";
import { decryptSecret, encryptSecret } from "../secrets/at-rest";
import { generateSigningSecret, secretHint } from "../secrets/signing-secret";

export type RotationResult = {
  secret: string;
  secret_version: number;
  previous_secret_expires_at: string | null;
};

/**
 * Rotates a destination's signing secret; null when the destination is not in this workspace. Run one
 * at a time per workspace by its object (src/lifecycle/workspace-object.ts): two rotations would otherwise
 * interleave their read-modify-write; the version check in the UPDATE is the belt to its braces.
 */
export async function rotateSecret(
  env: Env,
  workspaceUuid: string,
  destinationId: string,
  graceSeconds: number,
): Promise<RotationResult | null> {
  const db = database(env.DB);
  const scope = and(eq(destinations.workspaceUuid, workspaceUuid), eq(destinations.id, destinationId));
  const current = await db
    .select({ version: destinations.secretVersion, ciphertext: destinations.secretCiphertext })
    .from(destinations)
    .where(scope)
    .get();
  if (!current) return null;

  const secret = generateSigningSecret();
  const now = Date.now();
  const previousExpiresAt = graceSeconds > 0 ? now + graceSeconds * 1000 : null;
  // Decrypting first proves the stored secret is readable before it becomes the grace-period signer.
  if (previousExpiresAt) await decryptSecret(env.SECRET_ENCRYPTION_KEY, destinationId, current.ciphertext);
  const updated = await db
    .update(destinations)
    .set({
      secretCiphertext: await encryptSecret(env.SECRET_ENCRYPTION_KEY, destinationId, secret),
      secretHint: secretHint(secret),
      secretVersion: current.version + 1,
      previousSecretCiphertext: previousExpiresAt ? current.ciphertext : null,
      previousSecretExpiresAt: previousExpiresAt,
      updatedAt: now,
    })
    .where(and(scope, eq(destinations.secretVersion, current.version)))
    .returning({ version: destinations.secretVersion });
  if (updated.length !== 1) {
    // The destination was deleted meanwhile; a version mismatch cannot happen behind #oneAtATime.
    const stillThere = await db.select({ id: destinations.id }).from(destinations).where(scope).get();
    if (!stillThere) return null;
    throw new Error("secret rotation lost a race it should have been serialized out of");
  }
  return {
    secret,
    secret_version: current.version + 1,
    previous_secret_expires_at: previousExpiresAt ? new Date(previousExpiresAt).toISOString() : null,
  };
}

/** A rotation, through the workspace's coordinator: the API route and the dashboard both call this. */
export async function rotateDestinationSecret(
  env: Env,
  workspaceUuid: string,
  destinationId: string,
  graceSeconds: number,
): Promise<RotationResult | null> {
  return env.WORKSPACE.getByName(workspaceUuid).rotateSecret(workspaceUuid, destinationId, graceSeconds);
}
