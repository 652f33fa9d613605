// "Try it" on the API reference: sends a request to this same origin with fetch and shows the answer.
// The bearer token is read from its field when a request is sent and kept nowhere else: the field has
// no name (no form can submit it), nothing is written to storage, and the panels stay hidden without
// script. Every response is shown with textContent, never as HTML.
"use strict";
(() => {
  var token = document.getElementById("try-token");
  var sharedWorkspace = document.getElementById("try-workspace");
  Array.prototype.forEach.call(document.querySelectorAll("[data-try-panel]"), (panel) => {
    panel.hidden = false;
  });

  function fieldsOf(form, where) {
    return Array.prototype.slice.call(form.querySelectorAll(`[data-in="${where}"]`));
  }

  function buildUrl(form) {
    var path = form.getAttribute("data-path");
    var missing = [];
    fieldsOf(form, "path").forEach((input) => {
      var name = input.getAttribute("data-name");
      var value = input.value.trim();
      if (!value && name === "ws" && sharedWorkspace) value = sharedWorkspace.value.trim();
      if (!value) missing.push(name);
      path = path.split(`{${name}}`).join(encodeURIComponent(value));
    });
    var query = new URLSearchParams();
    fieldsOf(form, "query").forEach((input) => {
      if (input.value.trim()) query.append(input.getAttribute("data-name"), input.value.trim());
    });
    var search = query.toString();
    return { url: path + (search ? `?${search}` : ""), missing: missing };
  }

  function show(form, status, headers, body) {
    var result = form.parentNode.querySelector("[data-try-result]");
    result.hidden = false;
    result.querySelector("[data-try-status]").textContent = status;
    result.querySelector("[data-try-headers]").textContent = headers;
    result.querySelector("[data-try-body]").textContent = body;
  }

  function pretty(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (_error) {
      return text;
    }
  }

  async function send(form) {
    var target = buildUrl(form);
    if (target.missing.length) {
      show(
        form,
        `Fill in the path parameter${target.missing.length > 1 ? "s " : " "}${target.missing.join(", ")}.`,
        "",
        "",
      );
      return;
    }
    var method = form.getAttribute("data-method");
    var headers = { Accept: "application/json" };
    if (form.getAttribute("data-auth") === "true" && token && token.value.trim()) {
      headers.Authorization = `Bearer ${token.value.trim()}`;
    }
    var init = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    var body = form.querySelector('[data-in="body"]');
    if (body?.value.trim()) {
      headers["Content-Type"] = "application/json";
      init.body = body.value;
    }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var started = performance.now();
    try {
      var response = await fetch(target.url, init);
      var text = await response.text();
      var lines = [];
      response.headers.forEach((value, name) => {
        lines.push(`${name}: ${value}`);
      });
      var took = Math.round(performance.now() - started);
      show(
        form,
        `${method} ${target.url} \u2192 ${response.status} ${response.statusText} (${took} ms)`,
        lines.join("\n"),
        pretty(text) || "(empty body)",
      );
    } catch (error) {
      show(form, `The request could not be sent: ${error.message}`, "", "");
    } finally {
      button.disabled = false;
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-try]"), (form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(form);
    });
  });
})();
