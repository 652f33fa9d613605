// The inbox's signature verdict: which destination's current or previous secret verifies a request, as
// a receiver would check it (docs/signatures.md). The request's X-Leadpush-Id names a delivery, which
// names the destination whose keys to try — at most two keys and four signatures. The id names its
// history partition but not its workspace, so the inbox (development only, a handful of workspaces) asks
// that partition of each workspace.
import { signingKeysFor } from "../dispatch/keys";
import { base64ToBytes } from "../encoding";
import { historyStub, livePartitionOf } from "../history/client";

export type SecretName = "current" | "previous";

export type SignatureVerdict = {
  /** Who signed it, or null when no secret verifies it (then `signature_detail` says why). */
  verified_by: { workspace_id: string; destination_id: string; secrets: SecretName[] } | null;
  /** The verdict in a sentence. */
  signature_detail: string;
};

/** A receiver's usual tolerance for the timestamp (Standard Webhooks suggests five minutes). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;
const MAX_SIGNATURES = 4;
const DELIVERY_ID = /^dlv_[0-9a-f]{32}$/;

type KeyRow = {
  workspaceUuid: string;
  destinationId: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: number | null;
};

const KEYS_SQL = `
  SELECT workspace_uuid AS workspaceUuid, id AS destinationId, secret_ciphertext AS secretCiphertext,
    previous_secret_ciphertext AS previousSecretCiphertext, previous_secret_expires_at AS previousSecretExpiresAt
  FROM destinations WHERE id = ?`;

/** Workspaces asked for a delivery at most (development has a handful). */
const WORKSPACES_ASKED = 1000;

/** The destination a delivery id of this deployment belongs to, with its keys; null when none. */
async function keysOf(env: Env, deliveryId: string): Promise<KeyRow | null> {
  const { results } = await env.DB.prepare(`SELECT uuid FROM workspaces LIMIT ${WORKSPACES_ASKED}`).all<{
    uuid: string;
  }>();
  const found = await Promise.all(
    results.map(async ({ uuid }) => {
      const p = livePartitionOf(env, uuid, deliveryId);
      return p ? (await historyStub(env, p).delivery(p, deliveryId))?.delivery : null;
    }),
  );
  const delivery = found.find((d) => d);
  return delivery ? env.DB.prepare(KEYS_SQL).bind(delivery.destinationId).first<KeyRow>() : null;
}

const unverified = (signature_detail: string): SignatureVerdict => ({ verified_by: null, signature_detail });

/** `v1,<base64>` entries of a signature header; others (another version, bad base64) are skipped. */
function signatures(header: string): Uint8Array<ArrayBuffer>[] {
  const found: Uint8Array<ArrayBuffer>[] = [];
  for (const entry of header.split(" ").slice(0, MAX_SIGNATURES)) {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) continue;
    try {
      found.push(base64ToBytes(value));
    } catch {
      // not base64: it cannot verify
    }
  }
  return found;
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/**
 * The verdict for a request with these headers and this raw body. `body` must be the whole body: a
 * signature over a truncated one cannot verify.
 */
export async function verifyInboxRequest(
  env: Env,
  headers: Headers,
  body: Uint8Array,
  now = Date.now(),
): Promise<SignatureVerdict> {
  const id = headers.get("x-leadpush-id");
  const timestamp = headers.get("x-leadpush-timestamp");
  const header = headers.get("x-leadpush-signature");
  if (id === null || timestamp === null || header === null)
    return unverified(
      "Not signed: X-Leadpush-Id, X-Leadpush-Timestamp and X-Leadpush-Signature are not all present.",
    );
  if (!DELIVERY_ID.test(id)) return unverified("X-Leadpush-Id is not a delivery id (dlv_…).");
  if (!/^\d{1,12}$/.test(timestamp)) return unverified("X-Leadpush-Timestamp is not unix seconds.");
  const row = await keysOf(env, id);
  if (!row) return unverified(`No delivery ${id} exists here, so no secret to verify it with.`);
  const sent = signatures(header);
  if (sent.length === 0) return unverified("X-Leadpush-Signature has no v1 signature.");
  const keys = await signingKeysFor(env, row, now);
  const content = concat(new TextEncoder().encode(`${id}.${timestamp}.`), body);
  const names: SecretName[] = ["current", "previous"];
  const secrets: SecretName[] = [];
  for (const [i, key] of keys.entries()) {
    const results = await Promise.all(sent.map((mac) => crypto.subtle.verify("HMAC", key, mac, content)));
    if (results.some(Boolean)) secrets.push(names[i] as SecretName);
  }
  if (secrets.length === 0)
    return unverified(`No signature verifies with ${row.destinationId}'s current or previous secret.`);
  const skew = Math.abs(Math.floor(now / 1000) - Number(timestamp));
  const secretWords = secrets.length === 2 ? "current and previous secrets" : `${secrets[0]} secret`;
  const late =
    skew > TIMESTAMP_TOLERANCE_SECONDS
      ? ` But its timestamp is ${skew} s away from now: a receiver with a ${TIMESTAMP_TOLERANCE_SECONDS / 60}-minute tolerance refuses it.`
      : "";
  return {
    verified_by: { workspace_id: row.workspaceUuid, destination_id: row.destinationId, secrets },
    signature_detail: `Verified with ${row.destinationId}'s ${secretWords}.${late}`,
  };
}
