// The workspace menu, an optional script like every other here: every screen works without it. It
// closes the menu (a <details>) on Escape, returning focus to its button, and on a click outside it.
"use strict";
(() => {
  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll("details.ws-menu[open]"));
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    openMenus().forEach((menu) => {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });
  document.addEventListener("click", (event) => {
    openMenus().forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
