// The kitchen board polls twice a second; the server answers 204 while nothing
// changed. A tap on a ticket moves it at once and refreshes the board.
(function () {
  var board = document.querySelector("[data-board]");
  if (!board) return;
  function refresh() {
    var url = board.dataset.pollUrl + "?v=" + encodeURIComponent(board.dataset.version || "");
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 200) {
        board.dataset.version = response.headers.get("X-Board-Version") || "";
        return response.text().then(function (html) { board.innerHTML = html; });
      }
    }).catch(function () {});
  }
  (function loop() { refresh().finally(function () { setTimeout(loop, 500); }); })();
  board.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-move]");
    if (!form) return;
    event.preventDefault();
    form.querySelector("button").disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function () { board.dataset.version = ""; return refresh(); });
  });
})();
