// Optional script for the destination form and a pending delivery. Every button here also works
// without it, as a submit the server answers: "Add header" and "Remove" re-render the form with a row
// more or less, "Preview request" re-renders it with the preview. With it, rows are added and removed
// in place, the preview is fetched into its panel, and a pending delivery's page looks again by itself.
"use strict";
(() => {
  function rowsOf(list) {
    return document.querySelector(`[data-rows="${list}"]`);
  }
  function renumber(list) {
    var container = rowsOf(list);
    var rows = container.querySelectorAll("[data-row]");
    var pattern = new RegExp(`${list}-(\\d+|__ROW__)-`, "g");
    Array.prototype.forEach.call(rows, (row, index) => {
      var prefix = `${list}-${index}-`;
      Array.prototype.forEach.call(row.querySelectorAll("[id], label[for], [aria-describedby]"), (el) => {
        if (el.id) el.id = el.id.replace(pattern, prefix);
        if (el.htmlFor) el.htmlFor = el.htmlFor.replace(pattern, prefix);
        var described = el.getAttribute("aria-describedby");
        if (described) el.setAttribute("aria-describedby", described.replace(pattern, prefix));
      });
      Array.prototype.forEach.call(row.querySelectorAll("[data-row-number]"), (el) => {
        el.textContent = String(index + 1);
      });
      var remove = row.querySelector("[data-remove-row]");
      remove.value = `remove-${list}-${index}`;
      remove.setAttribute("aria-label", remove.getAttribute("aria-label").replace(/\S+$/, String(index + 1)));
    });
    var add = document.querySelector(`[data-add-row="${list}"]`);
    add.disabled = rows.length >= Number(container.getAttribute("data-max-rows"));
  }
  function addRow(list) {
    var container = rowsOf(list);
    var template = document.querySelector(`template[data-row-template="${list}"]`);
    var count = container.querySelectorAll("[data-row]").length;
    if (count >= Number(container.getAttribute("data-max-rows"))) return;
    var holder = document.createElement("ol");
    holder.innerHTML = template.innerHTML
      .replace(/__ROW__/g, String(count))
      .replace(/__NUMBER__/g, String(count + 1));
    var row = holder.firstElementChild;
    container.appendChild(row);
    renumber(list);
    row.querySelector("input").focus();
  }
  function removeRow(button) {
    var row = button.closest("[data-row]");
    var list = row.parentElement.getAttribute("data-rows");
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber(list);
    (next ? next.querySelector("input") : document.querySelector(`[data-add-row="${list}"]`)).focus();
  }
  function preview(button) {
    var form = button.form;
    var result = document.querySelector("[data-preview-result]");
    result.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
    })
      .then((response) => {
        if (!response.ok) throw new Error(`preview answered ${response.status}`);
        return response.text();
      })
      .then((html) => {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-preview-result]");
        if (!fresh) throw new Error("preview answered no panel");
        result.replaceWith(document.adoptNode(fresh));
      })
      .catch(() => {
        form.requestSubmit(button);
      });
  }
  document.addEventListener("click", (event) => {
    var add = event.target.closest("[data-add-row]");
    var remove = event.target.closest("[data-remove-row]");
    var previewButton = event.target.closest("[data-preview]");
    if (add) addRow(add.getAttribute("data-add-row"));
    else if (remove) removeRow(remove);
    else if (previewButton?.form) preview(previewButton);
    else return;
    event.preventDefault();
  });

  var waiting = document.querySelector("[data-refresh-after]");
  if (waiting) {
    setTimeout(
      () => {
        location.reload();
      },
      Number(waiting.getAttribute("data-refresh-after")) || 2000,
    );
  }
})();
