/* Accessible names for the admin widgets that draw their own controls.

   select2 (Django's type-ahead) hides the real <select> and draws a combobox and, for
   multiple choices, a search box, none of which is tied to the field's <label>; the rich
   text editor draws a contenteditable box with no name. This names each of them after
   the field's own label (aria-labelledby), so a screen reader says "Countries, combo box"
   rather than nothing. select2 redraws its parts as choices change, so the names are
   re-applied whenever the form's DOM changes. Loaded by the article admin's Media. */
(function () {
  "use strict";

  function labelId(control) {
    var label = control.id && document.querySelector('label[for="' + control.id + '"]');
    if (!label) return "";
    if (!label.id) label.id = control.id + "_label";
    return label.id;
  }

  function nameSelect2(select) {
    var container = select.nextElementSibling;
    if (!container || !container.classList.contains("select2")) return;
    var id = labelId(select);
    // Inline rows have no <label>: the table's column header names the field.
    var name = id ? "" : (select.closest("td") && headerText(select.closest("td")));
    container.querySelectorAll(".select2-selection, .select2-search__field, .select2-selection__rendered[role=textbox]").forEach(function (part) {
      if (id) part.setAttribute("aria-labelledby", id);
      else if (name) part.setAttribute("aria-label", name);
    });
    // A multiple select2 puts its "clear" button straight into its <ul>: not a list item.
    container.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
      if (list.querySelector(":scope > :not(li)")) list.setAttribute("role", "none");
    });
  }

  function headerText(cell) {
    var table = cell.closest("table");
    var row = cell.parentNode;
    var index = Array.prototype.indexOf.call(row.children, cell);
    var header = table && table.querySelectorAll("thead th")[index];
    return header ? header.textContent.trim() : "";
  }

  function nameEditors() {
    document.querySelectorAll(".ProseMirror[contenteditable]").forEach(function (editor) {
      var wrapper = editor.closest(".form-row, .fieldBox, div");
      var textarea = wrapper && wrapper.parentNode.querySelector("textarea");
      var holder = editor.closest("[class*=field-]");
      var source = textarea || (holder && holder.querySelector("textarea, input"));
      var id = source ? labelId(source) : "";
      if (id) editor.setAttribute("aria-labelledby", id);
      editor.setAttribute("aria-multiline", "true");
    });
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(nameSelect2);
    nameEditors();
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; nameAll(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    var form = document.getElementById("content-main") || document.body;
    new MutationObserver(schedule).observe(form, { childList: true, subtree: true });
  });
})();
