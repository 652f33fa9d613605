// The destination form's three sections, in the documentation's order: the endpoint (name, method,
// URL template, timeout, enabled), the optional templates, and the event subscriptions.

import { DESTINATION_METHODS } from "../../db/schema";
import { DEFAULT_INBOX, inboxUrl } from "../../inbox/address";
import { DESTINATION_LIMITS } from "../../limits";
import { type DestinationForm, EVENT_TYPES_INPUT } from "../destination-form";
import { useDevTools } from "../request-context";
import { described, type ErrorsFor, EventChoices, Field, KeyValueList } from "./destination-fields";

type SectionProps = { form: DestinationForm; errorOf: ErrorsFor };

const MethodAndUrl = ({ form, errorOf }: SectionProps) => (
  <div class="field-row">
    <Field id="method" label="Method" error={errorOf("method")}>
      <select class="input" id="method" name="method" {...described("method", false, errorOf("method"))}>
        {DESTINATION_METHODS.map((m) => (
          <option value={m} selected={m === form.method}>
            {m}
          </option>
        ))}
      </select>
    </Field>
    <Field
      id="url_template"
      label="URL Template"
      error={errorOf("url_template")}
      hint={
        <>
          The target URL, e.g. <code>{"https://example.com/contacts/{{ contact._id }}/events"}</code>. Use a
          public HTTPS endpoint: private and local addresses are refused
          {useDevTools() ? " in production (this development server allows them)" : ""}.
        </>
      }
    >
      <input
        class="input mono"
        id="url_template"
        name="url_template"
        value={form.url_template}
        placeholder="https://example.com/webhooks/leadpush"
        autocomplete="off"
        autocapitalize="off"
        spellcheck={false}
        {...described("url_template", true, errorOf("url_template"))}
      />
      <UseInbox />
    </Field>
  </div>
);

/** Development only: one click puts the local inbox's URL in the URL Template (docs/inbox.md). */
function UseInbox() {
  const dev = useDevTools();
  if (!dev) return null;
  const url = inboxUrl(dev.origin, DEFAULT_INBOX);
  return (
    <p class="hint use-inbox">
      <button
        type="submit"
        name="_action"
        value="use-inbox"
        class="button button-secondary button-small"
        data-use-inbox={url}
        formnovalidate
      >
        Use the local inbox
      </button>
      <span>Development only: this server keeps what it is sent, on the Inbox page.</span>
    </p>
  );
}

const TimeoutAndEnabled = ({ form, errorOf }: SectionProps) => (
  <>
    <Field
      id="timeout_seconds"
      label="Timeout Seconds"
      hint={`How long Leadpush waits for a response: 1 to ${DESTINATION_LIMITS.timeoutSecondsMax} seconds.`}
      error={errorOf("timeout_seconds")}
    >
      <input
        class="input input-narrow"
        id="timeout_seconds"
        name="timeout_seconds"
        type="number"
        inputmode="numeric"
        min={1}
        max={30}
        step={1}
        value={form.timeout_seconds}
        {...described("timeout_seconds", true, errorOf("timeout_seconds"))}
      />
    </Field>
    <Field
      id="rate_limit_per_second"
      label="Rate Limit"
      hint={`Optional: at most this many requests per second (1 to ${DESTINATION_LIMITS.rateLimitPerSecond}). Deliveries over it wait their turn, oldest first, without using up retries. Leave blank for no limit.`}
      error={errorOf("rate_limit_per_second")}
    >
      <input
        class="input input-narrow"
        id="rate_limit_per_second"
        name="rate_limit_per_second"
        type="number"
        inputmode="numeric"
        min={1}
        max={DESTINATION_LIMITS.rateLimitPerSecond}
        step={1}
        placeholder="No limit"
        value={form.rate_limit_per_second}
        {...described("rate_limit_per_second", true, errorOf("rate_limit_per_second"))}
      />
    </Field>
    <div class="check">
      <input
        type="checkbox"
        id="enabled"
        name="enabled"
        checked={form.enabled}
        aria-describedby="enabled-hint"
      />
      <div class="check-text">
        <label class="check-label" for="enabled">
          Enabled
        </label>
        <span class="hint" id="enabled-hint">
          Leadpush delivers to this destination only while it is enabled.
        </span>
      </div>
    </div>
  </>
);

export const EndpointSection = ({ form, errorOf }: SectionProps) => (
  <section class="card form-card" aria-labelledby="endpoint-title">
    <h2 id="endpoint-title">Endpoint</h2>
    <Field
      id="name"
      label="Name"
      hint="A human-readable label for the receiver, such as CRM Intake."
      error={errorOf("name")}
    >
      <input
        class="input"
        id="name"
        name="name"
        value={form.name}
        maxlength={200}
        autocomplete="off"
        {...described("name", true, errorOf("name"))}
      />
    </Field>
    <MethodAndUrl form={form} errorOf={errorOf} />
    <TimeoutAndEnabled form={form} errorOf={errorOf} />
  </section>
);

export const TemplatesSection = ({ form, errorOf }: SectionProps) => (
  <section class="card form-card" aria-labelledby="templates-title">
    <div>
      <h2 id="templates-title">Templates</h2>
      <p class="card-intro">
        Add headers, query parameters or a body template if the receiver requires a specific request shape.
      </p>
    </div>
    <KeyValueList
      list="header"
      legend="Headers Template"
      rows={form.headers}
      errorOf={errorOf}
      hint="Optional custom headers to render for each delivery. Host, Content-Length and headers beginning with X-Leadpush are reserved."
    />
    <KeyValueList
      list="query"
      legend="Query Template"
      rows={form.query}
      errorOf={errorOf}
      hint="Optional query string values to render for each delivery, added after the URL's own query."
    />
    <Field
      id="body_template"
      label="Body Template"
      error={errorOf("body_template")}
      hint="Optional request body. If blank, Leadpush sends the full event payload for POST, PUT, PATCH and DELETE; GET sends no body."
    >
      <textarea
        class="input mono textarea"
        id="body_template"
        name="body_template"
        rows={8}
        spellcheck={false}
        autocapitalize="off"
        placeholder={'{\n  "event": "{{ event.type }}",\n  "contact_id": "{{ contact._id }}"\n}'}
        {...described("body_template", true, errorOf("body_template"))}
      >
        {form.body_template}
      </textarea>
    </Field>
  </section>
);

const FILTER_EXAMPLE = '{\n  "contact.attributes.plan": { "$in": ["pro", "enterprise"] }\n}';

export const EventsSection = ({ form, errorOf }: SectionProps) => (
  <section class="card form-card" aria-label="Event subscriptions">
    <EventChoices chosen={form.event_types} error={errorOf(EVENT_TYPES_INPUT)} />
    <Field
      id="filter"
      label="Filter"
      error={errorOf("filter")}
      hint='Optional: deliver only events whose payload matches, as JSON. A path and a value means equal, e.g. {"contact.attributes.plan": "pro"}; operators: $eq $neq $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith, combined with $and, $or, $not. Preview shows whether the sample event matches. Leave blank to receive every event of the chosen types.'
    >
      <textarea
        class="input mono textarea"
        id="filter"
        name="filter"
        rows={4}
        spellcheck={false}
        autocapitalize="off"
        placeholder={FILTER_EXAMPLE}
        {...described("filter", true, errorOf("filter"))}
      >
        {form.filter}
      </textarea>
    </Field>
  </section>
);
