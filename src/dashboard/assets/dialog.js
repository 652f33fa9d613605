// Optional script for dialogs and the one-time secret. Without it the secret dialog is shown open in the
// page and the delete confirmation is its own page. With it: a native modal <dialog> that takes focus
// (its first control) and gives it back to the control that opened it; Escape closes it; Copy puts the
// secret on the clipboard; and the secret is removed from the page when the page is left, so the back
// button cannot show it again from the browser's cache (and from the page as soon as its dialog closes).
"use strict";
(() => {
  var openers = new WeakMap();
  function firstControl(dialog) {
    return (
      dialog.querySelector("[autofocus]") || dialog.querySelector("input, select, textarea, button, a[href]")
    );
  }
  function openModal(dialog, opener) {
    if (!dialog.showModal) return false;
    if (dialog.open) dialog.removeAttribute("open");
    openers.set(dialog, opener);
    dialog.showModal();
    var first = firstControl(dialog);
    if (first) first.focus();
    return true;
  }
  Array.prototype.forEach.call(document.querySelectorAll("dialog"), (dialog) => {
    dialog.addEventListener("close", () => {
      if (dialog.open) return;
      var back = openers.get(dialog);
      openers.delete(dialog);
      if (back && document.contains(back)) back.focus();
      // A one-time secret leaves the page with its dialog: nothing keeps it once it has been seen.
      if (dialog.hasAttribute("data-wipe-on-leave")) dialog.remove();
    });
  });
  document.addEventListener("click", (event) => {
    var opener = event.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dialog && openModal(dialog, opener)) event.preventDefault();
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer?.closest("dialog")) closer.closest("dialog").close();
  });

  var shown = document.querySelector("dialog[data-modal-on-load]");
  if (shown) openModal(shown, document.getElementById("main"));
  var alerting = document.querySelector("[data-focus-on-load]");
  if (alerting && !shown) alerting.focus();

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy][hidden]"), (button) => {
    button.hidden = false;
  });
  document.addEventListener("click", (event) => {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest(".field").querySelector("[data-copy-status]");
    function report(copied) {
      button.textContent = copied ? "Copied" : "Copy";
      if (status)
        status.textContent = copied
          ? "Copied to the clipboard."
          : "Select the secret and copy it with your keyboard.";
    }
    function byHand() {
      input.focus();
      input.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (_error) {
        copied = false;
      }
      report(copied);
    }
    if (navigator.clipboard?.writeText) {
      navigator.clipboard.writeText(input.value).then(() => {
        report(true);
      }, byHand);
    } else {
      byHand();
    }
  });

  function wipeSecrets() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-wipe-on-leave]"), (node) => {
      node.remove();
    });
  }
  window.addEventListener("pagehide", wipeSecrets);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) wipeSecrets();
  });
})();
