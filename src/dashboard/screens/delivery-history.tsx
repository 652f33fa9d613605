// A destination's delivery history: newest first, filtered by status, 20 to a page with the API's
// cursor. Each row opens the delivery and its attempts.
import type { DeliveryStatus } from "../../db/schema";
import type { deliveryJson } from "../../deliveries/schema";
import { Pill, type Tone } from "../components";
import { Time } from "../format";
import { urls } from "../urls";

export type DeliveryView = ReturnType<typeof deliveryJson>;

export const STATUS_LOOK: Record<DeliveryStatus, { tone: Tone; label: string }> = {
  succeeded: { tone: "ok", label: "Succeeded" },
  failed: { tone: "bad", label: "Failed" },
  pending: { tone: "wait", label: "Pending" },
  skipped: { tone: "off", label: "Skipped" },
};

export const StatusPill = ({ status }: { status: DeliveryStatus }) => (
  <Pill tone={STATUS_LOOK[status].tone}>{STATUS_LOOK[status].label}</Pill>
);

const FILTERS: (DeliveryStatus | undefined)[] = [undefined, "succeeded", "failed", "pending", "skipped"];

export type HistoryProps = {
  ws: string;
  destinationId: string;
  deliveries: DeliveryView[];
  status?: DeliveryStatus;
  nextCursor: string | null;
  paged: boolean;
  retentionDays: number;
};

function historyUrl(ws: string, id: string, status?: DeliveryStatus, cursor?: string) {
  const query = new URLSearchParams();
  if (status) query.set("status", status);
  if (cursor) query.set("cursor", cursor);
  const search = query.toString() ? `?${query}` : "";
  return `${urls.destination(ws, id)}${search}#history`;
}

const HistoryRow = ({ ws, d }: { ws: string; d: DeliveryView }) => (
  <tr>
    <td data-label="Status">
      <StatusPill status={d.status} />
    </td>
    <td data-label="Event" class="cell-event">
      <div>
        <a href={urls.delivery(ws, d.destination_id, d.id)}>{d.event_type}</a>
        <span class="mono muted event-id">{d.event_id}</span>
      </div>
    </td>
    <td data-label="Created">
      <Time iso={d.created_at} />
    </td>
    <td data-label="Attempts">{d.attempts_made}</td>
  </tr>
);

const Filters = ({ ws, destinationId, status }: Pick<HistoryProps, "ws" | "destinationId" | "status">) => (
  <nav class="filters" aria-label="Filter deliveries by status">
    {FILTERS.map((filter) => (
      <a
        class="filter"
        href={historyUrl(ws, destinationId, filter)}
        aria-current={filter === status ? "page" : undefined}
      >
        {filter ? STATUS_LOOK[filter].label : "All"}
      </a>
    ))}
  </nav>
);

const HistoryTable = ({ ws, deliveries }: { ws: string; deliveries: DeliveryView[] }) => (
  <div class="card table-card">
    <table class="data-table history-table">
      <caption class="visually-hidden">Deliveries, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Event</th>
          <th scope="col">Created</th>
          <th scope="col">Attempts</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <HistoryRow ws={ws} d={d} />
        ))}
      </tbody>
    </table>
  </div>
);

export const DeliveryHistory = (props: HistoryProps) => {
  const { ws, destinationId, deliveries, status, nextCursor, paged } = props;
  return (
    <section id="history" class="history" aria-labelledby="history-title" tabindex={-1}>
      <div class="section-header">
        <div>
          <h2 id="history-title">Delivery history</h2>
          <p>Newest first. Deliveries are kept for {props.retentionDays} days.</p>
        </div>
      </div>
      <Filters ws={ws} destinationId={destinationId} status={status} />
      {deliveries.length ? (
        <HistoryTable ws={ws} deliveries={deliveries} />
      ) : (
        <div class="empty-state empty-small">
          <p>
            {status
              ? `No ${STATUS_LOOK[status].label.toLowerCase()} deliveries${paged ? " on this page" : ""}.`
              : "No deliveries yet. Send a test to see one here."}
          </p>
        </div>
      )}
      {nextCursor || paged ? (
        <nav class="pagination" aria-label="Delivery history pages">
          {paged ? (
            <a class="button button-secondary button-small" href={historyUrl(ws, destinationId, status)}>
              ← Newest
            </a>
          ) : (
            <span />
          )}
          {nextCursor ? (
            <a
              class="button button-secondary button-small"
              href={historyUrl(ws, destinationId, status, nextCursor)}
            >
              Older →
            </a>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
};
