// Create Destination, Edit, and the form's Preview. A post is one of: save, preview, add a row, remove
// a row; only a successful save leaves the form (303 to the destination's page). Everything else
// renders the form again with exactly what was typed.
// Mounted at /w/:ws/integrations/webhooks/destinations.

import { Hono } from "hono";
import { configOf } from "../config";
import { TEST_EVENT_TYPE } from "../events/catalog";
import { DEFAULT_INBOX, inboxUrl } from "../inbox/address";
import { notFoundPage } from "./answers";
import {
  applyRowAction,
  blankForm,
  type DestinationForm,
  type FormAction,
  formFromDestination,
  readAction,
  readDestinationForm,
} from "./destination-form";
import { createFromForm, previewForm, type Saved, updateFromForm } from "./destination-save";
import { destinationOf, sessionId } from "./lookups";
import { keepForReveal } from "./reveals";
import { DestinationFormPage, type FormPageProps, formTitle } from "./screens/destination-form";
import { PREVIEW_EVENT_TYPES, PreviewResultView } from "./screens/preview-panel";
import type { DashboardContext, DashboardEnv } from "./types";
import { urls } from "./urls";

type PreviewEventType = (typeof PREVIEW_EVENT_TYPES)[number];

const previewEventTypeOf = (value: unknown): PreviewEventType =>
  PREVIEW_EVENT_TYPES.find((type) => type === value) ?? TEST_EVENT_TYPE;

type Posted = { form: DestinationForm; action: FormAction; eventType: PreviewEventType };

async function readPost(c: DashboardContext): Promise<Posted> {
  const body = await c.req.formData();
  return {
    form: readDestinationForm(body),
    action: readAction(body.get("_action")),
    eventType: previewEventTypeOf(body.get("preview_event_type")),
  };
}

type Extra = Pick<FormPageProps, "editing" | "errors" | "preview">;

function formPage(
  c: DashboardContext,
  posted: Omit<Posted, "action">,
  extra: Extra,
  status: 200 | 400 | 409 = 200,
) {
  c.status(status);
  return c.render(<DestinationFormPage form={posted.form} previewEventType={posted.eventType} {...extra} />, {
    title: formTitle(extra.editing),
    section: "integrations",
    sectionPage: false,
    switchTo: urls.webhooks,
  });
}

/** Preview, add a row, remove a row, use the inbox: the form again, as typed (and the preview when asked
 * for, or the local inbox's URL in the URL Template in development). */
function formAgain(c: DashboardContext, posted: Posted, editing: Extra["editing"]) {
  if (posted.action.kind === "use-inbox" && configOf(c.env).devTools) {
    const url_template = inboxUrl(new URL(c.req.url).origin, DEFAULT_INBOX);
    return formPage(c, { ...posted, form: { ...posted.form, url_template } }, { editing });
  }
  if (posted.action.kind === "preview") {
    const preview = previewForm(c.env, c.var.workspace.uuid, posted.form, posted.eventType);
    return formPage(c, posted, { editing, preview });
  }
  return formPage(c, { ...posted, form: applyRowAction(posted.form, posted.action) }, { editing });
}

function refusedForm(
  c: DashboardContext,
  posted: Posted,
  saved: Exclude<Saved, { ok: true }>,
  editing: Extra["editing"],
) {
  if ("notFound" in saved) return notFoundPage(c);
  return formPage(c, posted, { editing, errors: saved.errors }, saved.status);
}

export const destinationFormPages = new Hono<DashboardEnv>();

destinationFormPages.get("/new", (c) => formPage(c, { form: blankForm(), eventType: TEST_EVENT_TYPE }, {}));

destinationFormPages.post("/new", async (c) => {
  const posted = await readPost(c);
  if (posted.action.kind !== "save") return formAgain(c, posted, undefined);
  const saved = await createFromForm(c.env, c.var.workspace.uuid, posted.form);
  if (!saved.ok) return refusedForm(c, posted, saved, undefined);
  const { destination, secret = "" } = saved;
  // The secret waits server-side for the page the redirect leads to: never in the URL or this answer.
  await keepForReveal(c.env, sessionId(c), destination.id, { reason: "created", secret });
  return c.redirect(urls.destination(c.var.workspace.uuid, destination.id), 303);
});

destinationFormPages.post("/preview", async (c) => {
  const posted = await readPost(c);
  const preview = previewForm(c.env, c.var.workspace.uuid, posted.form, posted.eventType);
  return c.html(<PreviewResultView preview={preview} />);
});

destinationFormPages.get("/:id/edit", async (c) => {
  const editing = await destinationOf(c);
  if (!editing) return notFoundPage(c);
  return formPage(c, { form: formFromDestination(editing), eventType: TEST_EVENT_TYPE }, { editing });
});

destinationFormPages.post("/:id/edit", async (c) => {
  const editing = await destinationOf(c);
  if (!editing) return notFoundPage(c);
  const posted = await readPost(c);
  if (posted.action.kind !== "save") return formAgain(c, posted, editing);
  const saved = await updateFromForm(c.env, c.var.workspace.uuid, editing.id, posted.form);
  if (!saved.ok) return refusedForm(c, posted, saved, editing);
  return c.redirect(`${urls.destination(c.var.workspace.uuid, editing.id)}?notice=saved`, 303);
});
