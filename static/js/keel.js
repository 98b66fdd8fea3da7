/* Keel's few behaviours, without inline script (the Content Security Policy forbids it).
   Markup opts in with data attributes; listeners sit on the document, so content that htmx
   swaps in later works too.

   data-autosubmit          on a <select>: submit its form when the choice changes
   data-remove-closest=SEL  on a button: remove the closest ancestor matching SEL
   data-print               on a button: open the print dialog
   data-ctrl-enter-submit   on a <form>: Ctrl+Enter (Cmd+Enter) submits it */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var remover = event.target.closest("[data-remove-closest]");
    if (remover) {
      var row = remover.closest(remover.getAttribute("data-remove-closest"));
      if (row) row.remove();
      return;
    }
    if (event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || !event.target.closest) return;
    var form = event.target.closest("form[data-ctrl-enter-submit]");
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
