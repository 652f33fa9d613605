// /w/{ws}/integrations/webhooks: the Webhooks page, on its Destinations tab (the documentation's
// "On the Destinations tab, click Create Destination").
import type { DestinationHealth } from "../../deliveries/health";
import type { DestinationJson } from "../../destinations/schema";
import { Breadcrumbs, EmptyState, Notice, PageHeader, Pagination, WebhookIcon } from "../components";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";
import { DestinationsTable, HealthNote } from "./destinations-table";

export type DestinationView = DestinationJson;

type WebhooksProps = {
  destinations: DestinationView[];
  health: Map<string, DestinationHealth>;
  /** The cursor of the next page, if there is one. */
  nextCursor: string | null;
  /** True when this is not the first page. */
  paged: boolean;
  /** True right after a destination was deleted. */
  deleted?: boolean;
};

const CreateDestinationButton = ({ ws }: { ws: string }) => (
  <a class="button" href={urls.newDestination(ws)}>
    <span aria-hidden="true">+</span> Create Destination
  </a>
);

const EmptyDestinations = ({ ws }: { ws: string }) => (
  <EmptyState
    icon={<WebhookIcon size={22} />}
    title="No destinations yet"
    actions={
      <>
        <CreateDestinationButton ws={ws} />
        <a href={`${urls.docs}#tag-destinations`}>Or create one with the API</a>
      </>
    }
  >
    A destination is an endpoint Leadpush calls when a contact event it subscribes to happens. Create one to
    start receiving signed webhooks: name the receiver, give its HTTPS URL and choose its events.
  </EmptyState>
);

export const WebhooksPage = (props: WebhooksProps) => {
  const { destinations, health, nextCursor, paged } = props;
  const ws = useWorkspace().uuid;
  const empty = destinations.length === 0 && !paged;
  return (
    <>
      <Breadcrumbs
        trail={[
          { label: "Integrations", href: urls.integrations(ws) },
          { label: "Webhooks", href: urls.webhooks(ws) },
          { label: "Destinations" },
        ]}
      />
      <PageHeader
        title="Webhooks"
        description="Deliver contact events to your own endpoints as signed HTTP requests that the receiver can verify."
      />
      {props.deleted ? (
        <Notice>Destination deleted, with its event subscriptions and delivery records.</Notice>
      ) : null}
      <nav class="tabs" aria-label="Webhooks">
        <a class="tab" href={urls.webhooks(ws)} aria-current="page">
          Destinations
        </a>
      </nav>
      <section aria-labelledby="destinations-title">
        <div class="section-header">
          <div>
            <h2 id="destinations-title">Destinations</h2>
            <p>The endpoints Leadpush calls, and how their recent deliveries went.</p>
          </div>
          {empty ? null : <CreateDestinationButton ws={ws} />}
        </div>
        {empty ? (
          <EmptyDestinations ws={ws} />
        ) : (
          <>
            <DestinationsTable ws={ws} destinations={destinations} health={health} />
            <Pagination
              label="Destinations pages"
              first={paged ? { href: urls.webhooks(ws), label: "← First page" } : undefined}
              next={
                nextCursor
                  ? {
                      href: `${urls.webhooks(ws)}?cursor=${encodeURIComponent(nextCursor)}`,
                      label: "Next page →",
                    }
                  : undefined
              }
            />
            <HealthNote />
          </>
        )}
      </section>
    </>
  );
};
