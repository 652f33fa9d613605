// …/destinations/{id}/deliveries/{deliveryId}: one delivery and its attempts, oldest first: the request
// (headers as stored, credentials already redacted), the response status and body excerpt, the duration
// and the error. Redeliver sends the same event again as a new delivery.
import type { attemptJson } from "../../deliveries/schema";
import type { DestinationJson } from "../../destinations/schema";
import { Breadcrumbs, CsrfField, Notice, PageHeader, Refusal, StatusPill } from "../components";
import { Time } from "../format";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";
import { AttemptCard } from "./attempt";
import type { DeliveryView } from "./delivery-history";

export type AttemptView = ReturnType<typeof attemptJson>;

export const DELIVERY_NOTICES = {
  test: "Test sent: a webhook.test event with a sample contact is on its way. Its attempt appears below.",
  redelivered: "Redelivery queued: this is a new delivery of the same event, with its own attempts.",
} as const;

export type DeliveryNotice = keyof typeof DELIVERY_NOTICES;

type DeliveryPageProps = {
  destination: DestinationJson;
  delivery: DeliveryView;
  attempts: AttemptView[];
  notice?: DeliveryNotice;
  alert?: string;
  /** Whether the page should look again soon: an attempt is under way or due within moments. */
  refresh: boolean;
};

const Summary = ({ ws, d }: { ws: string; d: DeliveryView }) => (
  <section class="card detail-card" aria-labelledby="summary-title">
    <h2 id="summary-title" class="visually-hidden">
      Summary
    </h2>
    <dl class="settings settings-columns">
      <div class="setting">
        <dt>Status</dt>
        <dd class="status-cell">
          <StatusPill status={d.status} />
          {d.status_reason ? <span class="muted">{d.status_reason}</span> : null}
        </dd>
      </div>
      <div class="setting">
        <dt>Event</dt>
        <dd>
          <code>{d.event_type}</code> <span class="mono muted event-id">{d.event_id}</span>
          <a class="hint" href={`${urls.event(ws, d.event_id)}?from=${d.destination_id}`}>
            Which destinations got this event, and why others did not
          </a>
        </dd>
      </div>
      <div class="setting">
        <dt>Delivery ID</dt>
        <dd>
          <code class="id">{d.id}</code>
          <span class="hint">Sent as X-Leadpush-Id on every attempt.</span>
        </dd>
      </div>
      <div class="setting">
        <dt>Created</dt>
        <dd>
          <Time iso={d.created_at} />
        </dd>
      </div>
      <div class="setting">
        <dt>Attempts</dt>
        <dd>{d.attempts_made}</dd>
      </div>
      {d.status === "pending" && d.next_attempt_at ? (
        <div class="setting">
          <dt>Next attempt</dt>
          <dd>
            <Time iso={d.next_attempt_at} />
          </dd>
        </div>
      ) : null}
    </dl>
  </section>
);

const RedeliverButton = ({ ws, d }: { ws: string; d: DeliveryView }) => (
  <form method="post" action={urls.redeliver(ws, d.destination_id, d.id)} class="inline-form">
    <CsrfField />
    <button type="submit" class="button button-secondary">
      Redeliver
    </button>
  </form>
);

export const DeliveryPage = (props: DeliveryPageProps) => {
  const { destination, delivery: d, attempts } = props;
  const ws = useWorkspace().uuid;
  return (
    <>
      <Breadcrumbs
        trail={[
          { label: "Integrations", href: urls.integrations(ws) },
          { label: "Webhooks", href: urls.webhooks(ws) },
          { label: "Destinations", href: urls.webhooks(ws) },
          { label: destination.name, href: `${urls.destination(ws, destination.id)}#history` },
          { label: "Delivery" },
        ]}
      />
      <PageHeader
        title="Delivery"
        description={
          <>
            <code>{d.event_type}</code> to {destination.name}
          </>
        }
        actions={<RedeliverButton ws={ws} d={d} />}
      />
      {props.notice ? <Notice>{DELIVERY_NOTICES[props.notice]}</Notice> : null}
      {props.alert ? <Refusal>{props.alert}</Refusal> : null}
      <Summary ws={ws} d={d} />
      <section class="attempts" aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        {props.refresh ? (
          <p class="waiting" role="status" data-refresh-after="1500">
            Waiting for the next attempt. This page checks again by itself every few seconds.
          </p>
        ) : null}
        {attempts.length ? (
          <ol class="attempt-list">
            {attempts.map((attempt) => (
              <li>
                <AttemptCard attempt={attempt} />
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">No attempts yet.</p>
        )}
      </section>
    </>
  );
};
