// The courier desk with a keyboard-wedge barcode scanner (web/templates/mail.html): a scan
// replaces what a field held, and the carrier is told by the waybill's pattern, the same
// table the server checks with. Enter moving on is app.js's (data-wedge).
(function () {
  "use strict";

  // A scanner types far faster than a person: two keys this close start a scan.
  var burstGap = 35;

  function scanReplaces(f) {
    var last = 0, before = null;
    f.addEventListener("focus", function () { f.select(); });
    f.addEventListener("keydown", function (e) {
      if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey) return;
      var now = Date.now();
      if (now - last > 300) {
        before = f.value; // what the field held before this run of keys
      } else if (before !== null && now - last < burstGap && f.value.indexOf(before) === 0 && before !== "") {
        // a burst is under way: drop the old number instead of appending to it
        f.value = f.value.slice(before.length);
        before = null;
      }
      last = now;
    });
  }

  function normal(s) { return s.replace(/\s+/g, "").toUpperCase(); }

  function inferCarrier(waybill, select, note) {
    var w = normal(waybill.value), found = null, n = 0;
    if (!w) return;
    Array.prototype.forEach.call(select.options, function (o) {
      var p = o.getAttribute("data-pattern");
      if (!p || o.value === "other") return;
      try {
        if (new RegExp(p).test(w)) { found = o; n++; }
      } catch (err) { /* a pattern the browser cannot read infers nothing */ }
    });
    if (n === 1) {
      select.value = found.value;
      note.textContent = note.getAttribute("data-found") + found.textContent;
    } else {
      note.textContent = "";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-scan], #mail-form input[data-wedge]"), scanReplaces);
    var waybill = document.getElementById("m-waybill");
    var select = document.getElementById("m-carrier");
    var note = document.getElementById("carrier-found");
    if (!waybill || !select || !note) return;
    ["input", "change"].forEach(function (ev) {
      waybill.addEventListener(ev, function () { inferCarrier(waybill, select, note); });
    });
    if (document.activeElement === waybill) waybill.select();
    document.documentElement.setAttribute("data-courier-ready", "true");
  });
})();
