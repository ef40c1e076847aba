// Refreshes the tracking page's status every few seconds without reloading.
(function () {
  var root = document.querySelector("[data-track-url]");
  if (!root) return;
  var url = root.dataset.trackUrl;
  function render(state) {
    root.querySelector("[data-status-label]").textContent = state.label;
    var eta = root.querySelector("[data-eta]");
    eta.hidden = !state.eta || state.cancelled;
    root.querySelector("[data-eta-time]").textContent = state.eta;
    root.querySelector("[data-timeline]").hidden = state.cancelled;
    state.steps.forEach(function (step) {
      var li = root.querySelector('[data-step="' + step.status + '"]');
      if (!li) return;
      li.classList.toggle("is-done", step.done);
      li.querySelector(".timeline__at").textContent = step.at;
    });
    root.querySelector("[data-actions]").hidden = !state.changeable;
    root.querySelector("[data-locked]").hidden = state.changeable || state.cancelled;
    root.dataset.status = state.status;
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) render(state); })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 3000);
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
