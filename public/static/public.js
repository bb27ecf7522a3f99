// The print button of a guide (no inline script: the pages' CSP allows none).
document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));

// The window's tablet: the rating goes to the rating API, and its answer is said in words
// (without this script the form posts to /rate/tablet, which files the same rating).
const tablet = document.getElementById("tablet-form");
if (tablet) {
  tablet.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const fd = new FormData(tablet);
    const problem = document.getElementById("tablet-problem");
    const words = JSON.parse(tablet.dataset.problems || "{}");
    const body = { check: String(fd.get("check") || "").trim(), score: Number(fd.get("score")), reasons: fd.getAll("reasons"), comment: String(fd.get("comment") || "") };
    let answer;
    try {
      answer = await fetch("/api/v1/public/cases/" + encodeURIComponent(fd.get("case_no")) + "/rating",
        { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    } catch (e) {
      tablet.submit();
      return;
    }
    const a = await answer.json().catch(() => ({}));
    if (answer.status === 201) {
      tablet.hidden = true;
      problem.hidden = true;
      document.getElementById("tablet-score").textContent = a.score + " 分";
      document.getElementById("tablet-thanks").hidden = false;
      return;
    }
    problem.textContent = words[(a.error || {}).code] || "系统暂时无法处理，请到窗口咨询。";
    problem.hidden = false;
  });
}
