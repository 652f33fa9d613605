// Creating and changing a destination: the rules that need more than one field or the environment,
// then the store. The API routes and the dashboard both save through here, so they always agree.
import { configOf } from "../config";
import { database } from "../db/client";
import { filterKeyColumns } from "../filters/key";
import { newId } from "../ids";
import { DESTINATION_LIMITS } from "../limits";
import { fieldError, invalid, ProblemError } from "../problem";
import { checkUrlTemplate } from "../rules/url-policy";
import { encryptSecret } from "../secrets/at-rest";
import { generateSigningSecret, secretHint } from "../secrets/signing-secret";
import { destinationJson } from "./json";
import type { DestinationCreateInput, DestinationUpdateInput } from "./schema";
import { settingsColumns } from "./settings";
import {
  countDestinations,
  findDestination,
  insertDestination,
  readDestination,
  updateDestination,
} from "./store";

function assertPublicUrl(env: Env, urlTemplate: string | undefined) {
  if (urlTemplate === undefined) return;
  const reason = checkUrlTemplate(urlTemplate, configOf(env).urlPolicy);
  if (reason) throw invalid([fieldError(["url_template"], reason)]);
}

/** fetch cannot send a GET with a body, so the combination is refused when it is saved. */
function assertBodyFitsMethod(method: string, bodyTemplate: string | null) {
  if (method === "GET" && bodyTemplate !== null) {
    throw invalid([
      fieldError(
        ["body_template"],
        "a GET request carries no body; clear body_template or use another method",
      ),
    ]);
  }
}

/** Stores a new destination with a fresh signing secret; the secret is returned this once. */
export async function createDestination(env: Env, workspaceUuid: string, input: DestinationCreateInput) {
  assertPublicUrl(env, input.url_template);
  assertBodyFitsMethod(input.method, input.body_template);
  if (
    (await countDestinations(database(env.DB), workspaceUuid)) >= DESTINATION_LIMITS.destinationsPerWorkspace
  ) {
    throw new ProblemError(
      409,
      `A workspace may have at most ${DESTINATION_LIMITS.destinationsPerWorkspace} destinations; delete one you no longer use first.`,
      { slug: "destination-limit" },
    );
  }
  const id = newId("dst");
  const secret = generateSigningSecret();
  const now = Date.now();
  const row = {
    id,
    workspaceUuid,
    ...settingsColumns(input),
    secretCiphertext: await encryptSecret(env.SECRET_ENCRYPTION_KEY, id, secret),
    secretHint: secretHint(secret),
    secretVersion: 1,
    previousSecretCiphertext: null,
    previousSecretExpiresAt: null,
    disabledReason: null,
    ...filterKeyColumns(input.filter),
    createdAt: now,
    updatedAt: now,
  };
  await insertDestination(database(env.DB), row, input.event_types);
  return { destination: destinationJson(row, input.event_types), secret };
}

/** Applies a partial update; null when the destination is not in this workspace. */
export async function patchDestination(
  env: Env,
  workspaceUuid: string,
  id: string,
  patch: DestinationUpdateInput,
) {
  const db = database(env.DB);
  const current = await findDestination(db, workspaceUuid, id);
  if (!current) return null;
  assertPublicUrl(env, patch.url_template);
  assertBodyFitsMethod(
    patch.method ?? current.row.method,
    patch.body_template === undefined ? current.row.bodyTemplate : patch.body_template,
  );
  const updated = await updateDestination(db, workspaceUuid, id, patch);
  if (!updated) return null;
  const workspace = env.WORKSPACE.getByName(workspaceUuid);
  // Disabled by hand: destination.disabled (docs/lifecycle.md). Enabled again: it starts afresh, with
  // no run of failures and nothing announced.
  if (updated.wasEnabled && !updated.enabled) await workspace.announceDisabled(id, updated);
  if (!updated.wasEnabled && updated.enabled) await workspace.restart(id);
  return readDestination(env, workspaceUuid, id);
}
