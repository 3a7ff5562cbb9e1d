// Check-in desk (/c/<slug>/checkin/): a queue that survives a bad network, and a camera
// QR scanner.
//
// Every check-in (a scanned or typed badge code, or a person found by name) gets a
// client id made here, and goes into a queue kept in localStorage BEFORE it is sent.
// It leaves the queue only on a definitive answer from the server (200, or 400 for input
// that will never be valid); with no answer, a login page or a server error it stays and
// is sent again on the `online` event, on a timer and when the page is opened again. The
// server saves each client id once, so a scan sent twice counts once.
//
// Without JavaScript (or without fetch) the forms post to the page as before, and the
// server makes the client id itself.
(function () {
  "use strict";

  var RETRY_MS = 5000;
  var SAME_BADGE_MS = 3000; // the same code seen again within this time: still the same badge
  var BETWEEN_SCANS_MS = 1200; // any code: give the staff a moment between two scans
  var RECENT_MAX = 8;

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

  var forms = document.querySelectorAll("form[data-checkin-form]");
  var desk = document.querySelector("[data-checkin-desk]");
  var tokenInput = document.querySelector(".checkin-scan input[name=token]");

  // Without a usable fetch: plain form posts, each with its own id.
  if (!desk || !window.fetch || !window.URLSearchParams) {
    forms.forEach(function (form) {
      var input = form.querySelector("[data-client-id]");
      if (input) input.value = uuid();
    });
    if (tokenInput) { tokenInput.value = ""; tokenInput.focus(); }
    return;
  }

  var messagesNode = document.getElementById("checkin-messages");
  var messages = messagesNode ? JSON.parse(messagesNode.textContent || "{}") : {};
  function t(key, vars) {
    var text = messages[key] || key;
    Object.keys(vars || {}).forEach(function (name) {
      text = text.split("%(" + name + ")s").join(String(vars[name]));
    });
    return text;
  }

  var submitUrl = desk.getAttribute("data-submit-url");
  var storageKey = desk.getAttribute("data-queue-key") || "atrium.checkin";
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var statusLine = desk.querySelector("[data-queue-status]");
  var resultArea = desk.querySelector("[data-result-area]");
  var recentBox = desk.querySelector("[data-recent]");
  var recentList = desk.querySelector("[data-recent-list]");

  // --- the queue, in localStorage (in memory if the browser refuses storage) -------------

  var memoryQueue = null;
  function load() {
    if (memoryQueue) return memoryQueue.slice();
    try {
      var queue = JSON.parse(window.localStorage.getItem(storageKey) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (error) {
      return [];
    }
  }
  function save(queue) {
    if (!memoryQueue) {
      try {
        window.localStorage.setItem(storageKey, JSON.stringify(queue));
        return;
      } catch (error) {
        memoryQueue = [];
      }
    }
    memoryQueue = queue.slice();
  }
  function remove(clientId) {
    save(load().filter(function (item) { return item.client_id !== clientId; }));
  }

  // --- what the page shows -----------------------------------------------------------------

  var problem = ""; // "", "offline", "login" or "server": why the queue is not empty
  var latest = null; // client id of the last check-in made on this page
  var answered = []; // recent answers, newest first

  function showStatus() {
    var count = load().length;
    if (!count) {
      statusLine.hidden = true;
      statusLine.textContent = "";
      statusLine.className = "checkin-queue";
      return;
    }
    var text;
    if (problem === "offline" || !navigator.onLine) {
      text = t(count === 1 ? "offline_one" : "offline_many", { count: count });
    } else {
      text = t(count === 1 ? "waiting_one" : "waiting_many", { count: count });
      if (problem === "login") text += " " + t("login");
      if (problem === "server") text += " " + t("server");
    }
    statusLine.textContent = text;
    statusLine.className = "checkin-queue checkin-queue--" + (problem || "sending");
    statusLine.setAttribute("data-count", String(count));
    statusLine.hidden = false;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function showWaiting(item, message) {
    var section = element("section", "checkin-result checkin-result--queued");
    section.setAttribute("data-state", "queued");
    section.appendChild(element("p", "checkin-result__verdict", message));
    section.appendChild(element("p", "checkin-result__token", item.label));
    resultArea.replaceChildren(section);
  }

  function clock(iso) {
    var date = new Date(iso);
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  function showRecent() {
    var waiting = load().slice().reverse();
    recentList.replaceChildren();
    waiting.forEach(function (item) {
      var li = element("li", "checkin-recent__item checkin-recent__item--queued");
      li.appendChild(element("span", "checkin-recent__time", clock(item.at)));
      li.appendChild(element("span", "checkin-recent__state", t("waiting")));
      li.appendChild(element("span", "checkin-recent__who", item.label));
      recentList.appendChild(li);
    });
    answered.forEach(function (entry) {
      var li = element("li", "checkin-recent__item checkin-recent__item--" + entry.state);
      li.appendChild(element("span", "checkin-recent__time", clock(entry.at)));
      li.appendChild(element("span", "checkin-recent__state", t("state_" + entry.state)));
      li.appendChild(element("span", "checkin-recent__who", entry.who));
      recentList.appendChild(li);
    });
    recentBox.hidden = !recentList.children.length;
  }

  function showAnswer(item, answer) {
    var person = answer.person;
    var who = person ? (person.name + (person.name_zh ? " " + person.name_zh : "")) : item.label;
    var state = answer.state === "invalid" ? "refused" : answer.state;
    answered.unshift({ at: item.at, state: state, who: who });
    answered = answered.slice(0, RECENT_MAX);
    if (latest === null || item.client_id === latest) {
      resultArea.innerHTML = answer.html; // rendered by our server from our template
    }
    document.body.dispatchEvent(new CustomEvent("checkin:done", { bubbles: true }));
  }

  // --- sending -------------------------------------------------------------------------------

  function send(item) {
    var body = new URLSearchParams();
    ["action", "token", "registration", "point", "client_id"].forEach(function (name) {
      if (item[name]) body.append(name, item[name]);
    });
    return fetch(submitUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "X-CSRFToken": csrfInput ? csrfInput.value : "",
      },
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var definitive = (response.ok || response.status === 400) &&
        type.indexOf("application/json") === 0 && !response.redirected;
      if (!definitive) {
        // A login page (session expired), a refused CSRF token, a server error: keep it.
        problem = response.status === 403 || response.redirected ? "login" : "server";
        return false;
      }
      return response.json().then(function (answer) {
        remove(item.client_id);
        problem = "";
        showAnswer(item, answer);
        return true;
      });
    }).catch(function () {
      problem = "offline";
      return false;
    });
  }

  var flushing = false;
  function flush() {
    if (flushing) return;
    var queue = load();
    if (!queue.length) {
      problem = "";
      showStatus();
      showRecent();
      return;
    }
    flushing = true;
    showStatus();
    var item = queue[0];
    send(item).then(function (done) {
      flushing = false;
      if (done) {
        flush();
        return;
      }
      if (problem === "offline") {
        // The scan on screen (not always the one just tried) waits on this device.
        var shown = load().filter(function (queued) { return queued.client_id === latest; })[0];
        if (shown) showWaiting(shown, t("queued"));
      }
      showStatus();
      showRecent();
    });
  }

  function submit(form) {
    var data = new FormData(form);
    var action = data.get("action") || "scan";
    var token = String(data.get("token") || "").trim();
    if (action === "scan" && !token) {
      if (tokenInput) tokenInput.focus();
      return;
    }
    var item = {
      client_id: uuid(),
      action: action,
      token: token,
      registration: String(data.get("registration") || ""),
      point: String(data.get("point") || ""),
      label: form.getAttribute("data-label") || token,
      at: new Date().toISOString(),
    };
    var queue = load();
    queue.push(item);
    save(queue); // kept on the device before anything is sent
    latest = item.client_id;
    showWaiting(item, t(navigator.onLine && problem !== "offline" ? "sending" : "queued"));
    if (tokenInput && action === "scan") tokenInput.value = "";
    showRecent();
    flush();
    if (tokenInput && !cameraRunning()) tokenInput.focus();
  }

  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit(form);
    });
  });

  window.addEventListener("online", function () { problem = ""; flush(); });
  window.addEventListener("offline", showStatus);
  window.addEventListener("storage", function (event) {
    if (event.key === storageKey) { showStatus(); showRecent(); }
  });
  window.setInterval(function () { if (load().length) flush(); }, RETRY_MS);

  if (tokenInput) { tokenInput.value = ""; tokenInput.focus(); }
  flush(); // scans left from an earlier visit go out now

  // --- opening offline: the service worker keeps a copy of this page and its files ----------

  function offlineCopy() {
    var worker = desk.getAttribute("data-service-worker");
    if (!worker || !navigator.serviceWorker || !window.isSecureContext) return;
    var assets = [];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (node) {
      assets.push(node.href || node.src);
    });
    var decoder = desk.querySelector("[data-camera][data-decoder]");
    if (decoder) assets.push(new URL(decoder.getAttribute("data-decoder"), location.href).href);
    navigator.serviceWorker.register(worker).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (registration.active) {
        registration.active.postMessage({ type: "cache", page: location.href, assets: assets });
      }
    }).catch(function () { /* no offline copy: the desk still works while it stays open */ });
  }
  offlineCopy();

  // --- the camera ------------------------------------------------------------------------------

  var camera = desk.querySelector("[data-camera]");
  var stream = null;
  function cameraRunning() { return stream !== null; }
  if (!camera) return;

  var toggle = camera.querySelector("[data-camera-toggle]");
  var view = camera.querySelector("[data-camera-view]");
  var video = camera.querySelector("[data-camera-video]");
  var canvas = camera.querySelector("[data-camera-canvas]");
  var note = camera.querySelector("[data-camera-note]");
  var scanForm = document.querySelector("form.checkin-scan");
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    note.textContent = t("camera_none"); // e.g. a page served over plain HTTP
    return;
  }
  toggle.hidden = false;

  var decoder = null;
  var timer = null;
  var audio = null;
  var lastText = "";
  var lastSeen = 0;
  var lastSubmit = 0;

  function loadDecoder() {
    if (window.jsQR) return Promise.resolve();
    if (!decoder) {
      decoder = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = camera.getAttribute("data-decoder");
        script.onload = resolve;
        script.onerror = function () { decoder = null; reject(new Error("decoder")); };
        document.head.appendChild(script);
      });
    }
    return decoder;
  }

  function beep() {
    try {
      if (!audio) return;
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 1046;
      gain.gain.value = 0.15;
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.12);
    } catch (error) { /* no sound: the flash is enough */ }
  }

  function flash() {
    view.classList.add("is-hit");
    window.setTimeout(function () { view.classList.remove("is-hit"); }, 400);
  }

  function found(text) {
    var now = Date.now();
    if (text === lastText && now - lastSeen < SAME_BADGE_MS) {
      lastSeen = now; // the same badge is still in front of the camera
      return;
    }
    lastText = text;
    lastSeen = now;
    if (now - lastSubmit < BETWEEN_SCANS_MS) return;
    lastSubmit = now;
    beep();
    flash();
    if (navigator.vibrate) navigator.vibrate(80);
    tokenInput.value = text;
    submit(scanForm); // exactly as a handheld scanner's Enter
  }

  function tick() {
    timer = null;
    if (!stream) return;
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (video.readyState >= 2 && width && height) {
      var scale = Math.min(1, 800 / Math.max(width, height));
      var w = Math.round(width * scale);
      var h = Math.round(height * scale);
      canvas.width = w;
      canvas.height = h;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, w, h);
      var code = window.jsQR(context.getImageData(0, 0, w, h).data, w, h, {
        inversionAttempts: "dontInvert",
      });
      if (code && code.data && code.data.trim()) found(code.data.trim());
    }
    timer = window.setTimeout(tick, 150);
  }

  function stop() {
    if (timer) window.clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    view.hidden = true;
    toggle.textContent = t("camera_start");
    toggle.setAttribute("aria-pressed", "false");
  }

  function start() {
    toggle.disabled = true;
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
    }
    var media = navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    Promise.all([loadDecoder(), media]).then(function (results) {
      stream = results[1];
      video.srcObject = stream;
      view.hidden = false;
      toggle.textContent = t("camera_stop");
      toggle.setAttribute("aria-pressed", "true");
      note.textContent = t("camera_aim");
      lastText = "";
      return video.play();
    }).then(function () {
      tick();
    }).catch(function (error) {
      media.then(function (s) { s.getTracks().forEach(function (tr) { tr.stop(); }); }, function () {});
      stop();
      note.textContent = t("camera_error", { reason: (error && (error.name || error.message)) || "?" });
    }).then(function () {
      toggle.disabled = false;
    });
  }

  toggle.addEventListener("click", function () {
    if (stream) { stop(); note.textContent = ""; } else { start(); }
  });
  window.addEventListener("pagehide", stop);
})();
