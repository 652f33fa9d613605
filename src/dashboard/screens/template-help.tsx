// Beside the templates: the variables a template can use, with the sample event's values, and how a
// value is inserted in each part of the request (docs/templates.md), one line each.

import { PREVIEW_EVENT_ID } from "../../destinations/preview";
import { SAMPLE_CONTACT } from "../../events/payload";

type Variable = { name: string; sample: string };

/** The variables of the sample event, contact attributes included, walked from the sample itself. */
export function templateVariables(workspaceUuid: string): Variable[] {
  const attributes = Object.entries(SAMPLE_CONTACT.attributes).map(([key, value]) => ({
    name: `contact.attributes.${key}`,
    sample: String(value),
  }));
  return [
    { name: "event.type", sample: "contact.updated" },
    { name: "event.id", sample: PREVIEW_EVENT_ID },
    { name: "event.occurred_at", sample: "2026-11-26T21:00:00.000Z" },
    { name: "workspace.uuid", sample: workspaceUuid },
    { name: "contact._id", sample: SAMPLE_CONTACT._id },
    ...attributes,
  ];
}

const RULES: { part: string; rule: string }[] = [
  {
    part: "URL Template",
    rule: "values are percent-encoded, so they cannot add /, ?, # or &. Variables only after the host.",
  },
  {
    part: "Headers Template",
    rule: "values are inserted as they are; a line break in one fails the delivery.",
  },
  { part: "Query Template", rule: "values are inserted as they are, then encoded as query parameters." },
  {
    part: "Body Template",
    rule: 'JSON when it starts with { or [: values are escaped as string content, so write the quotes ("{{ contact._id }}"). Otherwise text.',
  },
];

export const TemplateHelp = ({ workspaceUuid }: { workspaceUuid: string }) => (
  <section class="card side-card" aria-labelledby="variables-title">
    <h2 id="variables-title">Template variables</h2>
    <p class="side-intro">
      Write <code>{"{{ name }}"}</code> in the URL, header and query values, and the body. Sample values:
    </p>
    <dl class="variables">
      {templateVariables(workspaceUuid).map(({ name, sample }) => (
        <div class="variable">
          <dt>
            <code>{`{{ ${name} }}`}</code>
          </dt>
          <dd>{sample}</dd>
        </div>
      ))}
    </dl>
    <p class="side-note">
      <code>{"{{ contact.attributes }}"}</code> inserts the whole object as JSON. A missing name inserts
      nothing.
    </p>
    <h3 class="side-subtitle">How values are inserted</h3>
    <ul class="rules">
      {RULES.map(({ part, rule }) => (
        <li>
          <strong>{part}:</strong> {rule}
        </li>
      ))}
    </ul>
  </section>
);
