// The dashboard's create, edit and preview of a destination: the form, converted to the API's shape, is
// validated with the API's schemas and saved through the API's save functions (src/destinations/save.ts),
// so the two can never disagree. Only the way an error is shown differs.
import type { z } from "@hono/zod-openapi";
import { type PreviewResult, previewRequest } from "../destinations/preview";
import { createDestination, patchDestination } from "../destinations/save";
import { DestinationCreate, type DestinationJson, DestinationUpdate } from "../destinations/schema";
import { settingsColumns } from "../destinations/settings";
import type { EventType } from "../events/catalog";
import { zodFieldErrors } from "../http/validation";
import { ProblemError } from "../problem";
import { type DestinationForm, type FormErrors, placeErrors, toDestinationInput } from "./destination-form";

export type Saved =
  | { ok: true; destination: DestinationJson; secret?: string }
  | { ok: false; errors: FormErrors; status: 400 | 409 }
  | { ok: false; notFound: true };

/** A refusal from the save rules (URL policy, GET with a body, the destination limit) as form errors. */
function refused(error: unknown, rows: ReturnType<typeof toDestinationInput>["rows"]): Saved {
  if (!(error instanceof ProblemError) || (error.status !== 400 && error.status !== 409)) throw error;
  if (error.errors?.length)
    return { ok: false, status: 400, errors: { fields: placeErrors(error.errors, rows) } };
  return { ok: false, status: error.status, errors: { fields: [], general: error.message } };
}

const invalid = (error: z.ZodError, rows: ReturnType<typeof toDestinationInput>["rows"]): Saved => ({
  ok: false,
  status: 400,
  errors: { fields: placeErrors(zodFieldErrors(error), rows) },
});

export async function createFromForm(env: Env, workspaceUuid: string, form: DestinationForm): Promise<Saved> {
  const { input, rows } = toDestinationInput(form);
  const parsed = DestinationCreate.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, rows);
  try {
    const { destination, secret } = await createDestination(env, workspaceUuid, parsed.data);
    return { ok: true, destination, secret };
  } catch (error) {
    return refused(error, rows);
  }
}

export async function updateFromForm(
  env: Env,
  workspaceUuid: string,
  id: string,
  form: DestinationForm,
): Promise<Saved> {
  const { input, rows } = toDestinationInput(form);
  const parsed = DestinationUpdate.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, rows);
  try {
    const destination = await patchDestination(env, workspaceUuid, id, parsed.data);
    return destination ? { ok: true, destination } : { ok: false, notFound: true };
  } catch (error) {
    return refused(error, rows);
  }
}

export type FormPreview = { ok: true; result: PreviewResult } | { ok: false; errors: FormErrors };

/** The unsaved form rendered against a sample event, exactly as the API's preview route renders. */
export function previewForm(
  env: Env,
  workspaceUuid: string,
  form: DestinationForm,
  eventType?: EventType,
): FormPreview {
  const { input, rows } = toDestinationInput(form);
  const parsed = DestinationCreate.safeParse(input);
  if (!parsed.success)
    return { ok: false, errors: { fields: placeErrors(zodFieldErrors(parsed.error), rows) } };
  const renderable = settingsColumns(parsed.data);
  return { ok: true, result: previewRequest(env, workspaceUuid, renderable, { type: eventType }) };
}
