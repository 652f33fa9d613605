// /w/{ws}/integrations: the integrations list. Webhooks is the one integration there is.
import { PageHeader, Pill, WebhookIcon } from "../components";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";

type IntegrationsProps = {
  /** Whether the workspace has at least one webhook destination. */
  webhooksSetUp: boolean;
};

export const IntegrationsPage = ({ webhooksSetUp }: IntegrationsProps) => (
  <>
    <PageHeader
      title="Integrations"
      description="Connect Leadpush to the systems your team already uses. Choose an integration to configure it."
    />
    <ul class="card-grid" aria-label="Integrations">
      <li class="card integration-card">
        <span class="icon-tile">
          <WebhookIcon size={22} />
        </span>
        <h2>
          <a href={urls.webhooks(useWorkspace().uuid)}>Webhooks</a>
        </h2>
        <p>
          Send a signed HTTP request to your own endpoint whenever a contact is created, updated, deleted,
          subscribed or unsubscribed.
        </p>
        <div class="card-meta">
          {webhooksSetUp ? <Pill tone="ok">Set up</Pill> : <Pill tone="off">Not set up</Pill>}
          <span class="card-cta" aria-hidden="true">
            Open →
          </span>
        </div>
      </li>
    </ul>
  </>
);
