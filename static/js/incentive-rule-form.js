/* The incentive rule editor shows only the chosen kind's parameters: every element with
   data-kinds="kind1 kind2" is hidden unless the selected kind is listed. (A file, not an
   inline script: the Content Security Policy forbids inline scripts.) */
(function () {
  "use strict";
  function sync(select) {
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      var kinds = el.getAttribute("data-kinds").split(" ");
      el.hidden = kinds.indexOf(select.value) === -1;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=kind]")) sync(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[name=kind]");
    if (select) sync(select);
  });
})();
