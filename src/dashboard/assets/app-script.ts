// The dashboard's only script, and an optional one: every screen works without it. It closes the
// workspace menu (a <details>) on Escape, returning focus to its button, and on a click outside it.
export const APP_JS = `"use strict";
(function () {
  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll("details.ws-menu[open]"));
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
`;
