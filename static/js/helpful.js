/* Post a form from a cached page: fetch a CSRF token for this reader, then submit as POST.
   Without JavaScript the form's GET opens a confirmation page with its own token. */
"use strict";
document.querySelectorAll("form.js-csrf-post").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var submitter = event.submitter;
    fetch(form.dataset.csrfUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("no token");
        return response.json();
      })
      .then(function (data) {
        var fields = { csrfmiddlewaretoken: data.token };
        if (submitter && submitter.name) fields[submitter.name] = submitter.value;
        Object.keys(fields).forEach(function (name) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = name;
          input.value = fields[name];
          form.appendChild(input);
        });
        form.method = "post";
        form.submit();
      })
      .catch(function () {
        // Fall back to the confirmation page (the no-JavaScript path).
        if (submitter && submitter.name) {
          window.location = form.action + "?" + submitter.name + "=" + encodeURIComponent(submitter.value);
        }
      });
  });
});
