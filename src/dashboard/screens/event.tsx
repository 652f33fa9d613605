// …/events/{eventId}: one stored event, and for each destination of the workspace its deliveries of it
// or, in words, why it got none (src/events/explain.ts) — "why did this destination not get it?". Reached
// from a delivery's page and from the activity.
import type { DestinationVerdict, NoDeliveryReason } from "../../events/explain";
import { Breadcrumbs, DataTable, PageHeader, Pill, StatusPill } from "../components";
import { Time } from "../format";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";

const REASON_WORDS: Record<NoDeliveryReason, string> = {
  not_subscribed: "Not subscribed to this event type.",
  disabled: "Disabled, so it gets no deliveries.",
  filtered_out: "Its filter does not match this event.",
  created_after: "Created after this event arrived.",
  about_itself: "This alert is about it, and an alert never goes to the destination it is about.",
  changed_since:
    "It would get it now: when the event arrived it was not subscribed, enabled, or matching its filter.",
};

export type EventView = {
  id: string;
  type: string;
  occurredAt: string | null;
  createdAt: string;
  payload: string;
};

type EventPageProps = {
  event: EventView;
  destinations: DestinationVerdict[];
  /** The next page of destinations, when there is one. */
  nextCursor: string | null;
  /** The destination whose delivery led here, listed first. */
  from?: string;
};

const Verdict = ({ ws, d }: { ws: string; d: DestinationVerdict }) => (
  <tr>
    <td class="destination-cell">
      <a href={urls.destination(ws, d.id)}>{d.name}</a> {d.enabled ? null : <Pill tone="off">Disabled</Pill>}
    </td>
    <td>
      {d.deliveries.length ? (
        <ul class="verdict-list">
          {d.deliveries.map((delivery) => (
            <li>
              <StatusPill status={delivery.status} />{" "}
              <a href={urls.delivery(ws, d.id, delivery.id)}>
                <code>{delivery.id}</code>
              </a>
            </li>
          ))}
        </ul>
      ) : d.reason ? (
        <span>
          {REASON_WORDS[d.reason]}
          {d.detail ? (
            <>
              {" "}
              <span class="muted">
                {d.reason === "filtered_out" ? (
                  <>
                    Failed at <code>{d.detail}</code>.
                  </>
                ) : (
                  d.detail
                )}
              </span>
            </>
          ) : null}
        </span>
      ) : null}
    </td>
  </tr>
);

/** When the event came and what it carried. */
const EventSummary = ({ event: e }: { event: EventPageProps["event"] }) => (
  <section class="card detail-card stacked" aria-labelledby="event-title">
    <h2 id="event-title" class="visually-hidden">
      The event
    </h2>
    <dl class="settings settings-columns">
      <div class="setting">
        <dt>Received</dt>
        <dd>
          <Time iso={e.createdAt} />
        </dd>
      </div>
      {e.occurredAt ? (
        <div class="setting">
          <dt>Occurred</dt>
          <dd>
            <Time iso={e.occurredAt} />
          </dd>
        </div>
      ) : null}
    </dl>
    <details class="attempt-section">
      <summary>Payload</summary>
      <pre class="code-block">{e.payload}</pre>
    </details>
  </section>
);

export const EventPage = (props: EventPageProps) => {
  const { event: e } = props;
  const ws = useWorkspace().uuid;
  const ordered = props.from
    ? [...props.destinations].sort((a, b) => Number(b.id === props.from) - Number(a.id === props.from))
    : props.destinations;
  return (
    <>
      <Breadcrumbs trail={[{ label: "Activity", href: urls.activity(ws) }, { label: "Event" }]} />
      <PageHeader
        title="Event"
        description={
          <>
            <code>{e.type}</code> <span class="mono muted">{e.id}</span>
          </>
        }
      />
      <EventSummary event={e} />
      <section class="card detail-card" aria-labelledby="destinations-title">
        <h2 id="destinations-title">Who got it</h2>
        <p class="card-intro">
          Each destination of the workspace, with its deliveries of this event or why it has none.
        </p>
        <DataTable
          className="event-table"
          card={false}
          head={
            <>
              <th scope="col">Destination</th>
              <th scope="col">Deliveries, or why none</th>
            </>
          }
        >
          {ordered.map((d) => (
            <Verdict ws={ws} d={d} />
          ))}
        </DataTable>
        {props.nextCursor ? (
          <p>
            <a href={`${urls.event(ws, e.id)}?cursor=${props.nextCursor}`}>More destinations</a>
          </p>
        ) : null}
      </section>
    </>
  );
};
