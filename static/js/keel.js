/* Keel's few behaviours, without inline script (the Content Security Policy forbids it).
   Markup opts in with data attributes; listeners sit on the document, so content that htmx
   swaps in later works too.

   data-autosubmit          on a <select>: submit its form when the choice changes
   data-remove-closest=SEL  on a button: remove the closest ancestor matching SEL
   data-print               on a button: open the print dialog
   data-ctrl-enter-submit   on a <form>: Ctrl+Enter (Cmd+Enter) submits it
   data-select-on-focus     on an <input>: focusing it selects its text, so typing replaces it
   data-nav-toggle          on a <button aria-controls=ID aria-expanded>: opens and closes the
                            element ID (the phone menu); Escape closes it and returns focus
   .table-wrap              a table wider than its box scrolls inside it: the box becomes
                            focusable so the keyboard can reach and scroll it */
(function () {
  "use strict";

  // Narrow screens hide the navigation behind its menu button only when this script runs
  // (keel.css: .js-nav); without it the navigation stays visible at every width.
  document.documentElement.classList.add("js-nav");

  function reachableScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) wrap.setAttribute("tabindex", "0");
      else if (wrap.getAttribute("tabindex") === "0") wrap.removeAttribute("tabindex");
    });
  }
  window.addEventListener("load", reachableScrollers);
  window.addEventListener("resize", reachableScrollers);
  document.addEventListener("htmx:afterSettle", reachableScrollers);

  function setMenu(button, open) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  }

  var justSelected = null;
  function selectAll(input) {
    input.select();
    justSelected = input;  // the click's mouseup would collapse the selection: keep it
  }
  document.addEventListener("focusin", function (event) {
    var input = event.target.closest && event.target.closest("input[data-select-on-focus]");
    if (input) selectAll(input);
  });
  // A field focused (autofocus) before this deferred script ran.
  var focused = document.activeElement;
  if (focused && focused.matches && focused.matches("input[data-select-on-focus]")) {
    selectAll(focused);
  }
  document.addEventListener("mouseup", function (event) {
    if (justSelected && event.target === justSelected) {
      event.preventDefault();
      justSelected.select();  // the mousedown put the caret after the focus selected
    }
    justSelected = null;
  });

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
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      setMenu(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    if (event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("[data-nav-toggle][aria-expanded=true]");
      var menu = open && document.getElementById(open.getAttribute("aria-controls"));
      if (menu && menu.contains(document.activeElement)) {
        setMenu(open, false);
        open.focus();
      }
      return;
    }
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || !event.target.closest) return;
    var form = event.target.closest("form[data-ctrl-enter-submit]");
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
