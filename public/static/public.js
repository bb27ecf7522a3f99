// The print button of a guide (no inline script: the pages' CSP allows none).
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
