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

