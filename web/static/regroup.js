// Regrouping a batch by dragging its page thumbnails (web/templates/batch.html): a page dropped
// on another document, or on the new-document area, moves there; the page-number form, which
// works without this script, is filled from what the thumbnails show and saved as before. A
// page is turned with its thumbnail's ↻ button, which sets the page's select in that form.
(function () {
  "use strict";

  function pagesOf(zone) {
    return Array.prototype.map.call(zone.querySelectorAll("figure.thumb"), function (f) {
      return Number(f.getAttribute("data-page")) + 1;
    }).join(", ");
  }

  // fill writes each document's pages, as the thumbnails now show them, into the form's rows.
  function fill(zones) {
    Array.prototype.forEach.call(zones, function (z) {
      var input = document.getElementById("pages_" + z.getAttribute("data-doc"));
      if (input) input.value = pagesOf(z);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.getElementById("regroup-bar");
    var form = document.getElementById("regroup-form");
    if (!bar || !form) return;
    var zones = document.querySelectorAll("#documents dd.pages[data-doc]");
    var dragged = null;
    bar.hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll("#documents figure.thumb[draggable]"), function (f) {
      f.addEventListener("dragstart", function (e) {
        dragged = f;
        f.classList.add("dragging");
        if (e.dataTransfer) {
          e.dataTransfer.effectAllowed = "move";
          e.dataTransfer.setData("text/plain", f.getAttribute("data-page"));
        }
      });
      f.addEventListener("dragend", function () { f.classList.remove("dragging"); dragged = null; });
    });
    Array.prototype.forEach.call(zones, function (z) {
      z.addEventListener("dragover", function (e) {
        if (!dragged) return;
        e.preventDefault(); // allows the drop
        z.classList.add("drop-here");
      });
      z.addEventListener("dragleave", function () { z.classList.remove("drop-here"); });
      z.addEventListener("drop", function (e) {
        if (!dragged) return;
        e.preventDefault();
        z.classList.remove("drop-here");
        // dropped on a page: before it, in reading order; elsewhere: at the end
        var before = e.target.closest ? e.target.closest("figure.thumb") : null;
        if (before && before !== dragged && before.parentNode === z) {
          z.insertBefore(dragged, before);
        } else if (before !== dragged) {
          z.appendChild(dragged);
        }
        fill(zones);
        document.getElementById("regroup-changed").hidden = false;
      });
    });
    // A ↻ button on each thumbnail turns the page a quarter clockwise: the thumbnail shows it
    // turned and the page's select in the form (rotate_<page>) holds what is saved.
    var label = bar.getAttribute("data-rotate-label") || "";
    Array.prototype.forEach.call(document.querySelectorAll("#documents figure.thumb[draggable]"), function (f) {
      var select = document.getElementById("rotate_" + f.getAttribute("data-page"));
      var caption = f.querySelector("figcaption");
      if (!select || !caption) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rotate";
      button.textContent = "↻";
      button.title = label;
      button.setAttribute("aria-label", label + " (" + caption.textContent + ")");
      button.addEventListener("click", function () {
        var deg = (Number(select.value) + 90) % 360;
        select.value = String(deg);
        f.setAttribute("data-rotate", String(deg));
        document.getElementById("regroup-changed").hidden = false;
      });
      caption.appendChild(button);
    });
    document.documentElement.setAttribute("data-regroup-ready", "true");
  });
})();
