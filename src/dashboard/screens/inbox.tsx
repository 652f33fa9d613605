// /w/{ws}/inbox (development only): the local inbox's requests, newest first, as they arrive — each with
// what was sent (method, URL, headers, body), what the inbox answered, and whose secret verifies it.
import type { InboxRequest } from "../../inbox/inbox";
import { INBOX_BODY_BYTES } from "../../limits";
import {
  Breadcrumbs,
  CsrfField,
  EmptyState,
  HeaderList,
  InboxIcon,
  Notice,
  PageHeader,
  Pill,
} from "../components";
import { httpStatus, Time } from "../format";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";

/** The destinations of this workspace a verdict may name: id → name. */
export type DestinationNames = Map<string, string>;

type InboxPageProps = {
  name: string;
  /** Where a destination sends to reach this inbox. */
  url: string;
  requests: InboxRequest[];
  names: DestinationNames;
  cleared?: boolean;
};

const SECRET_WORDS = { current: "current secret", previous: "previous secret" } as const;

function Verdict({ request, names, ws }: { request: InboxRequest; names: DestinationNames; ws: string }) {
  const by = request.verified_by;
  if (!by) {
    const signed = request.headers.some(([name]) => name === "x-leadpush-signature");
    return signed ? <Pill tone="bad">Not verified</Pill> : <Pill tone="off">Unsigned</Pill>;
  }
  const name = names.get(by.destination_id);
  return (
    <span class="inbox-verdict">
      <Pill tone="ok">Verified</Pill>
      <span>
        {name ? (
          <a href={urls.destination(ws, by.destination_id)}>{name}</a>
        ) : (
          <span class="muted">a destination of another workspace</span>
        )}
        <span class="muted"> · {by.secrets.map((s) => SECRET_WORDS[s]).join(" and ")}</span>
      </span>
    </span>
  );
}

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/** One request; the newest opens by itself. */
export const InboxRequestItem = ({
  request: r,
  names,
  ws,
  open = false,
}: {
  request: InboxRequest;
  names: DestinationNames;
  ws: string;
  open?: boolean;
}) => (
  <li class="card inbox-request" data-inbox-request={r.id}>
    <details open={open}>
      <summary class="inbox-summary">
        <span class="method">{r.method}</span>
        <span class="url inbox-path">{pathOf(r.url)}</span>
        <Verdict request={r} names={names} ws={ws} />
        <span class="muted inbox-when">
          <Time iso={r.received_at} /> · answered {r.answered_status}
        </span>
      </summary>
      <div class="inbox-detail">
        <p class={r.verified_by ? "inbox-signature" : "inbox-signature muted"}>{r.signature_detail}</p>
        <dl class="settings">
          <div class="setting">
            <dt>Request</dt>
            <dd class="request-line">
              <span class="method">{r.method}</span> <span class="url">{r.url}</span>
            </dd>
          </div>
          <div class="setting">
            <dt>Answered</dt>
            <dd>{httpStatus(r.answered_status)}</dd>
          </div>
        </dl>
        <details class="attempt-section" open>
          <summary>Headers ({r.headers.length})</summary>
          <HeaderList headers={r.headers} />
        </details>
        <div class="attempt-section">
          <h4>
            Body <span class="muted">({r.body_bytes} bytes)</span>
          </h4>
          {r.body ? <pre class="code-block">{r.body}</pre> : <p class="muted">Empty.</p>}
          {r.body_truncated ? (
            <p class="hint">Only the first {INBOX_BODY_BYTES / 1024} KiB are kept.</p>
          ) : null}
        </div>
      </div>
    </details>
  </li>
);

/** The list and its empty state; the page's script asks for newer items every two seconds. */
export const InboxList = ({
  requests,
  names,
  ws,
  openFirst,
}: {
  requests: InboxRequest[];
  names: DestinationNames;
  ws: string;
  openFirst: boolean;
}) => (
  <>
    {requests.map((request, i) => (
      <InboxRequestItem request={request} names={names} ws={ws} open={openFirst && i === 0} />
    ))}
  </>
);

const UrlBox = ({ url }: { url: string }) => (
  <div class="field inbox-url">
    <label for="inbox-url">Inbox URL</label>
    <div class="copy-field">
      <input class="input mono" id="inbox-url" value={url} readonly spellcheck={false} />
      {/* Shown by the dialog script: without script, select the URL and copy it by hand. */}
      <button type="button" class="button button-secondary" data-copy="inbox-url" hidden>
        Copy
      </button>
    </div>
    <p class="hint">
      Use it as a destination's URL Template (any path below it and any method works). Add{" "}
      <code>?status=503</code> to answer with another status and try how failures are retried.
    </p>
    <p class="copy-status" role="status" data-copy-status />
  </div>
);

export const InboxPage = (props: InboxPageProps) => {
  const ws = useWorkspace().uuid;
  const latest = props.requests[0]?.id ?? 0;
  return (
    <>
      <Breadcrumbs trail={[{ label: "Developers" }, { label: "Inbox" }]} />
      <PageHeader
        title="Inbox"
        description="A receiver inside this development server: see each request a destination sends, exactly as sent, and whether its signature verifies. It exists only in development."
      />
      {props.cleared ? <Notice>The inbox is empty again.</Notice> : null}
      <section class="card detail-card inbox-setup" aria-label="Inbox">
        <UrlBox url={props.url} />
        <div class="inbox-tools">
          <form method="get" action={urls.inbox(ws)} class="inline-form inbox-switch">
            <label for="inbox-name">Inbox name</label>
            <input
              class="input input-narrow mono"
              id="inbox-name"
              name="name"
              value={props.name}
              maxlength={64}
            />
            <button type="submit" class="button button-secondary button-small">
              Open
            </button>
          </form>
          <form method="post" action={urls.clearInbox(ws)} class="inline-form">
            <CsrfField />
            <input type="hidden" name="name" value={props.name} />
            <button type="submit" class="button button-secondary button-small">
              Clear
            </button>
          </form>
        </div>
      </section>
      <h2 class="inbox-heading">
        Requests <span class="muted">(newest first, the last 50 here; the API lists up to 500)</span>
      </h2>
      <p class="muted inbox-live" role="status" data-inbox-status>
        <a href={urls.inbox(ws, props.name)}>Refresh</a> to see new requests.
      </p>
      <ol
        class="inbox-list"
        data-inbox-live={`${urls.inboxRequests(ws)}?name=${encodeURIComponent(props.name)}`}
        data-inbox-after={latest}
      >
        <InboxList requests={props.requests} names={props.names} ws={ws} openFirst />
      </ol>
      {props.requests.length === 0 ? (
        <EmptyState icon={<InboxIcon size={22} />} title="No requests yet" marker="data-inbox-empty">
          Point a destination at the URL above and send a test from its page: the request appears here as it
          arrives.
        </EmptyState>
      ) : null}
    </>
  );
};
