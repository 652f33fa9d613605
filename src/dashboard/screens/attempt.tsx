// One attempt of a delivery, as it was recorded: when, the request sent (credentials redacted when it
// was stored), the answer, how long it took, and the error class and message when it failed.
import type { attemptJson } from "../../deliveries/schema";
import { type Hint, troubleshoot } from "../../deliveries/troubleshooting";
import { RESPONSE_EXCERPT_BYTES } from "../../limits";
import { HeaderList, Pill } from "../components";
import { httpStatus, Time } from "../format";
import { urls } from "../urls";
import { formatDuration } from "./destinations-table";

type AttemptView = ReturnType<typeof attemptJson>;

const ERROR_WORDS: Record<NonNullable<AttemptView["error_class"]>, string> = {
  timeout: "Timed out",
  network_error: "Network error",
  http_status: "Not a 2xx answer",
  destination_blocked: "URL not allowed",
  template_error: "Template error",
  internal_error: "Internal error",
};

const Outcome = ({ attempt }: { attempt: AttemptView }) =>
  attempt.error_class === null ? (
    <Pill tone="ok">Succeeded</Pill>
  ) : (
    <Pill tone="bad">{ERROR_WORDS[attempt.error_class]}</Pill>
  );

/** What the failure means and what the receiver's owner should do, with its Troubleshooting section. */
const TroubleHint = ({ hint }: { hint: Hint }) => (
  <aside class="trouble-hint" aria-label={`What ${hint.title} means`}>
    <p class="trouble-title">{hint.title}</p>
    <p>{hint.meaning}</p>
    <p>
      <strong>What to do:</strong> {hint.action}{" "}
      <a href={urls.troubleshooting(hint.anchor)}>More in Troubleshooting</a>
    </p>
  </aside>
);

export const AttemptCard = ({ attempt: a }: { attempt: AttemptView }) => {
  const hint = troubleshoot(a);
  return (
    <article class="card attempt" aria-labelledby={`attempt-${a.number}`}>
      <header class="attempt-header">
        <h3 id={`attempt-${a.number}`}>Attempt {a.number}</h3>
        <Outcome attempt={a} />
        <span class="muted attempt-when">
          <Time iso={a.started_at} /> · {formatDuration(a.duration_ms)}
        </span>
      </header>
      <dl class="settings">
        <div class="setting">
          <dt>Request</dt>
          <dd class="request-line">
            <span class="method">{a.request.method}</span> <span class="url">{a.request.url}</span>
          </dd>
        </div>
        <div class="setting">
          <dt>Response status</dt>
          <dd>
            {a.response_status === null ? (
              <span class="muted">No response</span>
            ) : (
              httpStatus(a.response_status)
            )}
          </dd>
        </div>
        <div class="setting">
          <dt>Duration</dt>
          <dd>{formatDuration(a.duration_ms)}</dd>
        </div>
        {a.error_class ? (
          <div class="setting">
            <dt>Error</dt>
            <dd>
              <code>{a.error_class}</code>
              {a.error_message ? <span class="error-message">{a.error_message}</span> : null}
            </dd>
          </div>
        ) : null}
      </dl>
      {hint ? <TroubleHint hint={hint} /> : null}
      <details class="attempt-section" open>
        <summary>Request headers ({a.request.headers.length})</summary>
        <HeaderList headers={a.request.headers} />
      </details>
      <div class="attempt-section">
        <h4>Response body</h4>
        {a.response_body ? <pre class="code-block">{a.response_body}</pre> : <p class="muted">Empty.</p>}
        <p class="hint">The first {RESPONSE_EXCERPT_BYTES / 1024} KiB of the response are kept.</p>
      </div>
    </article>
  );
};
