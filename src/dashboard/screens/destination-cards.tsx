// The cards of a destination's page: its settings, its state (enable/disable), its signing secret
// (rotate, with a grace period), and deleting it.
import type { DestinationJson } from "../../destinations/schema";
import { CsrfField, EnabledPill } from "../components";
import { Time } from "../format";
import { urls } from "../urls";
import { Field } from "./destination-fields";

type CardProps = { ws: string; destination: DestinationJson };

const Pairs = ({ pairs }: { pairs: { key: string; value: string }[] }) =>
  pairs.length ? (
    <ul class="pair-list">
      {pairs.map(({ key, value }) => (
        <li>
          <span class="pair-key">{key}</span>
          <span class="pair-value">{value}</span>
        </li>
      ))}
    </ul>
  ) : (
    <span class="muted">None</span>
  );

/** Longer filters are cut on the card (the whole one is in its title, and in Edit). */
const FILTER_SHOWN_CHARS = 200;

const FilterSetting = ({ filter }: { filter: DestinationJson["filter"] }) => {
  if (filter === null) return <span class="muted">None — every event of the subscribed types</span>;
  const text = JSON.stringify(filter);
  // By code point, so an emoji or another astral character is never cut in half.
  const chars = Array.from(text);
  if (chars.length <= FILTER_SHOWN_CHARS) return <code class="id">{text}</code>;
  return (
    <>
      <code class="id" title={text}>{`${chars.slice(0, FILTER_SHOWN_CHARS).join("")}…`}</code>
      <span class="hint">Shortened: {chars.length} characters in all. Edit shows the whole filter.</span>
    </>
  );
};

const Setting = ({ term, children }: { term: string; children: unknown }) => (
  <div class="setting">
    <dt>{term}</dt>
    <dd>{children}</dd>
  </div>
);

export const SettingsCard = ({ destination: d }: { destination: DestinationJson }) => (
  <section class="card detail-card" aria-labelledby="settings-title">
    <h2 id="settings-title">Settings</h2>
    <dl class="settings">
      <Setting term="Method">
        <span class="method">{d.method}</span>
      </Setting>
      <Setting term="URL Template">
        <span class="url">{d.url_template}</span>
      </Setting>
      <Setting term="Headers Template">
        <Pairs pairs={d.headers_template} />
      </Setting>
      <Setting term="Query Template">
        <Pairs pairs={d.query_template} />
      </Setting>
      <Setting term="Body Template">
        {d.body_template === null ? (
          <span class="muted">
            {d.method === "GET" ? "Blank: a GET sends no body" : "Blank: the full event payload is sent"}
          </span>
        ) : (
          <pre class="code-block">{d.body_template}</pre>
        )}
      </Setting>
      <Setting term="Timeout Seconds">{`${d.timeout_seconds} seconds`}</Setting>
      <Setting term="Rate Limit">
        {d.rate_limit_per_second === null ? (
          <span class="muted">No limit</span>
        ) : (
          `${d.rate_limit_per_second} per second`
        )}
      </Setting>
      <Setting term="Event subscriptions">
        {d.event_types.length ? (
          <ul class="chips">
            {d.event_types.map((type) => (
              <li class="chip">{type}</li>
            ))}
          </ul>
        ) : (
          <span class="muted">None (tests only)</span>
        )}
      </Setting>
      <Setting term="Filter">
        <FilterSetting filter={d.filter} />
      </Setting>
      <Setting term="Destination ID">
        <code class="id">{d.id}</code>
      </Setting>
      <Setting term="Created">
        <Time iso={d.created_at} />
      </Setting>
      <Setting term="Updated">
        <Time iso={d.updated_at} />
      </Setting>
    </dl>
  </section>
);

export const StateCard = ({ ws, destination: d }: CardProps) => (
  <section class="card detail-card" aria-labelledby="state-title">
    <div class="card-title-row">
      <h2 id="state-title">State</h2>
      <EnabledPill enabled={d.enabled} />
    </div>
    {d.enabled ? (
      <p class="card-intro">
        Leadpush delivers subscribed events to this destination. Disable it to pause deliveries without losing
        its configuration or history.
      </p>
    ) : (
      <p class="card-intro">
        Paused: new events create no deliveries for it, and a pending delivery that comes due is skipped.
        {d.disabled_reason ? ` ${d.disabled_reason}` : ""}
      </p>
    )}
    <form method="post" action={urls.destinationAction(ws, d.id, d.enabled ? "disable" : "enable")}>
      <CsrfField />
      <button type="submit" class="button button-secondary">
        {d.enabled ? "Disable destination" : "Enable destination"}
      </button>
    </form>
  </section>
);

/** The grace periods offered (the API takes any number of seconds from 0 to 7 days). */
export const GRACE_CHOICES: [seconds: number, label: string][] = [
  [0, "None: the previous secret stops at once"],
  [3_600, "1 hour"],
  [86_400, "24 hours"],
  [604_800, "7 days"],
];

const ROTATE_WHEN = [
  "the receiving system owner changes",
  "the secret may have been exposed",
  "you are moving from a test receiver to a production receiver",
  "your security policy requires periodic rotation",
];

export const SecretCard = ({ ws, destination: d, error }: CardProps & { error?: string }) => (
  <section class="card detail-card" aria-labelledby="secret-card-title">
    <h2 id="secret-card-title">Signing secret</h2>
    <p class="card-intro">
      <code class="id">{d.secret_hint}</code> <span class="muted">version {d.secret_version}</span>
    </p>
    {d.previous_secret_expires_at ? (
      <p class="hint">
        The previous secret also signs deliveries until <Time iso={d.previous_secret_expires_at} />.
      </p>
    ) : null}
    <p class="hint">The secret is shown only after the destination is created or after you rotate it.</p>
    <form method="post" action={urls.destinationAction(ws, d.id, "rotate")} class="rotate-form">
      <CsrfField />
      <Field
        id="grace_seconds"
        label="Grace period"
        hint="How long the previous secret keeps signing too, while your receiver switches."
        error={error}
      >
        <select class="input" id="grace_seconds" name="grace_seconds" aria-describedby="grace_seconds-hint">
          {GRACE_CHOICES.map(([seconds, label]) => (
            <option value={String(seconds)} selected={seconds === 86_400}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" class="button button-secondary">
        Rotate secret
      </button>
    </form>
    <div class="rotate-when">
      <p>Rotate the secret when:</p>
      <ul>
        {ROTATE_WHEN.map((reason) => (
          <li>{reason}</li>
        ))}
      </ul>
    </div>
  </section>
);

export const DangerCard = ({ ws, destination: d }: CardProps) => (
  <section class="card detail-card danger-card" aria-labelledby="danger-title">
    <h2 id="danger-title">Delete destination</h2>
    <p class="card-intro">
      Delete a destination when it should no longer be used. Deleting a destination also removes its event
      subscriptions and related delivery records.
    </p>
    <a
      class="button button-danger-outline"
      href={urls.deleteDestination(ws, d.id)}
      data-dialog-open="delete-dialog"
    >
      Delete destination…
    </a>
  </section>
);
