/* Progressive enhancement only: keeps the button saying what will happen as the donor
   changes choices. No money arithmetic here: the server computed every label for the
   suggested amounts (fee included or not) and validates everything on submit. */
(function () {
  "use strict";
  var form = document.getElementById("donate-form");
  var hints = JSON.parse(document.getElementById("donate-hints").textContent);
  function value(name) {
    // A checked radio, else the select or typed field of that name (the custom amount is a
    // text input since the server parses it itself: donations/forms.py).
    var el = form.querySelector("[name=" + name + "]:checked") ||
      form.querySelector("select[name=" + name + "], input[name=" + name + "]:not([type=radio]):not([type=checkbox])");
    return el ? el.value : "";
  }
  /* The amount buttons for the chosen frequency, each with its currency sign and impact
     line (both computed by the server: donations/forms.py amount_hints). Same markup as
     templates/donations/donate.html, so the CSS that draws them applies unchanged. */
  function redrawAmounts() {
    var box = document.getElementById("donate-amounts");
    var frequency = value("frequency"), currency = value("currency");
    var amounts = hints.amounts[frequency] || [];
    var display = hints.display[currency] || {};
    var impacts = hints.impacts[frequency] || {};
    var current = value("amount");
    var pills = box.querySelectorAll("input[name=amount]");
    var other = pills[pills.length - 1];
    Array.prototype.forEach.call(pills, function (input) { if (input !== other) input.parentNode.remove(); });
    amounts.forEach(function (amount, index) {
      var key = String(amount);
      var input = document.createElement("input"); input.type = "radio"; input.name = "amount";
      input.value = key; input.id = "id_amount_js_" + index;
      if (key === current) input.checked = true;
      var label = document.createElement("label"); label.className = "donate-pill"; label.htmlFor = input.id;
      var text = document.createElement("span"); text.className = "pill-text"; text.textContent = display[key] || key;
      label.appendChild(input); label.appendChild(text);
      if (impacts[key]) {
        var spoken = document.createElement("span"); spoken.className = "visually-hidden";
        spoken.textContent = ": " + impacts[key];
        label.appendChild(spoken);
      }
      box.insertBefore(label, other.parentNode);
    });
    // The visible impact lines, one per button in the same order (the last is "Other").
    var lines = document.getElementById("donate-impacts");
    lines.textContent = "";
    amounts.concat(["other"]).forEach(function (amount) {
      var line = document.createElement("p"); line.textContent = impacts[String(amount)] || "";
      lines.appendChild(line);
    });
  }
  /* The typed amount as text, padded to the currency's decimals ("12.5" -> "12.50"),
     or "" when it is not a positive amount the currency allows. */
  function typedAmount(raw, decimals) {
    // The server's rule (donations/money.py parse_amount): ASCII digits, at most nine
    // whole ones, one "." or "," before the decimals.
    var match = /^([0-9]{1,9})(?:[.,]([0-9]{1,2}))?$/.exec(raw.trim());
    if (!match || !/[1-9]/.test(raw)) return "";
    var cents = (match[2] || "").replace(/0+$/, "");
    if (cents.length > decimals) return "";
    var whole = match[1].replace(/^0+(?=[0-9])/, "");
    return cents ? whole + "." + (cents + "00").slice(0, decimals) : whole;
  }
  function label() {
    var frequency = value("frequency"), currency = value("currency"), choice = value("amount");
    var fee = form.querySelector("[name=cover_fee]").checked ? 1 : 0;
    var button = document.getElementById("donate-submit");
    var text = "";
    if (choice === "other") {
      var amount = typedAmount(value("custom_amount"), hints.decimals[currency]);
      var pattern = ((hints.custom[frequency] || {})[currency] || [])[fee];
      if (amount && pattern) text = pattern.replace("{amount}", amount.replace(".", hints.separator));
    } else {
      var known = (((hints.labels[frequency] || {})[currency] || {})[choice] || [])[fee];
      if (known) text = known;
    }
    button.textContent = text || hints.fallback;
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "frequency" || event.target.name === "currency") redrawAmounts();
    if (event.target.name === "custom_amount") {
      var other = form.querySelector("input[name=amount][value=other]"); if (other) other.checked = true;
    }
    label();
  });
  form.addEventListener("input", label);
})();
