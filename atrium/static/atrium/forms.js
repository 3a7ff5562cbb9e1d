/* Forms: after a refused submission, move the focus to the first field in error (its link
   in the error summary names it), so the message is never a page away from the eye. */
(function () {
  "use strict";

  function focusTarget(link) {
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var field = document.getElementById(id);
    if (!field) return null;
    // A radio list or a hidden widget: its first focusable input instead.
    if (field.matches("input[type=hidden]") || !field.matches("input, select, textarea, button")) {
      field = field.querySelector("input:not([type=hidden]), select, textarea") || field;
    }
    return field;
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = focusTarget(link);
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
    var first = summary.querySelector("a[href^='#']");
    var field = first && focusTarget(first);
    if (field) {
      field.scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    } else {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
