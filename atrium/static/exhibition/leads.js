// The lead page for booth staff. As at the check-in desk (checkin.js): every scan gets a
// client id made here and goes into a queue in localStorage BEFORE it is sent, so a scan
// made offline waits on the device; the queue is sent in one request when the network
// returns, and the server saves each client id once. Without this script the form posts.
(function () {
  "use strict";
  var root = document.querySelector("[data-lead-scanner]");
  if (!root) return;
  var form = root.querySelector("[data-lead-form]");
  var input = form.querySelector("input[name=token]");
  var status = root.querySelector("[data-queue-status]");
  var recent = root.querySelector("[data-recent]");
  var key = root.getAttribute("data-queue-key");
  var url = root.getAttribute("data-submit-url");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var texts = JSON.parse(document.getElementById("lead-messages").textContent);
  var memory = [];
  var sending = false;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 15) | 64; bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }
  function load() {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return memory; }
  }
  function save(queue) {
    memory = queue;
    try { window.localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* memory only */ }
    show();
  }
  function show(problem) {
    var n = load().length;
    status.hidden = !n && !problem;
    status.textContent = problem || (n === 1 ? texts.waiting_one : texts.waiting_many.replace("%(count)s", n));
  }
  function note(text, refused) {
    var item = document.createElement("li");
    if (refused) item.className = "is-refused";
    item.textContent = text;
    recent.insertBefore(item, recent.firstChild);
    while (recent.children.length > 10) recent.removeChild(recent.lastChild);
  }
  function flush() {
    var queue = load();
    if (sending || !queue.length) { show(); return; }
    sending = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ scans: queue })
    }).then(function (response) {
      if (response.status === 403 || response.redirected) throw new Error("login");
      if (!response.ok) throw new Error("server");
      return response.json();
    }).then(function (answer) {
      var done = {};
      answer.results.forEach(function (result) {
        done[result.client_id] = true;
        if (result.ok) {
          note((result.created ? texts.saved : texts.again) + ": " + (result.name || "—") + (result.organisation ? " · " + result.organisation : ""), false);
        } else {
          note(texts.refused + ": " + result.error, true);
        }
      });
      save(load().filter(function (item) { return !done[item.client_id]; }));
    }).catch(function (error) {
      show(error.message === "login" ? texts.login : texts.queued);
    }).then(function () { sending = false; });
  }
  function enqueue(token) {
    token = (token || "").trim();
    if (!token) return;
    var queue = load();
    queue.push({ token: token, client_id: uuid(), scanned_at: new Date().toISOString() });
    save(queue);
    flush();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    enqueue(input.value);
    input.value = "";
    input.focus();
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, 10000);
  show();
  flush();

  // The camera, with the desk's decoder (jsQR, a static file), if the browser has one.
  var camera = root.querySelector("[data-camera]");
  var toggle = camera && camera.querySelector("[data-camera-toggle]");
  if (!toggle || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var video = camera.querySelector("[data-camera-video]");
  var canvas = camera.querySelector("[data-camera-canvas]");
  var stream = null, last = "", lastAt = 0;
  toggle.hidden = false;
  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null; video.hidden = true; toggle.textContent = texts.camera_start;
  }
  function tick() {
    if (!stream) return;
    if (video.readyState >= 2 && window.jsQR) {
      var w = canvas.width = video.videoWidth, h = canvas.height = video.videoHeight;
      var context = canvas.getContext("2d");
      context.drawImage(video, 0, 0, w, h);
      var code = window.jsQR(context.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      if (code && code.data && (code.data !== last || now - lastAt > 5000)) {
        last = code.data; lastAt = now; enqueue(code.data);
      }
    }
    window.requestAnimationFrame(tick);
  }
  toggle.addEventListener("click", function () {
    if (stream) { stop(); return; }
    var script = document.createElement("script");
    script.src = camera.getAttribute("data-decoder");
    document.head.appendChild(script);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s; video.srcObject = s; video.hidden = false; video.play();
      toggle.textContent = texts.camera_stop; tick();
    }).catch(function (error) {
      note(texts.camera_error.replace("%(reason)s", error.message), true);
    });
  });
})();
