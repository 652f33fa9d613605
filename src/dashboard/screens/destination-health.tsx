// A destination's flow state in words: the failing banner on its page, and the note under its state in
// the destinations list (docs/flow-control.md).
import type { DestinationJson } from "../../destinations/schema";
import { PROBE_MAX_MS } from "../../limits";
import { Pill } from "../components";
import { Time } from "../format";
import { urls } from "../urls";

type Flow = Pick<DestinationJson, "failing_since" | "consecutive_failures" | "next_probe_at" | "enabled">;

/**
 * Shown at the top of a failing destination's page: since when, how many failures, the next probe, and
 * when it will be disabled if no probe succeeds.
 */
export const FailingBanner = ({
  destination: d,
  disablesAt,
}: {
  destination: Flow;
  disablesAt: string | null;
}) =>
  d.enabled && d.failing_since ? (
    <section class="alert alert-warning failing-banner" aria-labelledby="failing-title">
      <div>
        <h2 id="failing-title">This destination is failing</h2>
        <p>
          Its last {d.consecutive_failures} attempts failed, the first at <Time iso={d.failing_since} />.
          Leadpush now sends it one delivery at a time as a probe
          {d.next_probe_at ? (
            <>
              {" "}
              (the next at <Time iso={d.next_probe_at} />)
            </>
          ) : null}
          , backing off to one every {PROBE_MAX_MS / 60_000} minutes. Its other deliveries wait without using
          up their retries, and all go out as soon as a probe succeeds.
        </p>
        {disablesAt ? (
          <p>
            If no probe succeeds by <Time iso={disablesAt} />, Leadpush disables it and keeps its waiting
            deliveries as skipped, to recover once the receiver is back.{" "}
            <a href={urls.troubleshooting()}>Troubleshooting</a>
          </p>
        ) : null}
      </div>
    </section>
  ) : null;

/** The list's word for a failing destination, beside its enabled pill. */
export const FlowNote = ({ destination: d }: { destination: Flow }) =>
  d.enabled && d.failing_since ? (
    <span class="state-reason">
      <Pill tone="bad">Failing</Pill> since <Time iso={d.failing_since} />, {d.consecutive_failures} failures
      in a row
    </span>
  ) : null;
