// The Inbox page's live list, and the Create form's "Use the local inbox" button (development only;
// neither exists in production). Every two seconds while the page is visible, the page asks for the
// requests newer than the newest it shows and puts them on top; without script, Refresh does the same.
// The button puts the inbox URL in the URL Template without posting the form.
"use strict";
(() => {
  var list = document.querySelector("[data-inbox-live]");
  if (list) {
    var status = document.querySelector("[data-inbox-status]");
    if (status) status.textContent = "New requests appear here as they arrive.";
    var busy = false;
    var poll = () => {
      if (busy || document.hidden) return;
      busy = true;
      var after = list.getAttribute("data-inbox-after") || "0";
      fetch(`${list.getAttribute("data-inbox-live")}&after=${encodeURIComponent(after)}`, {
        credentials: "same-origin",
        headers: { accept: "text/html" },
      })
        .then((response) => {
          if (!response.ok) throw new Error(`inbox answered ${response.status}`);
          var latest = response.headers.get("x-inbox-latest");
          return response.text().then((html) => {
            if (latest) list.setAttribute("data-inbox-after", latest);
            return html;
          });
        })
        .then((html) => {
          var items = new DOMParser()
            .parseFromString(`<ol>${html}</ol>`, "text/html")
            .querySelectorAll("[data-inbox-request]");
          if (items.length === 0) return;
          var empty = document.querySelector("[data-inbox-empty]");
          if (empty) empty.remove();
          for (var i = items.length - 1; i >= 0; i--)
            list.insertBefore(document.adoptNode(items[i]), list.firstChild);
          if (status)
            status.textContent = items.length === 1 ? "1 new request." : `${items.length} new requests.`;
        })
        .catch(() => {
          if (status) status.textContent = "Could not look for new requests; reload the page to try again.";
        })
        .finally(() => {
          busy = false;
        });
    };
    setInterval(poll, 2000);
  }

  document.addEventListener("click", (event) => {
    var button = event.target.closest("[data-use-inbox]");
    if (!button) return;
    var input = document.getElementById("url_template");
    if (!input) return;
    event.preventDefault();
    input.value = button.getAttribute("data-use-inbox");
    input.focus();
  });
})();
