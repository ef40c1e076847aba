// The kitchen board. The board stream (Server-Sent Events, ordering/staff/stream.py)
// announces each new version of the restaurant's board; the board then fetches its
// columns and redraws only the tickets whose version changed, so an open recipe
// stays open. Without the stream (refused, or down) it polls every 15 seconds;
// with no stream configured (runserver), twice a second as before.
// A new ticket is highlighted, rings (unless muted: remembered on this tablet) and
// is announced to other scripts with the "ocpizza:new-ticket" event. Tickets take
// a colour as their promised time nears and passes, recomputed every minute.
// A refresh answered by the login page, 401 or 403 shows "session ended" instead.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) return;

  var SLOW_POLL = 15000;
  var FAST_POLL = 500; // no stream configured (runserver): the old twice-a-second poll
  var LATE_COLUMNS = ["placed", "in_preparation"];
  var MUTE_KEY = "ocpizza.board.muted";
  var HIGHLIGHT_MS = 120000;
  var seen = {}; // order ids ever shown on this board: only others are new
  var fresh = {}; // order id -> time it appeared (highlighted for a while)
  var ended = false;
  var loading = null;
  var again = false;
  var pollTimer = null;
  var stream = null;

  tickets(board).forEach(function (ticket) { seen[ticket.dataset.orderId] = true; });

  function tickets(root) {
    return Array.prototype.slice.call(root.querySelectorAll("[data-order-id]"));
  }

  // --- banners -------------------------------------------------------------
  function banner(which) {
    document.querySelectorAll("[data-board-banner]").forEach(function (element) {
      element.hidden = element.dataset.boardBanner !== which;
    });
  }
  function sessionEnded() {
    ended = true;
    if (stream) stream.close();
    clearTimeout(pollTimer);
    banner("ended");
  }

  // --- redrawing -----------------------------------------------------------
  function apply(html) {
    var incoming = document.createElement("template");
    incoming.innerHTML = html;
    var current = {};
    tickets(board).forEach(function (ticket) { current[ticket.dataset.orderId] = ticket; });
    var added = [];
    tickets(incoming.content).forEach(function (ticket) {
      var id = ticket.dataset.orderId;
      var old = current[id];
      if (old && old.dataset.ticketVersion === ticket.dataset.ticketVersion) {
        ticket.replaceWith(old); // unchanged: the same element, open recipes and all
        return;
      }
      if (old) keepOpenRecipes(old, ticket);
      if (!seen[id]) {
        seen[id] = true;
        fresh[id] = Date.now();
        added.push(id);
      }
    });
    board.replaceChildren(incoming.content);
    mark();
    if (added.length) {
      ring();
      added.forEach(function (id) {
        document.dispatchEvent(new CustomEvent("ocpizza:new-ticket", { detail: { orderId: Number(id) } }));
      });
    }
  }

  function keepOpenRecipes(old, ticket) {
    old.querySelectorAll("details[open][data-recipe]").forEach(function (details) {
      var redrawn = ticket.querySelector('details[data-recipe="' + details.dataset.recipe + '"]');
      if (redrawn) redrawn.open = true;
    });
  }

  // Highlight of new tickets and colours of late ones, from the clock of the tablet.
  function mark() {
    var now = Date.now();
    tickets(board).forEach(function (ticket) {
      var id = ticket.dataset.orderId;
      var isFresh = fresh[id] && now - fresh[id] < HIGHLIGHT_MS;
      if (!isFresh) delete fresh[id];
      ticket.classList.toggle("ticket--new", Boolean(isFresh));
      var column = ticket.closest("[data-column]");
      var late = "";
      if (ticket.dataset.due && column && LATE_COLUMNS.indexOf(column.dataset.column) !== -1) {
        var minutes = (now - Date.parse(ticket.dataset.due)) / 60000;
        late = minutes >= 10 ? "ticket--very-late" : minutes >= 0 ? "ticket--late" : minutes >= -5 ? "ticket--soon" : "";
      }
      ["ticket--soon", "ticket--late", "ticket--very-late"].forEach(function (css) {
        ticket.classList.toggle(css, css === late);
      });
    });
  }
  setInterval(mark, 60000);
  // The "à préparer" totals cover the next 30 minutes, a window that moves on by itself.
  if (board.classList.contains("board--with-totals")) {
    setInterval(function () { board.dataset.version = ""; refresh(); }, 300000);
  }
  mark();
  board.addEventListener("pointerdown", function (event) {
    var ticket = event.target.closest("[data-order-id]");
    if (ticket && fresh[ticket.dataset.orderId]) {
      delete fresh[ticket.dataset.orderId];
      ticket.classList.remove("ticket--new");
    }
  });

  // --- sound ---------------------------------------------------------------
  var muteButton = document.querySelector("[data-board-mute]");
  var audio = null;
  function muted() {
    try { return localStorage.getItem(MUTE_KEY) === "1"; } catch (e) { return false; }
  }
  function showMute() {
    if (!muteButton) return;
    muteButton.hidden = false;
    muteButton.classList.toggle("mute-button--muted", muted());
    muteButton.textContent = muted() ? muteButton.dataset.labelOff : muteButton.dataset.labelOn;
  }
  if (muteButton) {
    muteButton.addEventListener("click", function () {
      try { localStorage.setItem(MUTE_KEY, muted() ? "0" : "1"); } catch (e) {}
      showMute();
      unlockAudio();
    });
    showMute();
  }
  // Browsers start audio only after a gesture: the first tap on the board unlocks it.
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  }
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  function ring() {
    board.dataset.rang = String(Number(board.dataset.rang || 0) + 1); // for tests and curious eyes
    if (muted() || !audio || audio.state !== "running") return;
    [0, 0.18].forEach(function (delay, index) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = index ? 1320 : 880;
      gain.gain.setValueAtTime(0.25, audio.currentTime + delay);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + delay + 0.16);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(audio.currentTime + delay);
      oscillator.stop(audio.currentTime + delay + 0.17);
    });
  }

  // --- fetching the columns --------------------------------------------------
  function refresh() {
    if (ended) return Promise.resolve();
    if (loading) { again = true; return loading; }
    var url = board.dataset.pollUrl + "?v=" + encodeURIComponent(board.dataset.version || "");
    loading = fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual", headers: { Accept: "text/html" } })
      .then(function (response) {
        // The admin answers an ended session with a redirect to its login page.
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          sessionEnded();
          return;
        }
        if (response.status === 204) { banner(stream && stream.readyState === 2 ? "lost" : ""); return; }
        if (!response.ok || !response.headers.has("X-Board-Version")) throw new Error("board refresh " + response.status);
        banner(stream && stream.readyState === 2 ? "lost" : "");
        board.dataset.version = response.headers.get("X-Board-Version") || "";
        return response.text().then(apply);
      })
      .catch(function () { if (!ended) banner("lost"); })
      .finally(function () {
        loading = null;
        if (again) { again = false; refresh(); }
      });
    return loading;
  }

  function poll(delay) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(function () {
      refresh().finally(function () { if (!ended && (!stream || stream.readyState !== 1)) poll(delay); });
    }, delay);
  }

  // --- the stream ------------------------------------------------------------
  function connect() {
    var url = board.dataset.streamUrl;
    if (!url || !window.EventSource) { poll(url ? SLOW_POLL : FAST_POLL); return; }
    var crossOrigin = new URL(url, location.href).origin !== location.origin;
    stream = new EventSource(url + "?v=" + encodeURIComponent(board.dataset.version || ""), { withCredentials: crossOrigin });
    stream.addEventListener("open", function () {
      board.dataset.stream = "open";
      clearTimeout(pollTimer);
      banner("");
      refresh(); // catches up with what happened while it was away
    });
    stream.addEventListener("version", function (event) {
      if (event.data !== board.dataset.version) refresh();
    });
    stream.addEventListener("session", function () {
      sessionEnded();
    });
    stream.addEventListener("error", function () {
      board.dataset.stream = stream.readyState === 2 ? "closed" : "connecting";
      // CONNECTING: the browser retries by itself (and resumes with Last-Event-ID);
      // CLOSED: refused (401/403) or broken: the slow poll takes over and tells why.
      if (stream.readyState === 2) {
        banner("lost");
        refresh();
        poll(SLOW_POLL);
        setTimeout(function () { if (!ended) connect(); }, SLOW_POLL * 4);
      } else {
        poll(SLOW_POLL);
      }
    });
  }
  connect();

  // --- a tap moves an order at once --------------------------------------------
  board.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-move]");
    if (!form) return;
    event.preventDefault();
    form.querySelector("button").disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401) { sessionEnded(); return; }
        board.dataset.version = "";
        return refresh();
      })
      .catch(function () { banner("lost"); form.querySelector("button").disabled = false; });
  });
})();
