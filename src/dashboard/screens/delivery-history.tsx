// A destination's delivery history: newest first, filtered by status, 20 to a page with the API's
// cursor. Each row opens the delivery and its attempts.
import type { DeliveryStatus } from "../../db/history-schema";
import type { deliveryJson } from "../../deliveries/schema";
import { DataTable, EmptyState, Pagination, STATUS_LOOK, StatusPill } from "../components";
import { Time } from "../format";
import { urls } from "../urls";

export type DeliveryView = ReturnType<typeof deliveryJson>;

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
  <DataTable
    className="history-table"
    caption="Deliveries, newest first"
    head={
      <>
        <th scope="col">Status</th>
        <th scope="col">Event</th>
        <th scope="col">Created</th>
        <th scope="col">Attempts</th>
      </>
    }
  >
    {deliveries.map((d) => (
      <HistoryRow ws={ws} d={d} />
    ))}
  </DataTable>
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
        <EmptyState small>
          {status
            ? `No ${STATUS_LOOK[status].label.toLowerCase()} deliveries${paged ? " on this page" : ""}.`
            : "No deliveries yet. Send a test to see one here."}
        </EmptyState>
      )}
      <Pagination
        label="Delivery history pages"
        first={paged ? { href: historyUrl(ws, destinationId, status), label: "← Newest" } : undefined}
        next={
          nextCursor
            ? { href: historyUrl(ws, destinationId, status, nextCursor), label: "Older →" }
            : undefined
        }
      />
    </section>
  );
};
