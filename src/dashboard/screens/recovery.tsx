// "Recover deliveries…" on a destination (docs/lifecycle.md#recovery-in-bulk): choose a window and the
// statuses, see how many deliveries that selects, start it, then follow its progress on its own page.
import type { DestinationJson } from "../../destinations/schema";
import type { RecoverableStatus } from "../../lifecycle/recovery";
import { RECOVERY_WINDOW_MS } from "../../limits";
import { Breadcrumbs, CsrfField, PageHeader, Refusal } from "../components";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";
import { described, Field, FieldError } from "./destination-fields";

/** The form's values as typed (UTC, minutes), and the rule's verdict when it was checked. */
export type RecoverFormValues = { since: string; until: string; statuses: RecoverableStatus[] };

export type RecoverPageProps = {
  destination: DestinationJson;
  values: RecoverFormValues;
  /** How many deliveries the values select, once counted. */
  count: number | null;
  error?: { field: "since" | "until" | "statuses"; detail: string };
  /** Why starting was refused (disabled, or one is running), with the running one's id when known. */
  refusal?: string;
  runningId?: string | null;
};

const STATUS_WORDS: Record<RecoverableStatus, string> = {
  failed: "Failed: gave up after their retries, or failed for good",
  skipped: "Skipped: the destination was disabled while they waited",
};

export const crumbs = (ws: string, d: DestinationJson, last: string) => [
  { label: "Integrations", href: urls.integrations(ws) },
  { label: "Webhooks", href: urls.webhooks(ws) },
  { label: "Destinations", href: urls.webhooks(ws) },
  { label: d.name, href: urls.destination(ws, d.id) },
  { label: last },
];

const Hidden = ({ values }: { values: RecoverFormValues }) => (
  <>
    <input type="hidden" name="since" value={values.since} />
    <input type="hidden" name="until" value={values.until} />
    {values.statuses.map((s) => (
      <input type="hidden" name="statuses" value={s} />
    ))}
  </>
);

type FormProps = { ws: string; destinationId: string; values: RecoverFormValues };

/** The statuses a recovery selects: failed, skipped, or both. */
const StatusChecks = ({ values, error }: { values: RecoverFormValues; error: string | undefined }) => (
  <fieldset class={error ? "checks field-invalid" : "checks"}>
    <legend>Statuses</legend>
    <FieldError id="statuses" error={error} />
    <div class="check-list">
      {(["failed", "skipped"] as const).map((s) => (
        <div class="check">
          <input
            type="checkbox"
            id={`status-${s}`}
            name="statuses"
            value={s}
            checked={values.statuses.includes(s)}
          />
          <label for={`status-${s}`}>{STATUS_WORDS[s]}</label>
        </div>
      ))}
    </div>
  </fieldset>
);

/** The window and statuses to recover, and the button that counts what they select. */
const WindowForm = ({
  ws,
  destinationId,
  values,
  errorOf,
}: FormProps & { errorOf: (field: string) => string | undefined }) => (
  <section class="card form-card" aria-labelledby="window-title">
    <h2 id="window-title">Which deliveries</h2>
    <form method="get" action={urls.recover(ws, destinationId)} class="recover-form">
      <Field
        id="since"
        label="Created from (UTC)"
        hint={`At most ${RECOVERY_WINDOW_MS / 86_400_000} days before the end of the window.`}
        error={errorOf("since")}
      >
        <input
          class="input"
          type="datetime-local"
          id="since"
          name="since"
          value={values.since}
          required
          {...described("since", true, errorOf("since"))}
        />
      </Field>
      <Field id="until" label="Until (UTC, optional)" hint="Leave empty for now." error={errorOf("until")}>
        <input
          class="input"
          type="datetime-local"
          id="until"
          name="until"
          value={values.until}
          {...described("until", true, errorOf("until"))}
        />
      </Field>
      <StatusChecks values={values} error={errorOf("statuses")} />
      <div class="form-actions">
        <button type="submit" class="button button-secondary" name="count" value="1">
          Count deliveries
        </button>
        <a class="button button-ghost" href={urls.destination(ws, destinationId)}>
          Cancel
        </a>
      </div>
    </form>
  </section>
);

/** How many deliveries the window selects, and the button that recovers them. */
const ConfirmRecovery = ({ ws, destinationId, values, count }: FormProps & { count: number }) => (
  <section class="card form-card recover-confirm" aria-labelledby="count-title">
    <h2 id="count-title" role="status">
      {count === 1 ? "1 delivery matches" : `${count.toLocaleString("en-US")} deliveries match`}
    </h2>
    {count > 0 ? (
      <form method="post" action={urls.recover(ws, destinationId)}>
        <CsrfField />
        <Hidden values={values} />
        <p class="hint">
          They become pending again and go out in chunks; you can follow the progress, and leave the page.
        </p>
        <button type="submit" class="button">
          Recover {count === 1 ? "1 delivery" : `${count.toLocaleString("en-US")} deliveries`}
        </button>
      </form>
    ) : (
      <p class="muted">Nothing to recover in this window. Widen it, or choose both statuses.</p>
    )}
  </section>
);

export const RecoverPage = (props: RecoverPageProps) => {
  const { destination: d, values, count, error } = props;
  const ws = useWorkspace().uuid;
  const errorOf = (field: string) => (error?.field === field ? error.detail : undefined);
  return (
    <>
      <Breadcrumbs trail={crumbs(ws, d, "Recover deliveries")} />
      <PageHeader
        title="Recover deliveries"
        description={
          <>
            Send {d.name}'s failed and skipped deliveries again: the same deliveries (receivers can dedupe on
            X-Leadpush-Id), with new attempts, at the destination's own pace and rate limit.
          </>
        }
      />
      {props.refusal ? (
        <Refusal>
          {props.refusal}{" "}
          {props.runningId ? <a href={urls.recovery(ws, d.id, props.runningId)}>See its progress</a> : null}
        </Refusal>
      ) : null}
      <WindowForm ws={ws} destinationId={d.id} values={values} errorOf={errorOf} />
      {count !== null && !error ? (
        <ConfirmRecovery ws={ws} destinationId={d.id} values={values} count={count} />
      ) : null}
    </>
  );
};
