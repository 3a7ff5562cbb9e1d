// On every page: once nobody is signed in on this device (after a log-out, or an expired
// session), forget the check-in desk's kept copies of its pages (they hold today's totals
// and, at a session point, the names still missing). The static files stay, and so do
// scans queued in localStorage (they are people's check-ins, not a roster).
"use strict";
(function () {
  if (document.body.dataset.signedIn !== "0" || !("caches" in window)) return;
  caches.keys().then(function (names) {
    return Promise.all(
      names
        .filter(function (name) { return name.indexOf("atrium-checkin-pages-") === 0; })
        .map(function (name) { return caches.delete(name); })
    );
  });
})();
