/* The programme grid: when rooms run past the right (or left) edge, the frame gets
   is-more-right / is-more-left, which draw a shadow on that edge, and the hint stays. */
(function () {
  "use strict";

  function update() {
    document.querySelectorAll("[data-timetable-frame]").forEach(function (frame) {
      var grid = frame.querySelector(".timetable");
      if (!grid || grid.offsetParent === null) return;
      var max = grid.scrollWidth - grid.clientWidth;
      // The left shadow starts where the sticky time column ends.
      var time = grid.querySelector("thead .timetable__time");
      if (time) frame.style.setProperty("--timetable-time-width", time.getBoundingClientRect().right - grid.getBoundingClientRect().left + "px");
      frame.classList.toggle("is-more-left", grid.scrollLeft > 1);
      frame.classList.toggle("is-more-right", grid.scrollLeft < max - 1);
      var hint = document.querySelector("[data-timetable-hint]");
      if (hint) hint.hidden = max <= 1;
    });
  }

  document.addEventListener("scroll", function (event) {
    if (event.target.classList && event.target.classList.contains("timetable")) update();
  }, true);
  window.addEventListener("resize", update);
  document.addEventListener("htmx:afterSettle", update);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
