package main

// One case from the courier's log to closed, every step on the page of the desk that does it;
// the API is read only to check that each desk's page agrees with the case.

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onewindow/internal/auth"
	"onewindow/internal/testfixtures"
)

func TestWebCaseWalkCourierToClosed(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	b := newBrowser(t)
	dir := t.TempDir()
	tok := map[string]string{"courier": "walk-courier", "window": "walk-window", "scanner": "walk-scanner",
		"natural-resources": "walk-dept-natural-resources", "taxation": "walk-dept-taxation"}
	d := startWithDesks(t, dir, []auth.TokenEntry{
		{Name: "收件员", Role: auth.RoleCourier, SHA256: auth.HashToken(tok["courier"])},
		{Name: "窗口一", Role: auth.RoleWindow, SHA256: auth.HashToken(tok["window"])},
		{Name: "扫描一", Role: auth.RoleScanner, SHA256: auth.HashToken(tok["scanner"])},
		{Name: "自然资源局", Role: auth.RoleDepartment, Department: "natural-resources", SHA256: auth.HashToken(tok["natural-resources"])},
		{Name: "税务局", Role: auth.RoleDepartment, Department: "taxation", SHA256: auth.HashToken(tok["taxation"])}})
	card, result := filepath.Join(dir, "id.pdf"), filepath.Join(dir, "decision.pdf")
	for path, data := range map[string][]byte{
		card:   testfixtures.ScanPDF(t, testfixtures.TextPage(t, "居民身份证", "姓名 杨佳", "公民身份号码 "+handoutApplicantID, "Resident identity card")),
		result: testfixtures.ScanPDF(t, testfixtures.TextPage(t, "审批决定书", "准予许可"))} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	state := func(no string) string {
		_, c := dlvCall(t, d, tok["window"], "GET", "/api/v1/cases/"+no, nil, "", nil)
		s, _ := c["state"].(string)
		return s
	}

	// The courier logs the envelope the applicant mailed.
	b.signInAs(d.base, tok["courier"])
	b.do(chromedp.Navigate(d.base + "/mail"))
	b.waitText(10*time.Second, "运单号")
	b.do(chromedp.SendKeys("#m-waybill", "SF1234567890123\r"), chromedp.SetValue("#m-name", "杨佳"),
		chromedp.SetValue("#m-phone", "13800005678"), chromedp.SetValue("#m-signed", "王芳"), chromedp.Click("#mail-submit"))
	b.waitText(15*time.Second, "收件回执", "顺丰速运", "杨佳")
	b.shot("courier-logged")

	// The window opens the case.
	b.signInAs(d.base, tok["window"])
	b.do(chromedp.Navigate(d.base + "/cases"))
	b.waitText(10*time.Second, "新建办件")
	b.do(chromedp.SetValue("#c-matter", "JL-ZR-001"), chromedp.SetValue("#c-name", "杨佳"),
		chromedp.SetValue("#c-id", handoutApplicantID), chromedp.Click(`form[action="/cases"] button[type=submit]`))
	b.waitText(15*time.Second, "办件已创建", "材料齐全性")
	no := strings.TrimPrefix(b.eval(`location.pathname`), "/cases/")
	if s := state(no); s != "submitted" {
		t.Fatalf("the new case is %q", s)
	}

	// The scan station uploads the papers through the page's file input.
	b.signInAs(d.base, tok["scanner"])
	b.do(chromedp.Navigate(d.base + "/scan"))
	b.waitText(10*time.Second, "办件编号")
	b.do(chromedp.SetValue("#case_no", no), chromedp.SetUploadFiles("#file", []string{card}),
		chromedp.Click(`#scan-form button[type=submit]`))
	b.waitText(2*time.Minute, "身份证")
	b.shot("scanned")

	// The case's check shows the card; the window accepts.
	b.signInAs(d.base, tok["window"])
	b.do(chromedp.Navigate(d.base + "/cases/" + no))
	dlvWait(t, time.Minute, "the case page lists the scanned card", func() bool {
		b.do(chromedp.Navigate(d.base + "/cases/" + no))
		return strings.Contains(b.text(), "第1件")
	})
	b.waitText(10*time.Second, "材料齐全性", "身份证")
	b.do(chromedp.SetValue("#decision", "accept"), chromedp.SetValue("#d-reason", "其余材料纸质移交"),
		chromedp.Click(`form[action$="/decision"] button[type=submit]`))
	b.waitText(15*time.Second, "决定已保存", "受理通知书")
	b.shot("accepted")
	if s := state(no); s != "accepted" && s != "in_review" {
		t.Errorf("after acceptance the case is %q", s)
	}

	// Each department sees its package on its desk, acknowledges it and returns its result.
	for _, dept := range []string{"natural-resources", "taxation"} {
		b.signInAs(d.base, tok[dept])
		dlvWait(t, time.Minute, dept+"'s desk lists the package", func() bool {
			b.do(chromedp.Navigate(d.base + "/department"))
			return strings.Contains(b.text(), no) && b.eval(`String(!!document.querySelector("form[action$='/ack'] button"))`) == "true"
		})
		b.do(chromedp.Click(`form[action$="/ack"] button`))
		b.waitText(10*time.Second, "已确认接收。")
		b.do(chromedp.Navigate(d.base + "/cases/" + no))
		b.waitText(10*time.Second, "上传办理结果", "受理")
		b.do(chromedp.SetUploadFiles("#result-file", []string{result}), chromedp.Click(`form[action$="/results"] button[type=submit]`))
		b.waitText(15*time.Second, "办理结果已上传")
		b.shot(dept + "-answered")
	}
	dlvWait(t, time.Minute, "the case's result is ready", func() bool { return state(no) == "result_ready" })

	// The window hands the result out at the counter: the collector's ID checked, a signature
	// drawn on the pad; the case closes and its page shows the signature.
	b.signInAs(d.base, tok["window"])
	b.do(chromedp.Navigate(d.base + "/cases/" + no))
	b.waitText(10*time.Second, "结果发放", "已出结果", "领取人签名")
	// the mail hand-out's carriers are the courier desk's table, by name
	if got := b.eval(`Array.from(document.querySelectorAll("#handout-carrier option")).map(o => o.value + "=" + o.textContent).join(",")`); !strings.Contains(got, "SF=顺丰速运") {
		t.Errorf("the hand-out's carriers: %s", got)
	}
	b.do(chromedp.Click("#handout-pickup"), chromedp.SetValue("#collector-name", "杨佳"),
		chromedp.SetValue("#collector-id", handoutApplicantID), chromedp.ScrollIntoView("#signature-pad"))
	b.drawSignature("#signature-pad")
	if v := b.eval(`document.getElementById("signature").value.slice(0, 22)`); v != "data:image/png;base64," {
		t.Fatalf("the pad gave %q", v)
	}
	b.shot("signed")
	b.do(chromedp.Click("#handout-submit"))
	b.waitText(15*time.Second, "结果已发放，办件已办结。", "已办结", "杨佳（申请人本人）")
	b.do(chromedp.ScrollIntoView("#handout-signature"))
	if ok := b.eval(`String(document.getElementById("handout-signature").naturalWidth > 0)`); ok != "true" {
		t.Error("the case page does not show the filed signature")
	}
	b.shot("closed")
	if s := state(no); s != "closed" {
		t.Errorf("after the hand-out the case is %q", s)
	}
	_, dl := dlvCall(t, d, tok["window"], "GET", "/api/v1/cases/"+no+"/deliveries", nil, "", nil)
	if h, _ := dl["handout"].(map[string]any); h == nil || h["confirmation"] != "signature" || h["signature_sha256"] == "" {
		t.Errorf("the filed hand-out: %v", dl["handout"])
	}
	req, _ := http.NewRequest("GET", d.base+"/api/v1/cases/"+no+"/handout/signature", nil)
	req.Header.Set("Authorization", "Bearer "+tok["window"])
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Error(err)
	} else {
		png, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("the filed signature: %d, %d bytes", resp.StatusCode, len(png))
		}
	}
	// The department's desk agrees: its package is answered.
	b.signInAs(d.base, tok["taxation"])
	b.do(chromedp.Navigate(d.base + "/department"))
	b.waitText(10*time.Second, "已答复办理结果 (1)")
}

// drawSignature draws a stroke across the canvas sel with the mouse, as a collector would.
func (b *browser) drawSignature(sel string) {
	b.t.Helper()
	b.eval(`(() => {
  const c = document.querySelector("` + sel + `"), r = c.getBoundingClientRect();
  const ev = (type, x, y) => c.dispatchEvent(new PointerEvent(type, {pointerId: 1, bubbles: true,
    clientX: r.left + x * r.width, clientY: r.top + y * r.height}));
  ev("pointerdown", 0.1, 0.5);
  for (let i = 1; i <= 20; i++) ev("pointermove", 0.1 + i * 0.04, 0.5 + Math.sin(i) * 0.3);
  ev("pointerup", 0.9, 0.5);
  return "";
})()`)
}
