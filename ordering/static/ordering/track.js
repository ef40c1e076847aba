// Refreshes the tracking page's status every few seconds without reloading.
(function () {
  var root = document.querySelector("[data-track-url]");
  if (!root) return;
  var url = root.dataset.trackUrl;
  function render(state) {
    root.querySelector("[data-status-label]").textContent = state.label;
    root.querySelector("[data-time]").hidden = !state.time;
    root.querySelector("[data-time-text]").textContent = state.time;
    root.querySelector("[data-payment]").textContent = state.payment;
    var awaiting = root.querySelector("[data-awaiting-payment]");
    if (awaiting) awaiting.hidden = !state.awaiting_payment;
    root.querySelector("[data-timeline]").hidden = state.cancelled;
    state.steps.forEach(function (step) {
      var li = root.querySelector('[data-step="' + step.status + '"]');
      if (!li) return;
      li.classList.toggle("is-done", step.done);
      li.querySelector(".timeline__at").textContent = step.at;
    });
    root.querySelector("[data-actions]").hidden = !state.changeable;
    root.querySelector("[data-locked]").hidden = !state.locked;
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
