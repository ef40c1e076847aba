// Pages that anonymous visitors share carry no CSRF token (they come from a cache):
// a form posted without one gets it at that moment, from the CSRF cookie or from
// /csrf-token/, then is submitted again (with the button that was pressed). Runs
// before the other scripts' submit handlers (capture). Without JavaScript, the
// server's CSRF page offers the form again with a token.
(function () {
  var url = document.documentElement.getAttribute("data-csrf-url") || "/csrf-token/";

  function fromCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function token() {
    var value = fromCookie();
    if (value) return Promise.resolve(value);
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { return data.token; });
  }
  window.ocpizzaCsrf = { token: token };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!window.fetch || !window.Promise || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    var field = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (field && field.value) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter && event.submitter.form === form ? event.submitter : null;
    token().then(function (value) {
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "csrfmiddlewaretoken";
        form.appendChild(field);
      }
      field.value = value;
      // After this submit event is done being dispatched: a form does not submit
      // again while its submit event is firing (the cookie's token comes at once).
      setTimeout(function () {
        if (form.requestSubmit) form.requestSubmit(submitter || undefined);
        else form.submit();
      }, 0);
    }).catch(function () { form.submit(); });
  }, true);
})();
