// …/destinations/{id}: a destination's page. Its settings and actions (send a test, edit, enable or
// disable, rotate the secret, delete) and its delivery history. After a create or a rotation, the
// one-time secret dialog.
import type { DestinationJson } from "../../destinations/schema";
import type { ActivityItem } from "../../lifecycle/activity";
import { Breadcrumbs, CsrfField, EnabledPill, Notice, Refusal } from "../components";
import { useWorkspace } from "../request-context";
import type { Reveal } from "../reveals";
import { urls } from "../urls";
import { ActivityList } from "./activity";
import { DeleteDialog } from "./delete-destination";
import { DeliveryHistory, type HistoryProps } from "./delivery-history";
import { DangerCard, SecretCard, SettingsCard, StateCard } from "./destination-cards";
import { FailingBanner } from "./destination-health";
import { SecretDialog } from "./secret-dialog";

export const DESTINATION_NOTICES = {
  saved: "Changes saved.",
  enabled:
    "Destination enabled. New events are delivered to it again; deliveries skipped while it was disabled are not resent by themselves.",
  disabled:
    "Destination disabled. Its configuration, subscriptions and history are kept; new events create no deliveries for it.",
} as const;

export type DestinationNotice = keyof typeof DESTINATION_NOTICES;

export type DestinationPageProps = {
  destination: DestinationJson;
  history: Omit<HistoryProps, "ws" | "destinationId">;
  reveal?: Reveal | null;
  notice?: DestinationNotice;
  /** Why the last action was refused (a test of a disabled destination). */
  alert?: string;
  rotateError?: string;
  /** When it failed for this long, Leadpush disables it (shown while it is failing). */
  disablesAt?: string | null;
  /** The recovery running now, if one is. */
  recovery?: { id: string; sent: number; total: number } | null;
  /** After re-enabling: where the offered recovery of skipped deliveries starts. */
  recoverSince?: string;
  /** Its latest operational events. */
  activity?: ActivityItem[];
};

const Header = ({ ws, d }: { ws: string; d: DestinationJson }) => (
  <div class="page-header">
    <div class="page-title">
      <div class="title-row">
        <h1>{d.name}</h1>
        <EnabledPill enabled={d.enabled} />
      </div>
      <p class="endpoint-line">
        <span class="method">{d.method}</span> <span class="url">{d.url_template}</span>
      </p>
    </div>
    <div class="header-actions">
      <form method="post" action={urls.destinationAction(ws, d.id, "test")} class="inline-form">
        <CsrfField />
        <button type="submit" class="button">
          Send test
        </button>
      </form>
      <a class="button button-secondary" href={urls.editDestination(ws, d.id)}>
        Edit
      </a>
      {d.enabled ? (
        <a class="button button-secondary" href={urls.recover(ws, d.id)}>
          Recover deliveries…
        </a>
      ) : null}
    </div>
  </div>
);

/** What the last action did, what was refused, and a running recovery. */
const Notices = (props: DestinationPageProps & { ws: string; d: DestinationPageProps["destination"] }) => {
  const { ws, d } = props;
  return (
    <>
      {props.notice ? (
        <Notice>
          {DESTINATION_NOTICES[props.notice]}
          {props.notice === "enabled" && props.recoverSince ? (
            <>
              {" "}
              <a href={urls.recover(ws, d.id, { since: props.recoverSince, statuses: "skipped" })}>
                Recover skipped deliveries…
              </a>
            </>
          ) : null}
        </Notice>
      ) : null}
      {props.alert ? <Refusal>{props.alert}</Refusal> : null}
      {props.recovery ? (
        <div class="alert alert-info" role="status">
          <p>
            A recovery is running: {props.recovery.sent.toLocaleString("en-US")} of{" "}
            {props.recovery.total.toLocaleString("en-US")} deliveries sent again so far.{" "}
            <a href={urls.recovery(ws, d.id, props.recovery.id)}>See its progress</a>
          </p>
        </div>
      ) : null}
    </>
  );
};

export const DestinationPage = (props: DestinationPageProps) => {
  const { destination: d, reveal } = props;
  const ws = useWorkspace().uuid;
  return (
    <>
      {reveal ? (
        <SecretDialog
          reason={reveal.reason}
          secret={reveal.secret}
          destinationName={d.name}
          previousExpiresAt={d.previous_secret_expires_at}
        />
      ) : null}
      <Breadcrumbs
        trail={[
          { label: "Integrations", href: urls.integrations(ws) },
          { label: "Webhooks", href: urls.webhooks(ws) },
          { label: "Destinations", href: urls.webhooks(ws) },
          { label: d.name },
        ]}
      />
      <Header ws={ws} d={d} />
      <Notices ws={ws} d={d} {...props} />
      <FailingBanner destination={d} disablesAt={props.disablesAt ?? null} />
      <div class="detail-grid">
        <SettingsCard destination={d} />
        <div class="detail-side">
          <StateCard ws={ws} destination={d} />
          <SecretCard ws={ws} destination={d} error={props.rotateError} />
        </div>
      </div>
      {props.activity?.length ? (
        <section class="card detail-card stacked" aria-labelledby="activity-title">
          <div class="card-title-row">
            <h2 id="activity-title">Activity</h2>
            <a href={urls.activity(ws)}>All activity</a>
          </div>
          <ActivityList ws={ws} items={props.activity} />
        </section>
      ) : null}
      <DeliveryHistory ws={ws} destinationId={d.id} {...props.history} />
      <DangerCard ws={ws} destination={d} />
      <DeleteDialog ws={ws} destination={d} />
    </>
  );
};
