// Account forms: a "Show" button beside each password, and the error summary gets the focus.
(function () {
  document.querySelectorAll("[data-password-field]").forEach(function (wrapper) {
    var input = wrapper.querySelector("input");
    if (!input) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "password-reveal";
    var word = document.createElement("span");
    var what = document.createElement("span");
    what.className = "visually-hidden";
    what.textContent = " " + wrapper.dataset.what;
    word.textContent = wrapper.dataset.show;
    button.append(word, what);
    button.setAttribute("aria-controls", input.id);
    button.addEventListener("click", function () {
      var shown = input.type === "password";
      input.type = shown ? "text" : "password";
      word.textContent = shown ? wrapper.dataset.hide : wrapper.dataset.show;
      input.focus();
    });
    wrapper.classList.add("has-reveal");
    wrapper.appendChild(button);
  });
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
