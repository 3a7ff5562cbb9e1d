// The floor plan: zoom buttons and drag to pan, by changing each SVG's viewBox. Without
// this script the plan still scrolls inside its frame (and pinch-zooms on a phone).
(function () {
  "use strict";
  document.querySelectorAll("[data-plan]").forEach(function (frame) {
    var svg = frame.querySelector("svg");
    if (!svg) return;
    var start = svg.getAttribute("viewBox").split(/\s+/).map(Number);
    var box = start.slice();
    function apply() { svg.setAttribute("viewBox", box.join(" ")); }
    function zoom(factor) {
      var cx = box[0] + box[2] / 2, cy = box[1] + box[3] / 2;
      box[2] = Math.min(start[2] * 1.5, Math.max(start[2] / 8, box[2] * factor));
      box[3] = box[2] * start[3] / start[2];
      box[0] = cx - box[2] / 2; box[1] = cy - box[3] / 2;
      apply();
    }
    var tools = frame.parentNode.querySelector("[data-plan-tools]");
    if (tools) {
      tools.hidden = false;
      tools.querySelector("[data-zoom-in]").addEventListener("click", function () { zoom(0.7); });
      tools.querySelector("[data-zoom-out]").addEventListener("click", function () { zoom(1 / 0.7); });
      tools.querySelector("[data-zoom-reset]").addEventListener("click", function () { box = start.slice(); apply(); });
    }
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "touch" && box[2] >= start[2]) return; // let the page scroll
      drag = { x: event.clientX, y: event.clientY, box: box.slice(), moved: false };
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var scale = box[2] / svg.getBoundingClientRect().width;
      var dx = (event.clientX - drag.x) * scale, dy = (event.clientY - drag.y) * scale;
      if (Math.abs(dx) + Math.abs(dy) > scale * 4) { drag.moved = true; svg.classList.add("is-dragging"); }
      box[0] = drag.box[0] - dx; box[1] = drag.box[1] - dy;
      apply();
    });
    function end() { svg.classList.remove("is-dragging"); window.setTimeout(function () { drag = null; }, 0); }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointerleave", end);
    svg.addEventListener("click", function (event) {
      if (drag && drag.moved) { event.preventDefault(); }
    }, true);
  });
})();
