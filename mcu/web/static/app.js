// Keyboard shortcuts for the people who live in the queue: g q — queue, g a — appeals, / — search field, on a story
// the buttons carry accesskeys (Alt+T take, Alt+F false alarm, Alt+C close in Chrome; shown on the buttons).
(function () {
  "use strict";
  var pending = null;
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === "/") {
      var field = document.querySelector("[data-search]");
      if (field) { event.preventDefault(); field.focus(); }
      return;
    }
    if (pending === "g") {
      pending = null;
      var target = document.querySelector('[data-key="' + event.key + '"]');
      if (target) { event.preventDefault(); target.click(); }
      return;
    }
    if (event.key === "g") { pending = "g"; setTimeout(function () { pending = null; }, 1500); }
  });
})();
