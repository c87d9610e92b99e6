/* "Republish this story": opens the republish page's panel in a modal <dialog> and wires
   the copy buttons. Without JavaScript the control is a link to that page, and the copy
   buttons stay hidden (the text areas can be selected by hand). */
"use strict";
(function () {
  function wireCopy(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var field = root.querySelector("#" + button.dataset.copyTarget);
      var status = button.parentElement.querySelector("[data-copy-status]");
      if (!field) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var done = function () { if (status) status.textContent = button.dataset.copied; };
        field.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            if (document.execCommand("copy")) done();
          });
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  }

  var opener = document.querySelector("[data-republish-open]");
  var dialog = document.getElementById("republish-dialog");
  if (opener && dialog && typeof dialog.showModal === "function") {
    var body = dialog.querySelector("[data-republish-body]");
    var close = dialog.querySelector("[data-republish-close]");
    var load = function () {
      if (body.childElementCount) return Promise.resolve();
      return fetch(opener.href, { credentials: "omit" }).then(function (response) {
        if (!response.ok) throw new Error("republish page: " + response.status);
        return response.text();
      }).then(function (html) {
        var panel = new DOMParser().parseFromString(html, "text/html").getElementById("republish-panel");
        if (!panel) throw new Error("republish page without its panel");
        body.replaceChildren(document.importNode(panel, true));
        wireCopy(body);
      });
    };
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      load().then(function () {
        dialog.showModal();
        close.focus();
      }, function () {
        window.location.assign(opener.href);  // the page works without the dialog
      });
    });
    close.addEventListener("click", function () { dialog.close(); });
    // Esc closes a modal <dialog> by itself; either way focus goes back to the control.
    dialog.addEventListener("close", function () { opener.focus(); });
  }
  if (!dialog) wireCopy(document);  // the republish page itself
})();
