// The matter picker's filter as you type: options whose text does not contain the filter are
// hidden, and a department left empty with them. Without this script the filter form asks the
// server (?mq=), which narrows the list the same way.
(function () {
  "use strict";
  function init() {
    var input = document.getElementById("c-matter-filter");
    var select = document.getElementById("c-matter");
    var form = document.getElementById("matter-filter-form");
    if (!input || !select || select.tagName !== "SELECT") return;
    function apply() {
      var f = input.value.trim().toLowerCase(); // by name, by code (the option's value) or department
      var first = null;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (g) {
        var any = false;
        var dept = (g.getAttribute("label") || "").toLowerCase();
        Array.prototype.forEach.call(g.querySelectorAll("option"), function (o) {
          var fits = f === "" || o.textContent.toLowerCase().indexOf(f) >= 0 || o.value.toLowerCase().indexOf(f) >= 0 || dept.indexOf(f) >= 0;
          o.hidden = !fits;
          o.disabled = !fits;
          if (fits) { any = true; if (!first) first = o; }
        });
        g.hidden = !any;
      });
      var cur = select.options[select.selectedIndex];
      if ((!cur || cur.disabled) && first) first.selected = true;
    }
    input.addEventListener("input", apply);
    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
