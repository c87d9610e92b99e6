/* "Copy link" on the article's share buttons. Progressive enhancement only: without
   JavaScript (or without the Clipboard API) the button is a plain link to the article. */
"use strict";
document.querySelectorAll("[data-copy]").forEach(function (el) {
  el.addEventListener("click", function (event) {
    if (!navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(el.dataset.copy).then(function () {
      // The words come from the page (data-copied), in its language.
      el.textContent = el.dataset.copied || el.textContent;
    });
  });
});
