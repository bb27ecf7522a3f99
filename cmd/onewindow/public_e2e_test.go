package main

// The applicant's and the management's pages end to end: `onewindow dev`, HTTP as outside
// checks drive it, and headless chromium on a phone-sized page.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onewindow/internal/auth"
)

const managerToken = "e2e-manager-token-0123456789"

// publicCase opens a case of JL-SC-002 for an applicant who gave phone 13912345678, and
// moves it through the states named (decided accept first when any is named).
func publicCase(t *testing.T, d *daemon, states ...string) string {
	t.Helper()
	code, c := d.send("POST", "/api/v1/cases", `{"matter":"JL-SC-002","channel":"counter",
		"applicant":{"name":"张三","id_number":"220102199003070013","phone":"13912345678"}}`)
	if code != 201 {
		t.Fatalf("open case: %d %v", code, c)
	}
	no := c["case_no"].(string)
	if len(states) == 0 {
		return no
	}
	version := func() string {
		_, c := d.get("/api/v1/cases/" + no)
		return strconv.Itoa(int(c["version"].(float64)))
	}
	call := func(path, body string) {
		req, _ := http.NewRequest("POST", d.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+d.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", version())
		if code, out := d.do(req); code != 200 {
			t.Fatalf("%s: %d %v", path, code, out)
		}
	}
	call("/api/v1/cases/"+no+"/decision", `{"decision":"accept","reason":"e2e: materials seen at the window"}`)
	for _, s := range states {
		call("/api/v1/cases/"+no+"/state", `{"state":"`+s+`"}`)
	}
	return no
}

func publicDaemon(t *testing.T) *daemon {
	t.Helper()
	dir := t.TempDir()
	raw, _ := json.Marshal([]auth.TokenEntry{{Name: "hall-manager", Role: auth.RoleManager, SHA256: auth.HashToken(managerToken)}})
	tokFile := filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(tokFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return startDaemon(t, filepath.Join(dir, "data"), "ONEWINDOW_TOKENS_FILE="+tokFile)
}

func callPublic(t *testing.T, method, url, token string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// TestPublicContract drives the guides, lookup, rating and statistics as outside checks do.
func TestPublicContract(t *testing.T) {
	d := publicDaemon(t)
	code, _, body := callPublic(t, "GET", d.base+"/guide/", "", nil)
	if code != 200 || !strings.Contains(string(body), `href="/guide/JL-SC-001"`) {
		t.Errorf("GET /guide/: %d", code)
	}
	code, _, body = callPublic(t, "GET", d.base+"/guide/JL-SC-001", "", nil)
	if code != 200 || !strings.Contains(string(body), "企业设立登记") || !strings.Contains(string(body), "住所使用证明") {
		t.Errorf("GET /guide/JL-SC-001: %d", code)
	}
	if code, _, _ := callPublic(t, "GET", d.base+"/guide/NO-SUCH", "", nil); code != 404 {
		t.Errorf("unknown guide: %d", code)
	}

	no := publicCase(t, d, "in_review", "result_ready")
	code, _, body = callPublic(t, "GET", d.base+"/api/v1/public/cases/"+no+"?check=5678", "", nil)
	var p map[string]any
	if code != 200 || json.Unmarshal(body, &p) != nil || p["case_no"] != no || p["state"] != "result_ready" || p["events"] == nil || p["missing"] == nil {
		t.Errorf("lookup: %d %s", code, body)
	}
	if strings.Contains(string(body), "13912345678") || strings.Contains(string(body), "220102199003070013") {
		t.Errorf("the lookup shows a phone or ID number: %s", body)
	}
	_, _, wrong := callPublic(t, "GET", d.base+"/api/v1/public/cases/"+no+"?check=1111", "", nil)
	code, _, unknown := callPublic(t, "GET", d.base+"/api/v1/public/cases/JL-NONE-1?check=1111", "", nil)
	if code != 404 || !bytes.Equal(wrong, unknown) {
		t.Errorf("wrong check %s and unknown case %s differ", wrong, unknown)
	}
	if code, _, _ := callPublic(t, "GET", d.base+"/api/v1/public/cases/"+no+"?check=12", "", nil); code != 400 {
		t.Errorf("malformed check: %d", code)
	}
	rate := func(score int) int {
		code, _, _ := callPublic(t, "POST", d.base+"/api/v1/public/cases/"+no+"/rating", "", map[string]any{"check": "5678", "score": score, "comment": "很好"})
		return code
	}
	if c := rate(5); c != 409 {
		t.Errorf("rating before hand-out: %d", c)
	}
	version := func() string { _, c := d.get("/api/v1/cases/" + no); return strconv.Itoa(int(c["version"].(float64))) }
	req, _ := http.NewRequest("POST", d.base+"/api/v1/cases/"+no+"/state", strings.NewReader(`{"state":"delivered"}`))
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("If-Match", version())
	d.do(req)
	if c := rate(9); c != 400 {
		t.Errorf("bad score: %d", c)
	}
	if c := rate(5); c != 201 {
		t.Errorf("rating: %d", c)
	}
	if c := rate(4); c != 409 {
		t.Errorf("second rating: %d", c)
	}

	today := time.Now().In(mustZone(t)).Format(time.DateOnly)
	code, _, body = callPublic(t, "GET", d.base+"/api/v1/stats?from="+today+"&to="+today, managerToken, nil)
	var st struct {
		CasesOpened int            `json:"cases_opened"`
		Decisions   map[string]int `json:"decisions"`
		FirstVisit  *int           `json:"accepted_first_visit"`
		Ratings     struct {
			Count int     `json:"count"`
			Mean  float64 `json:"mean"`
		} `json:"ratings"`
	}
	if code != 200 || json.Unmarshal(body, &st) != nil || st.CasesOpened != 1 || st.Decisions["accept"] != 1 || st.FirstVisit == nil ||
		st.Ratings.Count != 1 || st.Ratings.Mean != 5 {
		t.Errorf("stats: %d %s", code, body)
	}
	for _, f := range []string{"csv", "xlsx"} {
		if code, h, _ := callPublic(t, "GET", d.base+"/api/v1/stats?from="+today+"&to="+today+"&format="+f, managerToken, nil); code != 200 || !strings.Contains(h.Get("Content-Disposition"), "."+f) {
			t.Errorf("stats as %s: %d %v", f, code, h)
		}
	}
	if code, _, _ := callPublic(t, "GET", d.base+"/api/v1/stats?from="+today+"&to=2020-01-01", managerToken, nil); code != 400 {
		t.Errorf("backwards range: %d", code)
	}
	if code, _, _ := callPublic(t, "GET", d.base+"/api/v1/stats", "", nil); code != 401 {
		t.Errorf("stats without a token: %d", code)
	}

	// `onewindow token --role manager` makes a manager's token.
	out, err := exec.Command(binPath, "token", "--role", "manager", "--name", "head-of-hall").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"role":"manager"`) {
		t.Errorf("token --role manager: %v\n%s", err, out)
	}
}

func mustZone(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestApplicantAndManagerInABrowser: an applicant on a phone opens a guide, looks a case up
// with a wrong and the right check and rates it; the manager signs in and reads the charts.
func TestApplicantAndManagerInABrowser(t *testing.T) {
	b := newBrowser(t)
	d := publicDaemon(t)
	b.do(chromedp.EmulateViewport(390, 844))
	narrow := func(where string) {
		t.Helper()
		if wide := b.eval(`String(document.documentElement.scrollWidth > document.documentElement.clientWidth)`); wide != "false" {
			b.shot("too-wide")
			t.Errorf("%s: the page scrolls sideways at 390 px", where)
		}
	}

	b.do(chromedp.Navigate(d.base + "/guide/"))
	b.waitText(10*time.Second, "办事指南", "企业设立登记", "个体工商户登记")
	narrow("guide list")
	b.do(chromedp.Click(`a[href="/guide/JL-SC-001"]`))
	text := b.waitText(10*time.Second, "企业设立登记 办事指南", "申请材料", "公司章程", "可容缺：受理后 5 个工作日内补交", "市场监督管理局", "承诺时限")
	if !strings.Contains(text, "扫码查看本指南") || b.eval(`String(document.querySelectorAll("svg.qr path").length)`) != "1" {
		t.Errorf("the guide has no QR code:\n%s", text)
	}
	if outside := b.eval(`[...document.querySelectorAll("link[href],script[src],img[src]")].map(e => e.href || e.src).filter(u => !u.startsWith(location.origin)).join(" ")`); outside != "" {
		t.Errorf("the guide loads from outside: %s", outside)
	}
	narrow("guide")
	b.shot("guide-390")

	no := publicCase(t, d, "in_review", "result_ready", "delivered")
	b.do(chromedp.Navigate(d.base + "/progress?case_no=" + no))
	b.waitText(10*time.Second, "办件进度查询", "查询码")
	b.do(chromedp.SetValue("#check", "0000"), chromedp.Submit("#check"))
	b.waitText(10*time.Second, "没有找到与办件编号和查询码相符的办件")
	b.shot("lookup-wrong")
	b.do(chromedp.SetValue("#case_no", no), chromedp.SetValue("#check", "5678"), chromedp.Submit("#check"))
	text = b.waitText(10*time.Second, "个体工商户登记", "办理结果已送达", "窗口已受理", "办理过程")
	if strings.Contains(text, "13912345678") || strings.Contains(text, "张三") {
		t.Errorf("the lookup page shows personal data:\n%s", text)
	}
	narrow("lookup")
	b.shot("lookup-right")
	b.do(chromedp.Click(`a[href^="/rate"]`))
	b.waitText(10*time.Second, "办事评价", "总体评价")
	b.do(chromedp.SetValue("#check", "5678"), chromedp.Click(`input[name=score][value="4"]`), chromedp.Click(`input[name=reasons][value="一次办成"]`),
		chromedp.SetValue("#comment", "窗口很耐心"), chromedp.Submit("#comment"))
	b.waitText(10*time.Second, "谢谢您的评价", "4 分")
	narrow("rated")
	b.shot("rated")

	// Another applicant is not pleased: a follow-up for the management.
	low := publicCase(t, d, "in_review", "result_ready", "delivered")
	if code, _, body := callPublic(t, "POST", d.base+"/api/v1/public/cases/"+low+"/rating", "", map[string]any{"check": "0013", "score": 1, "reasons": []string{"等候时间长"}}); code != 201 {
		t.Fatalf("low rating: %d %s", code, body)
	}

	// The manager, on a desk's screen, reaches the statistics from the start page.
	b.do(chromedp.EmulateViewport(1366, 768))
	b.do(chromedp.Navigate(d.base + "/"))
	b.waitText(10*time.Second, "登录")
	b.do(chromedp.SetValue("#password", managerToken), chromedp.Submit("#password"))
	b.waitText(10*time.Second, "统计分析", "退出登录")
	b.do(chromedp.Click(`a.desk[href="/manager"]`))
	text = b.waitText(15*time.Second, "主要指标", "每日收件量", "受理决定", "好差评")
	if got := b.eval(`document.getElementById("cases-opened").textContent`); got != "2" {
		t.Errorf("cases opened on the page: %q, want 2", got)
	}
	if bars := b.eval(`String(document.querySelectorAll("svg.chart rect.bar").length)`); bars == "0" {
		t.Errorf("no chart bars drawn:\n%s", text)
	}
	if !strings.Contains(b.eval(`document.getElementById("ratings-mean").textContent`), "2.5 (2)") {
		t.Errorf("the mean rating is not shown:\n%s", text)
	}
	b.waitText(5*time.Second, low, "等候时间长")
	b.do(chromedp.SetValue("#outcome-"+low, "已回访，增开窗口"), chromedp.Submit("#outcome-"+low))
	b.waitText(10*time.Second, "已登记整改情况", "没有待回访的差评")
	if csv := b.eval(`document.querySelector("a[href*='format=csv']").getAttribute("href")`); !strings.HasPrefix(csv, "/manager/stats?") {
		t.Errorf("the CSV download link: %q", csv)
	}
	b.shot("manager")
}
