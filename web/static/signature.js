// The pickup hand-out's signature pad: the collector signs on the canvas with a finger, pen or
// mouse; the drawing goes with the form as a PNG data URL. Without script the pad stays hidden
// and the confirmation checkbox is the record.
(function () {
  "use strict";
  function setup() {
    var field = document.getElementById("signature-field");
    var pad = document.getElementById("signature-pad");
    var out = document.getElementById("signature");
    if (!field || !pad || !out || !pad.getContext) return;
    field.hidden = false;
    var ctx = pad.getContext("2d");
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    var drawing = false, drawn = false;
    function at(e) {
      var r = pad.getBoundingClientRect();
      return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
    }
    pad.style.touchAction = "none"; // a finger draws instead of scrolling the page
    pad.addEventListener("pointerdown", function (e) {
      drawing = true;
      try { pad.setPointerCapture(e.pointerId); } catch (_) { /* a pointer the browser does not track */ }
      var p = at(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.1, p.y + 0.1); // a dot is a mark too
      ctx.stroke();
      drawn = true;
    });
    pad.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = at(e);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      out.value = drawn ? pad.toDataURL("image/png") : "";
    }
    pad.addEventListener("pointerup", end);
    pad.addEventListener("pointercancel", end);
    document.getElementById("signature-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, pad.width, pad.height);
      drawn = false;
      out.value = "";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
