// The menu, enhanced: filters apply as they are ticked (the form still works without
// JavaScript), category chips glide to their section and the one on screen is marked,
// the filter panel closes with Escape or a tap elsewhere.
(function () {
  var form = document.querySelector("[data-menu-filters]");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".product-card[data-product]"));
  var sections = Array.prototype.slice.call(document.querySelectorAll(".menu-section"));
  var nav = document.querySelector("[data-menu-nav]");

  function words(value) { return (value || "").split(" ").filter(Boolean); }

  function applyFilters() {
    var diets = [], without = [];
    form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      (box.name === "regime" ? diets : without).push(box.value);
    });
    var shown = 0;
    cards.forEach(function (card) {
      var has = words(card.dataset.diets), contains = words(card.dataset.allergens);
      var keep = diets.every(function (d) { return has.indexOf(d) >= 0; }) &&
                 !without.some(function (a) { return contains.indexOf(a) >= 0; });
      card.hidden = !keep;
      if (keep) shown += 1;
    });
    sections.forEach(function (section) {
      var empty = !section.querySelector(".product-card:not([hidden])");
      section.hidden = empty;
      var link = nav && nav.querySelector('[data-section-link="' + section.id + '"]');
      if (link) link.hidden = empty;
    });
    var active = diets.length + without.length;
    var count = form.querySelector("[data-filter-count]");
    count.textContent = active || "";
    count.hidden = !active;
    form.querySelector("[data-filter-clear]").hidden = !active;
    document.querySelector("[data-menu-empty]").hidden = shown > 0;
    var result = document.querySelector("[data-filter-result]");
    if (result) result.textContent = active ? plural(result, shown) : "";
    var apply = form.querySelector("[data-filter-apply]");
    apply.textContent = plural(apply, shown);

    var query = new URLSearchParams();
    diets.forEach(function (d) { query.append("regime", d); });
    without.forEach(function (a) { query.append("sans", a); });
    var search = query.toString() ? "?" + query.toString() : "";
    history.replaceState(null, "", location.pathname + search + location.hash);
    // Without JavaScript an added product brings the customer back to the same filtered menu.
    document.querySelectorAll("[data-add-to-cart] input[name=next]").forEach(function (next) {
      next.value = location.pathname + search + "#" + next.value.split("#")[1];
    });
  }

  // "{n} produits..." in the page's language (French: 0 and 1 are singular).
  function plural(el, n) {
    var many = document.documentElement.lang.indexOf("fr") === 0 ? n > 1 : n !== 1;
    return (many ? el.dataset.many : el.dataset.one).replace("{n}", n);
  }

  if (form) {
    var details = form.querySelector("details");
    form.addEventListener("change", applyFilters);
    form.addEventListener("submit", function (event) {  // the button now shows the result: it closes the panel
      event.preventDefault();
      details.open = false;
      document.getElementById("menu-title").scrollIntoView();
    });
    form.querySelector("[data-filter-clear]").addEventListener("click", function (event) {
      event.preventDefault();
      form.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
      applyFilters();
    });
    document.querySelectorAll("[data-menu-empty] a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        form.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
        applyFilters();
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && details.open) { details.open = false; details.querySelector("summary").focus(); }
    });
    document.addEventListener("click", function (event) {
      if (details.open && !details.contains(event.target)) details.open = false;
    });
    var apply = form.querySelector("[data-filter-apply]");
    apply.textContent = plural(apply, cards.filter(function (card) { return !card.hidden; }).length);
  }

  // A category chip glides to its section (unless the customer asked for less motion).
  if (nav) nav.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    var target = link && document.getElementById(link.hash.slice(1));
    if (!target) return;
    event.preventDefault();
    var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    target.scrollIntoView({ behavior: calm ? "auto" : "smooth", block: "start" });
    history.replaceState(null, "", location.pathname + location.search + link.hash);
    target.setAttribute("tabindex", "-1");  // the keyboard goes on from there too
    target.focus({ preventScroll: true });
  });

  // The chip of the category on screen.
  if (nav && "IntersectionObserver" in window) {
    var visible = {};
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
      var current = sections.filter(function (s) { return visible[s.id]; })[0];
      if (!current) return;
      nav.querySelectorAll("a").forEach(function (link) {
        var on = link.dataset.sectionLink === current.id;
        if (on) {
          link.setAttribute("aria-current", "location");
          var left = link.offsetLeft - nav.offsetLeft, right = left + link.offsetWidth;
          if (left < nav.scrollLeft || right > nav.scrollLeft + nav.clientWidth) nav.scrollLeft = left - 16;
        } else {
          link.removeAttribute("aria-current");
        }
      });
    }, { rootMargin: "-120px 0px -55% 0px" });
    sections.forEach(function (section) { observer.observe(section); });
  }
})();
