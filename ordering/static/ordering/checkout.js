// Shows the address only for deliveries, and stops a second submission.
(function () {
  var form = document.querySelector("[data-checkout]");
  if (!form) return;
  var fields = form.querySelector("[data-delivery-fields]");
  function sync() {
    var chosen = form.querySelector("input[name=fulfilment]:checked");
    fields.hidden = chosen && chosen.value !== "delivery";
  }
  form.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", function () {
    var button = form.querySelector("[data-place-order]");
    setTimeout(function () { button.disabled = true; }, 0);
  });
})();
