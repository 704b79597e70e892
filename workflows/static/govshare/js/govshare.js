// Loaded in the head of every page (templates/viewflow/base_page.html), once: Turbo keeps it across visits.
// Behaviour that templates would otherwise write inline (the Content-Security-Policy forbids inline scripts
// and on* attributes): a button or link with data-confirm="question" asks before it acts.
(function () {
  if (window.govshareLoaded) { return; }
  window.govshareLoaded = true;
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
