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

  /* Slow downloads (an export, a batch of badges): a link or form marked data-download
     shows its data-busy-label until the server's answer sets the atrium_download cookie
     to the token sent with the request (core.views.download_ready). */
  function token() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function busy(element, label, sent) {
    var status = document.createElement("span");
    status.className = "download-busy";
    status.setAttribute("role", "status");
    status.textContent = label;
    element.setAttribute("aria-busy", "true");
    element.insertAdjacentElement("afterend", status);
    var started = Date.now();
    var timer = window.setInterval(function () {
      var done = document.cookie.split("; ").indexOf("atrium_download=" + sent) !== -1;
      if (done || Date.now() - started > 120000) {
        window.clearInterval(timer);
        element.removeAttribute("aria-busy");
        status.remove();
      }
    }, 300);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-download]");
    if (!link || link.getAttribute("aria-busy") === "true") return;
    var sent = token();
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("download_token", sent);
    link.href = url.toString();
    busy(link, link.getAttribute("data-busy-label") || "…", sent);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-download]");
    if (!form) return;
    var sent = token();
    var field = form.querySelector("input[name=download_token]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "download_token";
      form.appendChild(field);
    }
    field.value = sent;
    busy(form.querySelector("[type=submit]") || form, form.getAttribute("data-busy-label") || "…", sent);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
