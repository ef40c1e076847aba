// The checkout page, enhanced (without JavaScript every part of it posts and works):
// - the cart's steppers update the cart in place, keeping the focus where it was;
// - the error summary takes the focus, and its links move the focus to their field;
// - a time the chosen fulfilment cannot keep is replaced by one it can, and said so;
// - choosing another day picks its first time; a second submission is stopped.
(function () {
  var form = document.querySelector("[data-checkout]");
  if (!form) return;
  var announcer = document.querySelector("[data-announce]");

  function say(text) {
    if (!announcer || !text) return;
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // --- errors ---------------------------------------------------------------
  var summary = form.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  form.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var details = target.closest("details");
    if (details) details.open = true;
    target.focus();
  });

  // --- promotion code: Enter in its field applies it (without JavaScript, Enter places the order with it) --
  var promo = form.querySelector("[name=promo_code]");
  var apply = form.querySelector("[data-apply-code]");
  if (promo && apply) {
    promo.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      apply.click();
    });
  }

  // --- cart steppers ----------------------------------------------------------
  var busy = false;
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("data-step") && window.fetch && !form.hasAttribute("data-plain")) {
      event.preventDefault();
      step(button);
      return;
    }
    if (button && button.hasAttribute("formaction")) return;  // "add more": leaves the page
    var pay = form.querySelector("[data-place-order]");
    setTimeout(function () { if (pay) pay.disabled = true; }, 0);  // one order per click
  });

  function step(button) {
    if (busy) return;
    busy = true;
    form.classList.add("is-updating");
    var line = button.closest("[data-line]");
    var size = line.getAttribute("data-line");
    var buttons = Array.prototype.slice.call(line.querySelectorAll("[data-step]"));
    var position = buttons.indexOf(button);  // 0: minus (or remove), 1: plus
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("line", button.value);
    fetch(button.getAttribute("formaction"), {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.status !== 200 && response.status !== 400) throw new Error(response.status);
      return response.json();
    }).then(function (data) {
      refresh(data, size, position, line.getAttribute("data-name"));
    }).catch(function () {
      form.setAttribute("data-plain", "");  // post it the plain way: the server answers with the page
      form.requestSubmit(button);
    }).then(function () {
      busy = false;
      form.classList.remove("is-updating");
    });
  }

  function refresh(data, size, position, name) {
    document.querySelectorAll("[data-cart-count]").forEach(function (el) { el.textContent = data.count; });
    document.querySelectorAll("[data-cart-total]").forEach(function (el) { el.textContent = data.total; });
    if (!data.html) { window.location.reload(); return; }  // the cart is empty now
    var cartBlock = form.querySelector("[data-cart-block]");
    var next = nextLineOf(cartBlock, size);
    cartBlock.innerHTML = data.html.cart;
    form.querySelector("[data-pay-block]").innerHTML = data.html.pay;
    var line = cartBlock.querySelector('[data-line="' + size + '"]');
    var target = null;
    if (line) {
      var buttons = line.querySelectorAll("[data-step]");
      target = !buttons[position].disabled ? buttons[position] : buttons[1 - position];
      say(data.message || name + " : " + line.querySelector("[data-quantity]").textContent);
    } else {
      var following = next && cartBlock.querySelector('[data-line="' + next + '"] [data-step]');
      target = following || cartBlock.querySelector(".add-more");
      say(data.message || form.getAttribute("data-removed").replace("%s", name));
    }
    if (target) target.focus();
  }

  function nextLineOf(block, size) {
    var lines = Array.prototype.map.call(block.querySelectorAll("[data-line]"), function (l) { return l.getAttribute("data-line"); });
    var index = lines.indexOf(size);
    return lines[index + 1] || lines[index - 1] || null;
  }

  // --- times --------------------------------------------------------------------
  function fulfilment() {
    var chosen = form.querySelector("input[name=fulfilment]:checked");
    return chosen ? chosen.value : "delivery";
  }

  function keepable(input) {
    var only = fulfilment() === "delivery" ? ".if-pickup" : ".if-delivery";
    return !input.closest(only);
  }

  function choose(input) {
    input.checked = true;
    var slots = input.closest(".slots");
    if (slots) {
      var day = document.getElementById("day-" + slots.className.match(/slots--(\d+)/)[1]);
      if (day) day.checked = true;
    }
    say(form.getAttribute("data-time-changed").replace("%s", input.closest("label").innerText.trim()));
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.name === "fulfilment") {
      var when = form.querySelector("input[name=when]:checked");
      if (when && !keepable(when)) {
        var first = Array.prototype.find.call(form.querySelectorAll("input[name=when]"), keepable);
        if (first) choose(first);
      }
    } else if (input.name === "day") {
      var chosen = form.querySelector("input[name=when]:checked");
      var group = form.querySelector(".slots--" + input.value);
      if (group && (!chosen || !group.contains(chosen))) {
        var firstOfDay = Array.prototype.find.call(group.querySelectorAll("input[name=when]"), keepable);
        if (firstOfDay) choose(firstOfDay);
      }
    }
  });
})();
