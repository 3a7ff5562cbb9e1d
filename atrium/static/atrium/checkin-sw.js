// Check-in desk service worker, served at /c/<slug>/checkin/sw.js (scope: that desk).
//
// It lets the desk page open when the tablet reloads it with no network, so scanning and
// the localStorage queue in checkin.js keep working:
// - the desk page (a navigation in this scope): network first; the last copy served by
//   the network is kept and shown when the network fails. A page with a name search
//   (?q=) is never kept, as it lists people; the search asks the network.
// - our static files (CSS, checkin.js, htmx, the QR decoder): from the cache, refreshed
//   from the network in the background.
// - everything else (the scans posted to submit/, the polled panels): straight to the
//   network, never cached. Scans go through checkin.js's queue, not through here.
//
// The page asks for its own URL and its static files to be cached (a "cache" message),
// so a desk opened once online opens offline afterwards.
/* eslint-env serviceworker */
"use strict";

var VERSION = "v1";
var PREFIX = "atrium-checkin-";
var PAGES = PREFIX + "pages-" + VERSION;
var ASSETS = PREFIX + "assets-" + VERSION;
var STATIC_URL = new URL(self.location.href).searchParams.get("static") || "/static/";
var STATIC_PREFIX = new URL(STATIC_URL, self.location.href).href;
var SCOPE = self.registration.scope;

function pageKey(url) {
  var key = new URL(url);
  key.hash = "";
  key.searchParams.delete("q");
  return key.href;
}

function keepable(url) {
  return !new URL(url).searchParams.has("q");
}

function isStatic(url) {
  return url.indexOf(STATIC_PREFIX) === 0;
}

function isHtml(response) {
  return (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

function storePage(url, response) {
  // Only a desk page the staff member was allowed to see: not a login redirect, not an error.
  if (!keepable(url)) return Promise.resolve();
  if (response.ok && !response.redirected && response.type === "basic" && isHtml(response)) {
    return caches.open(PAGES).then(function (cache) {
      return cache.put(pageKey(url), response);
    });
  }
  if (response.type === "opaqueredirect" || response.redirected ||
      response.status === 403 || response.status === 404) {
    // Logged out, or no longer check-in staff here: forget the copy of this page.
    return caches.open(PAGES).then(function (cache) { return cache.delete(pageKey(url)); });
  }
  return Promise.resolve();
}

function storeAsset(request, response) {
  if (!response.ok || response.type === "opaque") return Promise.resolve();
  return caches.open(ASSETS).then(function (cache) { return cache.put(request, response); });
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(PREFIX) === 0 && name !== PAGES && name !== ASSETS;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function navigation(event) {
  var url = event.request.url;
  return fetch(event.request).then(function (response) {
    event.waitUntil(storePage(url, response.clone()));
    return response;
  }, function (error) {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(pageKey(url));
    }).then(function (cached) {
      if (cached) return cached;
      throw error;
    });
  });
}

function asset(event) {
  var request = event.request;
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (cached) {
      var fresh = fetch(request).then(function (response) {
        return storeAsset(request, response.clone()).then(function () { return response; });
      });
      if (cached) {
        event.waitUntil(fresh.catch(function () {}));
        return cached;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // posted scans: never through the cache
  if (request.mode === "navigate") {
    if (request.url.indexOf(SCOPE) === 0 && new URL(request.url).pathname === new URL(SCOPE).pathname) {
      event.respondWith(navigation(event));
    }
    return;
  }
  if (isStatic(request.url)) event.respondWith(asset(event));
});

// From checkin.js: {type: "cache", page: <the desk URL>, assets: [<static URLs>]}.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache") return;
  var jobs = [];
  var assets = (data.assets || []).filter(isStatic);
  jobs.push(caches.open(ASSETS).then(function (cache) {
    return Promise.all(assets.map(function (url) {
      return cache.match(url).then(function (hit) {
        if (hit) return null;
        return fetch(url).then(function (response) { return storeAsset(url, response); });
      }).catch(function () {});
    }));
  }));
  if (data.page && data.page.indexOf(SCOPE) === 0 &&
      new URL(data.page).pathname === new URL(SCOPE).pathname) {
    var page = pageKey(data.page);
    jobs.push(caches.open(PAGES).then(function (cache) {
      return cache.match(page);
    }).then(function (hit) {
      if (hit) return null;
      return fetch(page, { credentials: "same-origin", redirect: "follow" }).then(function (response) {
        return storePage(page, response);
      });
    }).catch(function () {}));
  }
  event.waitUntil(Promise.all(jobs));
});
