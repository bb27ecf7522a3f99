// The little script the desks need: drag and drop on the scan page, live batch progress by
// server-sent events, barcode-scanner friendly fields and the receipt's print button. Every
// page works without it, only less conveniently.
(function () {
  "use strict";

  function listFiles(input, list) {
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
      list.appendChild(li);
    });
  }

  function dropzone() {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("file");
    var list = document.getElementById("file-list");
    if (!zone || !input) return;
    input.addEventListener("change", function () { listFiles(input, list); });
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        listFiles(input, list);
      }
    });
  }

  function progress() {
    var box = document.getElementById("progress");
    if (!box || box.getAttribute("data-final") === "true" || !window.EventSource) return;
    var bar = document.getElementById("progress-bar");
    var pages = document.getElementById("progress-pages");
    var stage = document.getElementById("progress-stage");
    var error = document.getElementById("progress-error");
    var code = document.getElementById("progress-code");
    var template = pages.getAttribute("data-template");
    var es = new EventSource(box.getAttribute("data-src"));
    es.addEventListener("progress", function (e) {
      var p = JSON.parse(e.data);
      bar.value = p.percent;
      bar.textContent = p.percent + "%";
      pages.textContent = (template || "%d / %d").replace("%d", p.done).replace("%d", p.total);
      stage.textContent = p.stage;
      error.textContent = p.error || "";
      if (code) {
        code.querySelector("code").textContent = p.code || "";
        code.hidden = !p.code;
      }
      box.setAttribute("data-status", p.status);
      if (p.final) {
        es.close();
        box.setAttribute("data-final", "true");
        if (p.status === "done") setTimeout(function () { window.location.reload(); }, 300);
      }
    });
    es.onerror = function () { es.close(); };
  }

  // A keyboard-wedge barcode scanner types the code and Enter: Enter moves on instead of
  // submitting a half-filled form. The Enter's keypress may reach the next field after the
  // focus moved, so it is swallowed too.
  function wedges() {
    var swallow = false;
    var fields = document.querySelectorAll("input[data-wedge]");
    Array.prototype.forEach.call(fields, function (f) {
      f.addEventListener("keydown", function (e) {
        if (e.key !== "Enter") return;
        var all = Array.prototype.filter.call(f.form.elements, function (el) {
          return !el.disabled && el.type !== "hidden" && el.tagName !== "FIELDSET";
        });
        var next = all[all.indexOf(f) + 1];
        if (next && next.type !== "submit") {
          e.preventDefault();
          swallow = true;
          next.focus();
        }
      });
    });
    document.addEventListener("keypress", function (e) {
      if (swallow && e.key === "Enter") e.preventDefault();
    }, true);
    document.addEventListener("keyup", function (e) {
      if (e.key === "Enter") swallow = false;
    }, true);
  }

  function printing() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  // One click uploads once; the form's idempotency key covers a reload.
  function once() {
    Array.prototype.forEach.call(document.querySelectorAll("form[enctype='multipart/form-data']"), function (f) {
      f.addEventListener("submit", function () {
        Array.prototype.forEach.call(f.querySelectorAll("button[type=submit]"), function (b) {
          b.disabled = true;
          b.setAttribute("aria-busy", "true");
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dropzone();
    progress();
    wedges();
    printing();
    once();
    document.documentElement.setAttribute("data-ready", "true");
  });
})();
