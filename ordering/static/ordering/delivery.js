// The delivery screen refreshes by itself: it polls every few seconds and the server
// answers 204 while the restaurant's board version is unchanged. "Delivered" asks for
// an in-page confirmation, then hands the order over without leaving the page.
// Without JavaScript the screen still works: the forms post and the page reloads.
(function () {
  var list = document.querySelector("[data-deliveries]");
  if (!list) return;
  var status = document.querySelector("[data-delivery-status]");

  function busy() {  // never redraw under a courier's finger
    return list.querySelector("[data-confirm-box]:not([hidden]), input[type=radio]:checked, form[data-sending]") !== null;
  }
  function refresh(force) {
    if (!force && busy()) return Promise.resolve();
    var url = list.dataset.pollUrl + "?v=" + encodeURIComponent(force ? "" : list.dataset.version || "");
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status !== 200 || response.redirected) return;
      list.dataset.version = response.headers.get("X-Board-Version") || "";
      return response.text().then(function (html) { list.innerHTML = html; });
    }).catch(function () {});
  }
  (function loop() { refresh(false).finally(function () { setTimeout(loop, 5000); }); })();

  function say(text) { if (status) status.textContent = text; }

  list.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-cancel]");
    if (!cancel) return;
    var form = cancel.closest("form");
    form.querySelector("[data-confirm-box]").hidden = true;
    form.querySelector("[data-deliver-button]").hidden = false;
  });

  list.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-deliver]");
    if (!form) return;
    event.preventDefault();
    var box = form.querySelector("[data-confirm-box]");
    if (!event.submitter || !event.submitter.hasAttribute("data-confirm")) {  // first tap: ask
      var paid = form.querySelector("input[name=collected_with]:checked");
      var payment = box.querySelector("[data-confirm-payment]");
      if (payment && paid) payment.textContent = "(" + list.dataset[paid.value] + ")";
      form.querySelector("[data-deliver-button]").hidden = true;
      box.hidden = false;
      box.querySelector("[data-confirm]").focus();
      return;
    }
    form.setAttribute("data-sending", "");
    event.submitter.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          say(response.ok ? list.dataset.done + " " + form.dataset.number : (data.error || response.statusText));
        });
      })
      .catch(function () {})
      .finally(function () { form.removeAttribute("data-sending"); return refresh(true); });
  });
})();
