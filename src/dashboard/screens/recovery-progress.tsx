// A recovery's own page: its progress, refreshed while it runs, and its window, statuses and times.
import type { DestinationJson } from "../../destinations/schema";
import type { recoveryJson } from "../../lifecycle/recovery-schema";
import { Breadcrumbs, PageHeader, Pill } from "../components";
import { Time } from "../format";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";
import { crumbs } from "./recovery";

export type RecoveryView = ReturnType<typeof recoveryJson>;

export const RecoveryStatusPill = ({ status }: { status: RecoveryView["status"] }) =>
  status === "running" ? (
    <Pill tone="wait">Running</Pill>
  ) : status === "finished" ? (
    <Pill tone="ok">Finished</Pill>
  ) : (
    <Pill tone="off">Cancelled</Pill>
  );

/** A recovery's window, statuses and times. */
const RecoverySettings = ({ recovery: r }: { recovery: RecoveryView }) => (
  <dl class="settings settings-columns">
    <div class="setting">
      <dt>Window</dt>
      <dd>
        <Time iso={r.since} /> to <Time iso={r.until} />
      </dd>
    </div>
    <div class="setting">
      <dt>Statuses</dt>
      <dd>{r.statuses.join(", ")}</dd>
    </div>
    <div class="setting">
      <dt>Started</dt>
      <dd>
        <Time iso={r.created_at} />
      </dd>
    </div>
    {r.finished_at ? (
      <div class="setting">
        <dt>Finished</dt>
        <dd>
          <Time iso={r.finished_at} />
        </dd>
      </div>
    ) : null}
  </dl>
);

export const RecoveryPage = (props: { destination: DestinationJson; recovery: RecoveryView }) => {
  const { destination: d, recovery: r } = props;
  const ws = useWorkspace().uuid;
  return (
    <>
      <Breadcrumbs trail={crumbs(ws, d, "Recovery")} />
      <PageHeader
        title="Recovery"
        description={<>Failed and skipped deliveries of {d.name}, sent again.</>}
      />
      <section class="card detail-card" aria-labelledby="progress-title">
        <div class="card-title-row">
          <h2 id="progress-title">Progress</h2>
          <RecoveryStatusPill status={r.status} />
        </div>
        <p role="status" data-refresh-after={r.status === "running" ? "1500" : undefined}>
          {r.sent.toLocaleString("en-US")} of {r.total.toLocaleString("en-US")} deliveries pending again and
          queued
          {r.status === "running" ? "; this page checks again by itself." : "."}
        </p>
        <progress
          class="recover-progress"
          max={Math.max(1, r.total)}
          value={r.sent}
          aria-label="Deliveries queued"
        />
        {r.reason ? <p class="muted">Stopped: {r.reason}.</p> : null}
        <RecoverySettings recovery={r} />
        <p class="hint">
          Each delivery keeps its id and gets its next attempt; the history shows how each one went.{" "}
          <a href={`${urls.destination(ws, d.id)}#history`}>See the delivery history</a>
        </p>
      </section>
    </>
  );
};
