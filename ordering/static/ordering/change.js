// Change order: the -/+/remove/add buttons change the lines in the page instead of
// posting the form (which is how they work without JavaScript), the totals follow,
// and the menu can be searched. The server checks and prices everything again
// when the changes are saved.
(function () {
  var form = document.querySelector("[data-change-form]");
  if (!form) return;
  var lines = form.querySelector("[data-lines]");
  var template = document.querySelector("[data-line-template]");
  var announcer = form.querySelector("[data-announce]");
  var data = form.dataset;

  // Money in whole cents, from the plain decimals the page carries ("11.50").
  function cents(text) {
    var parts = String(text || "0").split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function euros(amount) {
    var whole = String(Math.floor(amount / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, data.thousands);
    return whole + data.decimal + String(amount % 100).padStart(2, "0") + "\u00a0€";
  }
  function fill(message, values) {
    return message.replace(/\{(\w+)\}/g, function (match, key) { return key in values ? values[key] : match; });
  }
  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML.replace(/"/g, "&quot;");
  }
  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }
  function quantityOf(line) {
    var value = line.querySelector("[data-qty]").value.trim();
    return /^[0-9]{1,2}$/.test(value) ? parseInt(value, 10) : 0;
  }
  function nameOf(line) {
    return (line.querySelector("[data-line-name]").textContent + " " + line.querySelector("[data-line-label]").textContent).trim();
  }
  function limitNote(limit) {
    return limit >= 20 ? data.msgMax : fill(data.msgStock, { count: limit });
  }
  function show(selector, visible) {
    var element = form.querySelector(selector);
    if (element) element.hidden = !visible;
  }
  function setText(selector, text) {
    var element = form.querySelector(selector);
    if (element) element.textContent = text;
  }

  function update() {
    var kept = cents(data.kept || "0"); // customised pizzas, kept as they are
    var subtotal = kept;
    var all = lines.querySelectorAll("[data-line]");
    all.forEach(function (line) {
      var quantity = quantityOf(line);
      var limit = parseInt(line.dataset.limit, 10);
      subtotal += cents(line.dataset.price) * quantity;
      line.querySelector("[data-line-total]").textContent = euros(cents(line.dataset.price) * quantity);
      line.querySelector("[data-more]").disabled = quantity >= limit;
      var note = line.querySelector("[data-line-note]");
      note.textContent = limitNote(limit);
      note.hidden = quantity < limit;
    });
    var any = all.length > 0 || kept > 0;
    var total = any ? subtotal + cents(data.fee) : 0;
    var missing = any ? Math.max(0, cents(data.orderMinimum) - subtotal) : 0;
    setText("[data-subtotal]", euros(subtotal));
    if (data.discounted) {
      // Promotions (percentages, 2nd pizza, meal deals, the loyalty reward) are computed by the server only.
      setText("[data-total]", data.msgRecomputed);
      form.querySelectorAll("[data-discount]").forEach(function (row) { row.hidden = true; });
      show("[data-refund]", false);
      show("[data-over]", false);
      setText("[data-missing]", euros(missing));
      show("[data-minimum-note]", missing > 0);
      show("[data-empty]", !any);
      return;
    }
    setText("[data-total]", euros(total));
    setText("[data-missing]", euros(missing));
    show("[data-minimum-note]", missing > 0);
    show("[data-empty]", !any);
    if (data.paid) {
      var paid = cents(data.paid);
      setText("[data-refund-amount]", euros(Math.max(0, paid - total)));
      setText("[data-over-amount]", euros(Math.max(0, total - paid)));
      show("[data-refund]", any && total < paid);
      show("[data-over]", total > paid);
    }
  }

  function lineFor(sizeId) {
    return lines.querySelector('[data-line="' + sizeId + '"]');
  }
  function setQuantity(line, quantity) {
    line.querySelector("[data-qty]").value = quantity;
  }
  function removeLine(line) {
    var name = nameOf(line);
    line.remove();
    update();
    form.querySelector("#change-lines").focus();
    announce(fill(data.msgRemoved, { name: name }));
  }
  function step(line, delta) {
    var quantity = quantityOf(line) + delta;
    var limit = parseInt(line.dataset.limit, 10);
    if (quantity <= 0) return removeLine(line);
    if (delta > 0 && quantity > limit) return announce(fill(data.msgCapped, { name: nameOf(line), reason: limitNote(limit) }));
    setQuantity(line, quantity);
    update();
    announce(fill(data.msgQuantity, { name: nameOf(line), quantity: quantity }));
  }
  function add(button) {
    var line = lineFor(button.dataset.add);
    if (line) return step(line, 1);
    var html = template.innerHTML
      .replace(/__ID__/g, button.dataset.add)
      .replace(/__NAME__/g, escapeHtml(button.dataset.name))
      .replace(/__LABEL__/g, escapeHtml(button.dataset.label))
      .replace(/__PRICE__/g, escapeHtml(button.dataset.price))
      .replace(/__LIMIT__/g, escapeHtml(button.dataset.limit))
      .replace(/__UNIT__/g, escapeHtml(euros(cents(button.dataset.price))))
      .replace(/__TOTAL__/g, escapeHtml(euros(cents(button.dataset.price))));
    lines.insertAdjacentHTML("beforeend", html.trim());
    update();
    announce(fill(data.msgAdded, { name: (button.dataset.name + " " + button.dataset.label).trim() }));
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || button.disabled) return;
    var line = button.closest("[data-line]");
    if (button.hasAttribute("data-add")) { event.preventDefault(); add(button); }
    else if (line && button.hasAttribute("data-less")) { event.preventDefault(); step(line, -1); }
    else if (line && button.hasAttribute("data-more")) { event.preventDefault(); step(line, 1); }
    else if (line && button.hasAttribute("data-remove")) { event.preventDefault(); removeLine(line); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.matches("[data-qty]")) update();
  });

  // Searching the menu: products whose name, ingredients or category match; their categories open.
  var search = form.querySelector("[data-search]");
  var categories = form.querySelectorAll("[data-picker-category]");
  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  if (search) {
    form.querySelector("[data-picker-search]").hidden = false;
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // Enter searches, it does not save the order
    });
    search.addEventListener("input", function () {
      var query = normalise(search.value.trim());
      var found = 0;
      categories.forEach(function (category) {
        var shown = 0;
        category.querySelectorAll("[data-picker-product]").forEach(function (product) {
          var match = !query || normalise(product.dataset.searchText).indexOf(query) !== -1;
          product.hidden = !match;
          if (match) shown += 1;
        });
        category.hidden = shown === 0;
        if (query) {
          if (!("wasOpen" in category.dataset)) category.dataset.wasOpen = category.open ? "1" : "";
          category.open = true;
        } else if ("wasOpen" in category.dataset) {
          category.open = category.dataset.wasOpen === "1";
          delete category.dataset.wasOpen;
        }
        found += shown;
      });
      show("[data-search-none]", query && found === 0);
    });
  }
  update();
})();
