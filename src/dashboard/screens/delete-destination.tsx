// Deleting a destination, behind a confirmation that says what goes with it: a <dialog> on the
// destination's page (opened by script), and this page for the same question without script.
import type { DestinationJson } from "../../destinations/schema";
import { Breadcrumbs, CsrfField } from "../components";
import { useWorkspace } from "../request-context";
import { urls } from "../urls";

type ConfirmProps = { ws: string; destination: DestinationJson; inDialog: boolean };

/** The question and the two answers; Cancel closes the dialog, or leads back to the destination. */
export const DeleteConfirmation = ({ ws, destination, inDialog }: ConfirmProps) => (
  <>
    <div class="dialog-body">
      <h2 id="delete-title">Delete {destination.name}?</h2>
      <p id="delete-consequence">
        Deleting a destination also removes its event subscriptions and related delivery records. This cannot
        be undone. The events themselves stay in the workspace.
      </p>
      <p class="muted">To pause deliveries and keep the configuration and history, disable it instead.</p>
    </div>
    <div class="dialog-actions">
      {inDialog ? (
        <button type="button" class="button button-secondary" data-dialog-close>
          Cancel
        </button>
      ) : (
        <a class="button button-secondary" href={urls.destination(ws, destination.id)}>
          Cancel
        </a>
      )}
      <form method="post" action={urls.deleteDestination(ws, destination.id)} class="inline-form">
        <CsrfField />
        <button type="submit" class="button button-danger">
          Delete destination
        </button>
      </form>
    </div>
  </>
);

export const DeleteDialog = (props: Omit<ConfirmProps, "inDialog">) => (
  <dialog
    id="delete-dialog"
    class="dialog"
    aria-labelledby="delete-title"
    aria-describedby="delete-consequence"
  >
    <DeleteConfirmation {...props} inDialog />
  </dialog>
);

export const DeleteDestinationPage = ({ destination }: { destination: DestinationJson }) => {
  const ws = useWorkspace().uuid;
  return (
    <>
      <Breadcrumbs
        trail={[
          { label: "Integrations", href: urls.integrations(ws) },
          { label: "Webhooks", href: urls.webhooks(ws) },
          { label: "Destinations", href: urls.webhooks(ws) },
          { label: destination.name, href: urls.destination(ws, destination.id) },
          { label: "Delete" },
        ]}
      />
      <section class="card confirm-card" aria-labelledby="delete-title" aria-describedby="delete-consequence">
        <DeleteConfirmation ws={ws} destination={destination} inDialog={false} />
      </section>
    </>
  );
};
