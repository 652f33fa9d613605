// …/destinations/new and …/destinations/{id}/edit: Create Destination and its edit twin. One form in
// the documentation's order (name, method, URL template, timeout, enabled; then the optional templates;
// then the events), the template variables and a preview beside it, every error next to its input.
import type { DestinationJson } from "../../destinations/schema";
import { Breadcrumbs, type Crumb, CsrfField, PageHeader } from "../components";
import type { DestinationForm, FormErrors } from "../destination-form";
import type { FormPreview } from "../destination-save";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";
import { errorsLookup } from "./destination-fields";
import { EndpointSection, EventsSection, TemplatesSection } from "./destination-form-sections";
import { PreviewPanel } from "./preview-panel";
import { TemplateHelp } from "./template-help";

export type FormPageProps = {
  /** The destination being edited; absent when creating one. */
  editing?: DestinationJson;
  form: DestinationForm;
  errors?: FormErrors;
  preview?: FormPreview;
  previewEventType: string;
};

export const ErrorSummary = ({ errors, title }: { errors?: FormErrors; title: string }) =>
  errors && (errors.fields.length || errors.general) ? (
    <div
      class="error-summary"
      role="alert"
      tabindex={-1}
      data-focus-on-load
      aria-labelledby="error-summary-title"
    >
      <h2 id="error-summary-title">{title}</h2>
      {errors.general ? <p>{errors.general}</p> : null}
      {errors.fields.length ? (
        <ul>
          {errors.fields.map((error) => (
            <li>
              <a href={`#${error.inputId}`}>
                {error.label}: {error.message}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  ) : null;

function trailFor(ws: string, editing?: DestinationJson): Crumb[] {
  const base = [
    { label: "Integrations", href: urls.integrations(ws) },
    { label: "Webhooks", href: urls.webhooks(ws) },
    { label: "Destinations", href: urls.webhooks(ws) },
  ];
  if (!editing) return [...base, { label: "Create Destination" }];
  return [...base, { label: editing.name, href: urls.destination(ws, editing.id) }, { label: "Edit" }];
}

/** The page's name, in its header and its document title. */
export const formTitle = (editing?: DestinationJson) =>
  editing ? `Edit ${editing.name}` : "Create Destination";

export const DestinationFormPage = (props: FormPageProps) => {
  const { editing, form, errors } = props;
  const ws = useWorkspace().uuid;
  const errorOf = errorsLookup(errors?.fields ?? []);
  const title = formTitle(editing);
  const action = editing ? urls.editDestination(ws, editing.id) : urls.newDestination(ws);
  const cancel = editing ? urls.destination(ws, editing.id) : urls.webhooks(ws);
  return (
    <>
      <Breadcrumbs trail={trailFor(ws, editing)} />
      <PageHeader
        title={title}
        description="Configure the endpoint Leadpush calls when a webhook test or subscribed contact event is delivered."
      />
      <ErrorSummary
        errors={errors}
        title={editing ? "The changes were not saved" : "The destination was not created"}
      />
      <form
        method="post"
        action={action}
        novalidate
        class="form-layout"
        data-preview-url={urls.previewDestination(ws)}
      >
        <CsrfField />
        {/* Enter in a text field presses the form's first submit button: this hidden one, which saves. */}
        <button type="submit" hidden>
          Save
        </button>
        <EndpointSection form={form} errorOf={errorOf} />
        <TemplatesSection form={form} errorOf={errorOf} />
        <aside class="form-side" aria-label="Template help and preview">
          <TemplateHelp workspaceUuid={ws} />
          <PreviewPanel preview={props.preview} eventType={props.previewEventType} />
        </aside>
        <EventsSection form={form} errorOf={errorOf} />
        <div class="form-actions">
          <button type="submit" class="button">
            {editing ? "Save changes" : "Create Destination"}
          </button>
          <a class="button button-secondary" href={cancel}>
            Cancel
          </a>
        </div>
      </form>
    </>
  );
};
