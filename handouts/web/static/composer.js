// The composer's few behaviours that htmx attributes do not cover. No inline script anywhere (the
// Content-Security-Policy forbids it), no data kept in the browser.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" || event.isComposing) return;
  var target = event.target;
  if (target.id === "q") {  // Enter in the search box adds the first result
    event.preventDefault();
    var add = document.querySelector("#results button[value^='add:']:not([disabled])");
    if (add) add.click();
    return;
  }
  // Enter in a one-line field of the visit form must not submit it (that would download a PDF).
  if (target.form && target.form.id === "visit" && target.tagName === "INPUT") event.preventDefault();
});


// After Remove (its button is gone) keep the keyboard in the list: focus its heading, not the page top.
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.target.id !== "handout") return;
  var active = document.activeElement;
  if (active && active !== document.body && document.contains(active)) return;
  var heading = document.getElementById("handout-h");
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
});
