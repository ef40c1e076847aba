// Adds to the cart without leaving the menu; without JavaScript the form posts normally.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-add-to-cart]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 200) return response.json().then(function (data) {
          document.querySelectorAll("[data-cart-count]").forEach(function (el) { el.textContent = data.count; });
          flash(form, data.message, false);
        });
        if (response.status === 400) return response.json().then(function (data) { flash(form, data.error, true); });
        form.submit();  // e.g. the cart holds another restaurant's items: the server asks first
      })
      .catch(function () { form.submit(); });
  });
  function flash(form, text, isError) {
    var note = form.querySelector(".add-to-cart__note") || document.createElement("p");
    note.className = "add-to-cart__note" + (isError ? " form-error" : "");
    note.setAttribute("role", "status");
    note.textContent = text;
    form.appendChild(note);
  }
})();
