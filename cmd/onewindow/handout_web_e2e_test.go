package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onewindow/internal/auth"
	"onewindow/internal/testfixtures"
)

const handoutApplicantID = "220103198909195957"

// acceptedCase opens a case of matter for 杨佳 with the window's token, files her ID card
// into it and accepts it, so that its packages go out; it answers the case number.
func acceptedCase(t *testing.T, d *daemon, window, matter string) string {
	t.Helper()
	st, c := dlvCall(t, d, window, "POST", "/api/v1/cases", []byte(`{"matter":"`+matter+`","applicant":{"name":"杨佳","id_number":"`+handoutApplicantID+`"},"channel":"counter"}`), "", nil)
	if st != 201 {
		t.Fatalf("open case: %d %v", st, c)
	}
	no := c["case_no"].(string)
	page := testfixtures.TextPage(t, "居民身份证", "姓名 杨佳", "公民身份号码 "+handoutApplicantID, "Resident identity card")
	d.uploadDone(map[string]string{"case_no": no}, 2*time.Minute, file{"id.pdf", testfixtures.ScanPDF(t, page)})
	dlvWait(t, 30*time.Second, "the case has the batch's documents", func() bool {
		_, c = dlvCall(t, d, window, "GET", "/api/v1/cases/"+no, nil, "", nil)
		docs, _ := c["documents"].([]any)
		return len(docs) > 0
	})
	version := strconv.Itoa(int(c["version"].(float64)))
	if st, c = dlvCall(t, d, window, "POST", "/api/v1/cases/"+no+"/decision", []byte(`{"decision":"accept","reason":"其余材料纸质移交"}`), "", map[string]string{"If-Match": version}); st != 200 {
		t.Fatalf("decide: %d %v", st, c)
	}
	return no
}

// postDecision uploads department id's decision on case no with token, as its system would.
func postDecision(t *testing.T, d *daemon, token, no, id string) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("file", "decision.pdf")
	w.Write(testfixtures.ScanPDF(t, testfixtures.TextPage(t, "审批决定书", "准予许可", "Decision of "+id)))
	mw.WriteField("kind", "decision")
	mw.Close()
	return dlvCall(t, d, token, "POST", "/api/v1/cases/"+no+"/results", body.Bytes(), mw.FormDataContentType(), nil)
}

// signInAs signs the browser out of whoever it was and in with token.
func (b *browser) signInAs(base, token string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base + "/"))
	if b.eval(`String(!!document.querySelector("form[action='/signout'] button"))`) == "true" {
		b.do(chromedp.Click(`form[action='/signout'] button`))
		b.waitText(10*time.Second, "您已退出登录")
	}
	b.do(chromedp.SetValue("#password", token), chromedp.Submit("#password"))
	b.waitText(10*time.Second, "退出")
}

// A case from acceptance to closed, in the pages of those who do each step: a department that
// pulls its packages acknowledges one from its desk with one click; after both departments'
// results its desk says they answered, as the case does; the window hands the result out from
// the case page, and a refused hand-out keeps what the clerk typed.
func TestWebHandoutInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	b := newBrowser(t)
	dir := t.TempDir()
	rc := &dlvReceiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	depts := fmt.Sprintf("departments:\n  - id: natural-resources\n    name: 自然资源局\n    pull: true\n"+
		"  - id: taxation\n    name: 税务局\n    webhook: {url: %q, secret: secret-taxation, timeout: 5s}\n", srv.URL+"/onewindow")
	tokens, _ := json.Marshal([]auth.TokenEntry{
		{Name: "window-1", Role: auth.RoleWindow, SHA256: auth.HashToken("web-window-token")},
		{Name: "自然资源局", Role: auth.RoleDepartment, Department: "natural-resources", SHA256: auth.HashToken("web-dept-natural-resources")},
		{Name: "税务局", Role: auth.RoleDepartment, Department: "taxation", SHA256: auth.HashToken("web-dept-taxation")}})
	deptFile, tokFile := filepath.Join(dir, "departments.yaml"), filepath.Join(dir, "tokens.json")
	for path, data := range map[string][]byte{deptFile: []byte(depts), tokFile: tokens} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d := startDaemon(t, filepath.Join(dir, "data"), "ONEWINDOW_DEPARTMENTS_FILE="+deptFile, "ONEWINDOW_TOKENS_FILE="+tokFile)
	const window = "web-window-token"
	no := acceptedCase(t, d, window, "JL-ZR-001") // natural resources and taxation
	dlvWait(t, time.Minute, "both packages are out", func() bool {
		_, list := dlvCall(t, d, "web-dept-natural-resources", "GET", "/api/v1/deliveries", nil, "", nil)
		x, _ := list["deliveries"].([]any)
		return len(rc.find("")) > 0 && len(x) == 1 && x[0].(map[string]any)["kind"] == "pull"
	})

	// The pulling department acknowledges its package from its desk, without the API.
	b.signInAs(d.base, "web-dept-natural-resources")
	b.do(chromedp.Navigate(d.base + "/department"))
	b.waitText(10*time.Second, "待领取，可确认接收 (1)", no, "自然资源局")
	b.shot("department-pull-waiting")
	b.do(chromedp.Click(`form[action$="/ack"] button`))
	b.waitText(10*time.Second, "已确认接收。", "已接收 (1)")

	// Both departments answer (as their systems would); each desk then agrees with the case.
	for _, id := range []string{"natural-resources", "taxation"} {
		if st, r := postDecision(t, d, "web-dept-"+id, no, id); st != 201 {
			t.Fatalf("%s result: %d %v", id, st, r)
		}
	}
	b.do(chromedp.Navigate(d.base + "/department"))
	b.waitText(10*time.Second, "已答复办理结果 (1)", "正在推送 (0)", "已送达，待接收 (0)")
	b.shot("department-answered")
	if n := b.eval(`String(document.querySelectorAll("form[action$='/ack']").length)`); n != "0" {
		t.Errorf("an answered package is still offered for acknowledgement (%s buttons)", n)
	}
	_, list := dlvCall(t, d, "web-dept-taxation", "GET", "/api/v1/deliveries", nil, "", nil)
	if x, _ := list["deliveries"].([]any); len(x) != 1 || x[0].(map[string]any)["answered"] != true ||
		x[0].(map[string]any)["state"] != "acknowledged" {
		t.Errorf("taxation's package after its result: %v", list)
	}

	// The window hands the result out from the case page.
	b.signInAs(d.base, window)
	b.do(chromedp.Navigate(d.base + "/cases/" + no))
	text := b.waitText(10*time.Second, "结果发放", "已出结果", "申请人身份证号末四位", handoutApplicantID[14:], "已答复")
	if strings.Contains(text, "answered") || strings.Contains(text, "result_ready") {
		t.Errorf("the case page shows raw states:\n%s", text)
	}
	b.do(chromedp.ScrollIntoView("#handout-h"))
	b.shot("case-result-ready")
	b.do(chromedp.Click("#handout-pickup"), chromedp.SetValue("#collector-name", "杨佳"),
		chromedp.SetValue("#collector-id", handoutApplicantID), chromedp.Click("#handout-submit"))
	b.waitText(10*time.Second, "请勾选：已核验领取人身份证件并当面确认领取。")
	if got := b.eval(`document.querySelector("#collector-name").value`); got != "杨佳" {
		t.Errorf("the refused hand-out lost the collector's name: %q", got)
	}
	b.shot("case-handout-unconfirmed")
	b.do(chromedp.SetValue("#collector-name", "王芳"), chromedp.SetValue("#collector-id", "11010519491231002X"),
		chromedp.Click("#handout-confirmed"), chromedp.Click("#handout-submit"))
	b.waitText(10*time.Second, "领取人既不是申请人本人，也不是在案授权委托书载明的受托人。")
	b.do(chromedp.SetValue("#collector-name", "杨佳"), chromedp.SetValue("#collector-id", handoutApplicantID),
		chromedp.Click("#handout-submit"))
	text = b.waitText(15*time.Second, "结果已发放，办件已办结。", "已办结", "已发放", "窗口领取", "杨佳（申请人本人）")
	if strings.Contains(text, "发放并办结") {
		t.Errorf("a closed case still offers the hand-out:\n%s", text)
	}
	b.shot("case-handed-out")
	if _, c := dlvCall(t, d, window, "GET", "/api/v1/cases/"+no, nil, "", nil); c["state"] != "closed" {
		t.Errorf("the case after the page's hand-out is %v, want closed", c["state"])
	}
}
