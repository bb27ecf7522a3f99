package stats_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"onewindow/internal/auth"
)

// TestMonthlyReportPDF: the month's report as a PDF carries the totals counted from the filed
// events, and its charts' titles, as text a reader (pdftotext) finds.
func TestMonthlyReportPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	e := newEnv(t)
	e.dayOfCases(time.Date(2026, 3, 2, 0, 0, 0, 0, hallZone))
	e.at(time.Date(2026, 3, 3, 9, 0, 0, 0, hallZone))
	opened, decisions, first := e.independent("2026-03-02")

	code, h, body := e.get(auth.RoleManager, "?month=2026-03&format=pdf")
	if code != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("%d %s %.200s", code, h.Get("Content-Type"), body)
	}
	if cd := h.Get("Content-Disposition"); !strings.Contains(cd, "2026-03-01-2026-03-31.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	want := []string{"2026-03-01 至 2026-03-31", "每日受理量", "办理决定", "评价分布",
		"新收办件 " + strconv.Itoa(opened),
		"决定：受理 " + strconv.Itoa(decisions["accept"]),
		"决定：一次性告知 " + strconv.Itoa(decisions["correction_required"]),
		"决定：不予受理 " + strconv.Itoa(decisions["reject"]),
		"一次办结（首次即受理） " + strconv.Itoa(first) + " / ",
		"评价数 1", "平均评分 2"}
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("the PDF's text lacks %q:\n%s", w, text)
		}
	}

	for _, q := range []string{"?month=2026-13&format=pdf", "?month=2026-03&from=2026-03-01&format=pdf"} {
		if code, _, body := e.get(auth.RoleManager, q); code != 400 {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	if code, _, _ := e.get(auth.RoleWindow, "?month=2026-03&format=pdf"); code != 403 {
		t.Errorf("a window's report: %d", code)
	}
}
