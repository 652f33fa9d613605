// The one-time secret dialog, after a create or a rotation. It is rendered open, so it shows without
// script; the dialog script makes it modal, moves focus into it and wipes the secret from the page when
// the page is left, so the back button cannot bring it back. The server never shows it twice.
import { Time } from "../format";
import type { RevealReason } from "../reveals";

type SecretDialogProps = {
  reason: RevealReason;
  secret: string;
  destinationName: string;
  /** During a rotation's grace period, until when the previous secret keeps signing. */
  previousExpiresAt: string | null;
};

/** The secret in a read-only box (select it and copy by hand) with a Copy button for the clipboard. */
const CopyableSecret = ({ secret }: { secret: string }) => (
  <div class="field">
    <label for="signing-secret">Signing secret</label>
    <div class="copy-field">
      <textarea
        class="input mono secret-box"
        id="signing-secret"
        rows={2}
        readonly
        autocomplete="off"
        spellcheck={false}
      >
        {secret}
      </textarea>
      {/* Shown by the dialog script: without script, the box above is selected and copied by hand. */}
      <button type="button" class="button" data-copy="signing-secret" hidden>
        Copy
      </button>
    </div>
    <p class="copy-status" role="status" data-copy-status />
  </div>
);

export const SecretDialog = ({ reason, secret, destinationName, previousExpiresAt }: SecretDialogProps) => (
  <dialog
    id="secret-dialog"
    class="dialog"
    open
    data-modal-on-load
    data-wipe-on-leave
    aria-labelledby="secret-title"
    aria-describedby="secret-intro"
  >
    <div class="dialog-body">
      <h2 id="secret-title">{reason === "created" ? "Destination created" : "New signing secret"}</h2>
      <p id="secret-intro">
        Copy the signing secret of <strong>{destinationName}</strong>. Your receiver uses it to verify the{" "}
        <code>X-Leadpush-Signature</code> header of every delivery.
      </p>
      <CopyableSecret secret={secret} />
      <div class="alert alert-warning">
        <p>
          <strong>This secret will not be shown again.</strong> Store it where your receiver can read it
          before you close this dialog.
        </p>
      </div>
      {reason === "rotated" ? (
        <p class="muted">
          {previousExpiresAt ? (
            <>
              The previous secret keeps signing deliveries until <Time iso={previousExpiresAt} />, so your
              receiver can switch without missing one.
            </>
          ) : (
            "The previous secret no longer signs deliveries."
          )}
        </p>
      ) : null}
    </div>
    <form method="dialog" class="dialog-actions">
      <button type="submit" class="button button-secondary">
        Done
      </button>
    </form>
  </dialog>
);
