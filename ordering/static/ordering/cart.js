// Adds to the cart without leaving the menu and keeps the header's cart and the
// "Voir le panier" bar up to date; without JavaScript the form posts normally.
(function () {
  var announcer = document.createElement("p");  // says what happened, for screen readers
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  document.body.appendChild(announcer);

  // {count, total} as the server answers them ("total": "33,00 €", formatted there).
  function showCart(data) {
    document.querySelectorAll("[data-cart-count]").forEach(function (el) { el.textContent = data.count; });
    document.querySelectorAll("[data-cart-total]").forEach(function (el) {
      el.textContent = data.total || "";
      el.hidden = !data.count || !data.total;
    });
    var bar = document.querySelector("[data-cart-bar]");
    if (!bar) return;
    bar.querySelector("[data-cart-bar-count]").textContent = data.count;
    bar.querySelector("[data-cart-bar-total]").textContent = data.total || "";
    bar.hidden = !data.count;
    bar.classList.remove("is-bumped");
    void bar.offsetWidth;  // restarts the animation
    bar.classList.add("is-bumped");
  }
  window.ocpizzaCart = { show: showCart };

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-add-to-cart]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 200) return response.json().then(function (data) {
          showCart(data);
          note(form, data.capped ? data.message : "", data.capped);
          announcer.textContent = data.message;
          added(button);
        });
        if (response.status === 400) return response.json().then(function (data) { note(form, data.error, true); });
        form.submit();  // e.g. the cart holds another restaurant's items: the server asks first
      })
      .catch(function () { form.submit(); });
  });

  function added(button) {
    button.classList.add("is-added");
    clearTimeout(button.addedTimer);
    button.addedTimer = setTimeout(function () { button.classList.remove("is-added"); }, 1200);
  }

  function note(form, text, isError) {
    var existing = form.querySelector(".add-to-cart__note");
    if (!text) { if (existing) existing.remove(); return; }
    var el = existing || document.createElement("p");
    el.className = "add-to-cart__note" + (isError ? " form-error" : "");
    el.setAttribute("role", "alert");
    el.textContent = text;
    form.appendChild(el);
  }
})();
