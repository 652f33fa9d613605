// The workspace's activity: its operational events, newest first, each in a sentence with a link to
// the destination it is about and to the event's own page (docs/lifecycle.md). A destination's page shows
// its own.
import type { ActivityItem } from "../../lifecycle/activity";
import { Breadcrumbs, PageHeader, Pill, type Tone } from "../components";
import { Time } from "../format";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";

type Payload = {
  destination?: { id?: string; name?: string };
  failing_since?: string | null;
  consecutive_failures?: number;
  disables_at?: string | null;
  recovered_at?: string;
  released?: number;
  reason?: string;
  disabled_reason?: string | null;
  delivery?: { id?: string; event_type?: string; attempts?: number };
  exhausted_count?: number;
  counting_since?: string | null;
  last_attempt?: { status?: number | null; error_class?: string | null };
};

const LABELS: Record<string, { word: string; tone: Tone }> = {
  "destination.failing": { word: "Failing", tone: "bad" },
  "destination.recovered": { word: "Recovered", tone: "ok" },
  "destination.disabled": { word: "Disabled", tone: "off" },
  "delivery.exhausted": { word: "Delivery failed", tone: "bad" },
};

const DISABLE_WORDS: Record<string, string> = {
  gone: "the receiver answered 410 Gone",
  failing: "it kept failing",
  manual: "someone disabled it",
};

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** What the event says, in a sentence after the destination's name. */
function sentence(type: string, p: Payload) {
  switch (type) {
    case "destination.failing":
      return (
        <>
          started failing: {plural(p.consecutive_failures ?? 0, "failure", "failures")} in a row
          {p.failing_since ? (
            <>
              {" "}
              since <Time iso={p.failing_since} />
            </>
          ) : null}
          {p.last_attempt?.status
            ? `, the last a ${p.last_attempt.status}`
            : p.last_attempt?.error_class
              ? `, the last a ${p.last_attempt.error_class.replace("_", " ")}`
              : ""}
          .
          {p.disables_at ? (
            <>
              {" "}
              It is disabled at <Time iso={p.disables_at} /> unless it answers.
            </>
          ) : null}
        </>
      );
    case "destination.recovered":
      return (
        <>
          recovered
          {p.failing_since ? (
            <>
              {" "}
              after failing since <Time iso={p.failing_since} />
            </>
          ) : null}
          ; {plural(p.released ?? 0, "waiting delivery goes", "waiting deliveries go")} out now.
        </>
      );
    case "destination.disabled":
      return <>was disabled: {p.disabled_reason ?? `${DISABLE_WORDS[p.reason ?? ""] ?? p.reason}.`}</>;
    default:
      return (
        <>
          had a delivery fail for good
          {p.delivery?.attempts ? ` after ${plural(p.delivery.attempts, "attempt", "attempts")}` : ""}
          {(p.exhausted_count ?? 1) > 1
            ? ` (${plural(p.exhausted_count ?? 0, "delivery", "deliveries")} since the last alert)`
            : ""}
          .
        </>
      );
  }
}

export const ActivityList = ({ ws, items }: { ws: string; items: ActivityItem[] }) =>
  items.length ? (
    <ol class="activity-list">
      {items.map((item) => {
        const p = item.payload as Payload;
        const label = LABELS[item.type] ?? { word: item.type, tone: "off" as Tone };
        const destinationId = p.destination?.id;
        return (
          <li class="activity-item">
            <Pill tone={label.tone}>{label.word}</Pill>
            <p>
              {destinationId ? (
                <a href={urls.destination(ws, destinationId)}>{p.destination?.name ?? destinationId}</a>
              ) : (
                "A destination"
              )}{" "}
              {sentence(item.type, p)}
            </p>
            <span class="muted activity-when">
              <Time iso={new Date(item.createdAt).toISOString()} /> ·{" "}
              <a href={urls.event(ws, item.id)}>
                <code>{item.type}</code>
              </a>
            </span>
          </li>
        );
      })}
    </ol>
  ) : (
    <p class="muted">
      Nothing yet. When a destination starts failing, recovers, is disabled, or a delivery fails for good, it
      shows here — and goes to every destination subscribed to these operational events.
    </p>
  );

export const ActivityPage = (props: { items: ActivityItem[]; nextBefore: string | null }) => {
  const ws = useWorkspace().uuid;
  return (
    <>
      <Breadcrumbs trail={[{ label: "Activity" }]} />
      <PageHeader
        title="Activity"
        description="What happened to this workspace's destinations, newest first: the operational events Leadpush announced."
      />
      <section class="card detail-card" aria-label="Operational events">
        <ActivityList ws={ws} items={props.items} />
        {props.nextBefore ? (
          <p>
            <a href={`${urls.activity(ws)}?before=${props.nextBefore}`}>Older</a>
          </p>
        ) : null}
      </section>
    </>
  );
};
