// /docs/troubleshooting: what each error class and common status of an attempt means and what the
// receiver's owner should do — the section the product documentation was cut off at. Public, like /docs;
// the attempt view links each failed attempt to its section here.
import { ALL_HINTS } from "../../deliveries/troubleshooting";
import { AUTO_DISABLE_DEFAULT_HOURS, FAILING_AFTER, MAX_ATTEMPTS, RETRY_DELAYS_SECONDS } from "../../limits";
import { urls } from "../urls";
import { PublicHeader } from "./page";

/** The retry schedule's whole length, in hours. */
const RETRY_HOURS = Math.round(RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0) / 3600);

export const TroubleshootingPage = () => (
  <>
    <PublicHeader title="Troubleshooting" link={{ href: urls.docs, label: "API reference" }} />
    <div class="docs-layout">
      <nav class="docs-toc" aria-label="Troubleshooting contents">
        <ul>
          {ALL_HINTS.map((h) => (
            <li>
              <a href={`#${h.anchor}`}>{h.title}</a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="docs-main" tabindex={-1}>
        <section class="docs-intro" aria-labelledby="troubleshooting-title">
          <h1 id="troubleshooting-title">Troubleshooting deliveries</h1>
          <p class="lead">
            Every attempt of a delivery is recorded with its request, the receiver's answer and, when it
            failed, an error class. Here is what each means and what the receiver's owner should do.
          </p>
          <p class="muted">
            A delivery is tried up to {MAX_ATTEMPTS} times over about {RETRY_HOURS} hours. After{" "}
            {FAILING_AFTER} failures in a row a destination is failing: Leadpush probes it instead of sending
            everything, announces <code>destination.failing</code>, and disables it after{" "}
            {AUTO_DISABLE_DEFAULT_HOURS / 24} days. What failed or was skipped can be recovered in bulk from
            the destination's page once the receiver is back.
          </p>
        </section>
        {ALL_HINTS.map((h) => (
          <section class="card trouble" id={h.anchor} aria-labelledby={`${h.anchor}-title`}>
            <h2 id={`${h.anchor}-title`}>{h.title}</h2>
            <p>{h.meaning}</p>
            <p>
              <strong>What to do:</strong> {h.action}
            </p>
          </section>
        ))}
      </main>
    </div>
  </>
);
