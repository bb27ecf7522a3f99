package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// decideCase decides a case at the window as the API does (If-Match its version).
func decideCase(t *testing.T, d *daemon, no, body string) {
	t.Helper()
	_, c := d.get("/api/v1/cases/" + no)
	req, _ := http.NewRequest("POST", d.base+"/api/v1/cases/"+no+"/decision", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", strconv.Itoa(int(c["version"].(float64))))
	if code, out := d.do(req); code != 200 {
		t.Fatalf("decide %s: %d %v", no, code, out)
	}
}

// eventCounts are the figures counted straight from the cases' timelines (the admin's API),
// on the hall's days from to to: a check on the statistics that shares none of their code.
func eventCounts(t *testing.T, d *daemon, nos []string, from, to string) (opened int, decisions map[string]int) {
	t.Helper()
	zone := mustZone(t)
	decisions = map[string]int{}
	for _, no := range nos {
		code, c := d.get("/api/v1/cases/" + no)
		if code != 200 {
			t.Fatalf("case %s: %d", no, code)
		}
		for _, raw := range c["events"].([]any) {
			ev := raw.(map[string]any)
			at, _ := time.Parse(time.RFC3339Nano, ev["at"].(string))
			if day := at.In(zone).Format(time.DateOnly); day < from || day > to {
				continue
			}
			switch ev["type"] {
			case "opened":
				opened++
			case "decided": // the timeline has no data; each case here is decided once, as it says
				decisions[c["decision"].(string)]++
			}
		}
	}
	return opened, decisions
}

// TestManagerDownloadsInABrowser: the manager clicks the CSV, Excel and PDF links on the
// statistics page; Chromium saves the files; their figures are those counted from the events.
func TestManagerDownloadsInABrowser(t *testing.T) {
	b := newBrowser(t)
	d := publicDaemon(t)
	var nos []string
	for range 3 {
		nos = append(nos, publicCase(t, d, "in_review", "result_ready", "delivered"))
	}
	corr, rej := publicCase(t, d), publicCase(t, d)
	decideCase(t, d, corr, `{"decision":"correction_required","reason":"缺少身份证复印件"}`)
	decideCase(t, d, rej, `{"decision":"reject","reason":"不属于本机关职权","refusals":["not_our_competence"]}`)
	nos = append(nos, corr, rej, publicCase(t, d))
	for i, score := range []int{5, 4} {
		if code, _, body := callPublic(t, "POST", d.base+"/api/v1/public/cases/"+nos[i]+"/rating", "", map[string]any{"check": "5678", "score": score}); code != 201 {
			t.Fatalf("rating: %d %s", code, body)
		}
	}

	dir := t.TempDir()
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
		return err
	}))
	b.do(chromedp.Navigate(d.base + "/"))
	b.waitText(10*time.Second, "登录")
	b.do(chromedp.SetValue("#password", managerToken), chromedp.Submit("#password"))
	b.waitText(10*time.Second, "统计分析", "退出登录")
	b.do(chromedp.Navigate(d.base + "/manager"))
	b.waitText(15*time.Second, "主要指标", "数字化页数", "待处理任务")
	from, to := b.eval(`document.getElementById("from").value`), b.eval(`document.getElementById("to").value`)
	opened, decisions := eventCounts(t, d, nos, from, to)
	if opened != len(nos) {
		t.Fatalf("the events say %d opened from %s to %s, want %d", opened, from, to, len(nos))
	}

	// saved waits for Chromium to finish writing the file whose name ends with suffix.
	saved := func(suffix string) []byte {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			names, _ := filepath.Glob(filepath.Join(dir, "*"+suffix))
			partial, _ := filepath.Glob(filepath.Join(dir, "*.crdownload"))
			if len(names) == 1 && len(partial) == 0 {
				data, err := os.ReadFile(names[0])
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
			if time.Now().After(deadline) {
				t.Fatalf("Chromium saved no %s file (%v, partial %v)", suffix, names, partial)
			}
		}
	}
	want := map[string]float64{"cases_opened": float64(opened), "decisions/accept": float64(decisions["accept"]),
		"decisions/correction_required": float64(decisions["correction_required"]), "decisions/reject": float64(decisions["reject"]),
		"ratings_count": 2, "ratings_mean": 4.5}

	b.do(chromedp.Click(`a[href*="format=csv"]`))
	rows, err := csv.NewReader(bytes.NewReader(saved(".csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range rows[1:] {
		if v, err := strconv.ParseFloat(r[3], 64); err == nil {
			got[strings.TrimSuffix(r[0]+"/"+r[1], "/")] = v
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("CSV %s = %v, the events say %v", k, got[k], v)
		}
	}

	b.do(chromedp.Click(`a[href*="format=xlsx"]`))
	f, err := excelize.OpenReader(bytes.NewReader(saved(".xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := f.GetRows("figures")
	if err != nil {
		t.Fatal(err)
	}
	gotX := map[string]float64{}
	for _, r := range xrows[1:] {
		if len(r) == 4 {
			if v, err := strconv.ParseFloat(r[3], 64); err == nil {
				gotX[strings.TrimSuffix(r[0]+"/"+r[1], "/")] = v
			}
		}
	}
	for k, v := range want {
		if gotX[k] != v {
			t.Errorf("XLSX %s = %v, the events say %v", k, gotX[k], v)
		}
	}
	intake, _ := f.GetRows("intake")
	sum := 0
	for _, r := range intake[1:] {
		n, _ := strconv.Atoi(r[1])
		m, _ := strconv.Atoi(r[2])
		sum += n + m
	}
	if sum != opened {
		t.Errorf("the XLSX intake sheet sums to %d, the events say %d", sum, opened)
	}

	if _, err := exec.LookPath("pdftotext"); err == nil {
		b.do(chromedp.Click(`a[href*="format=pdf"]`))
		pdf := filepath.Join(t.TempDir(), "report.pdf")
		if err := os.WriteFile(pdf, saved(".pdf"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(strings.Fields(string(out)), " "); !strings.Contains(text, "新收办件 "+strconv.Itoa(opened)) ||
			!strings.Contains(text, "决定：不予受理 "+strconv.Itoa(decisions["reject"])) {
			t.Errorf("the PDF report's text:\n%s", out)
		}
	}
	b.shot("manager-downloads")
}
