// The destinations list: a table on wide screens, stacked cards on narrow ones (CSS only). Each cell
// has a data-label, which the stacked layout shows in place of the column header.
import type { DestinationHealth } from "../../deliveries/health";
import { HEALTH_WINDOW } from "../../limits";
import { DataTable, EnabledPill, StatusPill } from "../components";
import { urls } from "../urls";
import { FlowNote } from "./destination-health";
import type { DestinationView } from "./webhooks";

/** A share as a whole percentage that never rounds up to 100 % or down to 0 % when it is not. */
export function formatRate(rate: number): string {
  if (rate === 1 || rate === 0) return `${rate * 100}%`;
  return `${Math.min(99, Math.max(1, Math.round(rate * 100)))}%`;
}

export const formatDuration = (ms: number) =>
  ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

export const HealthSummary = ({ health }: { health: DestinationHealth | undefined }) => {
  if (!health?.latest) return <span class="muted nowrap">No deliveries yet</span>;
  const figures = [
    health.successRate === null ? "none finished yet" : `${formatRate(health.successRate)} success`,
    health.medianDurationMs === null ? null : `${formatDuration(health.medianDurationMs)} median`,
  ].filter(Boolean);
  return (
    <div class="health">
      <span>
        <span class="visually-hidden">Latest delivery: </span>
        <StatusPill status={health.latest} />
      </span>
      <span class="health-figures">
        {figures.map((figure) => (
          <span>{figure}</span>
        ))}
      </span>
    </div>
  );
};

/** A URL template that may break after `/`, `?`, `&` and `=`, so a long one wraps where it reads well. */
const UrlText = ({ url }: { url: string }) => (
  <span class="url">
    {url.split(/(?<=[/?&=])/).map((part, index) => (
      <>
        {index ? <wbr /> : null}
        {part}
      </>
    ))}
  </span>
);

const EventList = ({ types }: { types: string[] }) =>
  types.length ? (
    <ul class="chips">
      {types.map((type) => (
        <li class="chip">{type}</li>
      ))}
    </ul>
  ) : (
    <span class="muted">None</span>
  );

const DestinationRow = ({
  ws,
  d,
  health,
}: {
  ws: string;
  d: DestinationView;
  health?: DestinationHealth;
}) => (
  <tr>
    <td class="cell-name" data-label="Name">
      <a href={urls.destination(ws, d.id)}>{d.name}</a>
    </td>
    <td data-label="Endpoint">
      <div class="endpoint">
        <span class="method">{d.method}</span>
        <UrlText url={d.url_template} />
      </div>
    </td>
    <td data-label="State">
      <div class="health">
        <EnabledPill enabled={d.enabled} />
        {!d.enabled && d.disabled_reason ? <span class="state-reason">{d.disabled_reason}</span> : null}
        <FlowNote destination={d} />
      </div>
    </td>
    <td data-label="Events">
      <EventList types={d.event_types} />
    </td>
    <td data-label="Health">
      <HealthSummary health={health} />
    </td>
  </tr>
);

type TableProps = { ws: string; destinations: DestinationView[]; health: Map<string, DestinationHealth> };

export const DestinationsTable = ({ ws, destinations, health }: TableProps) => (
  <DataTable
    caption="Destinations"
    head={
      <>
        <th scope="col">Name</th>
        <th scope="col">
          <span aria-hidden="true">Endpoint</span>
          <span class="visually-hidden">Method and URL template</span>
        </th>
        <th scope="col">State</th>
        <th scope="col">Events</th>
        <th scope="col">Health</th>
      </>
    }
  >
    {destinations.map((d) => (
      <DestinationRow ws={ws} d={d} health={health.get(d.id)} />
    ))}
  </DataTable>
);

export const HealthNote = () => (
  <p class="table-note">
    Health covers each destination's latest {HEALTH_WINDOW} deliveries: the outcome of the newest one, the
    share of finished deliveries that succeeded, and the median time their last attempt took.
  </p>
);
