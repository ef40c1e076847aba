// The tracking page follows the order without reloading: it polls its status
// every few seconds (until the order is handed over or cancelled) and redraws
// the progress line, the time and what can still be done.
(function () {
  var root = document.querySelector("[data-track-url]");
  if (!root) return;
  var url = root.dataset.trackUrl;

  function setText(selector, text) {
    var element = root.querySelector(selector);
    if (element && element.textContent !== text) element.textContent = text;
  }

  function show(selector, visible) {
    var element = root.querySelector(selector);
    if (element) element.hidden = !visible;
  }

  function render(state) {
    setText("[data-status-label]", state.label);
    setText("[data-headline]", state.headline);
    show("[data-time]", !!state.time);
    setText("[data-time-text]", state.time);
    setText("[data-payment]", state.payment);
    show("[data-awaiting-payment]", state.awaiting_payment);
    show("[data-timeline]", !state.cancelled);
    state.steps.forEach(function (step) {
      var li = root.querySelector('[data-step="' + step.status + '"]');
      if (!li) return;
      li.classList.toggle("is-done", step.done);
      li.classList.toggle("is-current", step.current);
      if (step.current) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
      li.querySelector("[data-step-state]").textContent = step.state_text;
      li.querySelector(".progress__at").textContent = step.at;
    });
    show("[data-actions]", state.changeable);
    show("[data-locked]", state.locked);
    show("[data-pickup-instructions]", !state.finished);
    root.classList.toggle("is-finished", state.finished);
    root.dataset.status = state.status;
  }

  // The server answers 304 (nothing read) while the order is unchanged: the ETag
  // of the last answer goes back with each poll.
  var etag = "";
  function poll() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { headers: headers, cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) return { unchanged: true };
        if (!response.ok) return null;
        etag = response.headers.get("ETag") || "";
        return response.json();
      })
      .then(function (state) {
        if (state && !state.unchanged) render(state);
        if (!state || !state.finished) setTimeout(poll, 3000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (root.dataset.status !== "delivered" && root.dataset.status !== "collected" && root.dataset.status !== "cancelled") {
    setTimeout(poll, 3000);
  }

  // The cancel confirmation is a disclosure (it works without JavaScript); "No, keep it" closes it.
  var cancel = root.querySelector("[data-cancel]");
  var keep = root.querySelector("[data-cancel-keep]");
  if (cancel && keep) {
    keep.hidden = false;
    keep.addEventListener("click", function () {
      cancel.open = false;
      cancel.querySelector("summary").focus();
    });
  }
})();
