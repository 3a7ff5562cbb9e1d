// Check-in desk: give each submission its own client id, so that a scan sent twice
// (a retry after a lost answer) counts once on the server. Without JavaScript the
// server makes the id itself.
(function () {
  "use strict";
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }
  document.querySelectorAll("form[data-checkin-form]").forEach(function (form) {
    var input = form.querySelector("[data-client-id]");
    if (!input) return;
    input.value = uuid();
    form.addEventListener("submit", function () {
      // Keep the id while this submission is on its way; a new page brings a new one.
      if (!input.value) input.value = uuid();
    });
  });
  var token = document.querySelector(".checkin-scan input[name=token]");
  if (token) { token.value = ""; token.focus(); }
})();
