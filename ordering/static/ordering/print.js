// Printed tickets.
// - On a ticket page: the "Print" button.
// - On the kitchen page: a per-tablet toggle (kept in localStorage) "print new tickets".
//   When the board announces a new ticket (the "ocpizza:new-ticket" event, detail.orderId),
//   a tablet set to print claims the ticket on the server (the first claim wins, any later
//   one gets 409: two tablets or a reload never print one ticket twice), then prints it
//   through a hidden frame. Each print is announced as "ocpizza:ticket-printed".
(function () {
  var script = document.currentScript;
  document.querySelectorAll("[data-print-button]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (!script || !script.dataset.claimUrl) return;

  var KEY = "ocpizza:auto-print";
  var label = document.createElement("label");
  label.className = "auto-print";
  var toggle = document.createElement("input");
  toggle.type = "checkbox";
  toggle.setAttribute("data-auto-print", "");
  try { toggle.checked = window.localStorage.getItem(KEY) === "1"; } catch (e) { /* storage refused: off */ }
  toggle.addEventListener("change", function () {
    try { window.localStorage.setItem(KEY, toggle.checked ? "1" : "0"); } catch (e) { /* kept for this page only */ }
  });
  label.appendChild(toggle);
  label.appendChild(document.createTextNode(" " + (script.dataset.label || "")));
  (document.querySelector(".staff-header") || document.body).appendChild(label);

  // The board may name an order by its id or by its number ("BAS4-2511-007").
  function orderId(id) {
    if (/^\d+$/.test(String(id))) return String(id);
    var link = document.querySelector('[data-order="' + String(id).replace(/["\\]/g, "") + '"] [data-ticket-link="kitchen"]');
    var match = link && link.getAttribute("href").match(/\/commande\/(\d+)\//);
    return match ? match[1] : null;
  }

  function printFrame(url, id) {
    return new Promise(function (resolve) {
      var frame = document.createElement("iframe");
      frame.className = "print-frame";
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      frame.addEventListener("load", function () {
        try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { /* nothing printed */ }
        document.dispatchEvent(new CustomEvent("ocpizza:ticket-printed", { detail: { orderId: id } }));
        setTimeout(function () { frame.remove(); resolve(); }, 2000);
      });
      frame.src = url;
      document.body.appendChild(frame);
    });
  }

  function claimAndPrint(id) {
    return fetch(script.dataset.claimUrl.replace("/0/", "/" + id + "/"), {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": script.dataset.csrf, Accept: "application/json" },
    }).then(function (response) {
      if (response.status !== 200) return null;  // 409: another tablet (or this one before a reload) printed it
      return response.json().then(function (data) { return printFrame(data.url, id); });
    }).catch(function () {});
  }

  var queue = Promise.resolve();  // one print at a time
  document.addEventListener("ocpizza:new-ticket", function (event) {
    if (!toggle.checked) return;
    var id = orderId(event.detail && event.detail.orderId);
    if (id) queue = queue.then(function () { return claimAndPrint(id); });
  });
})();
