package main

// The web desks in a real browser: Debian's chromium, headless, driven by chromedp against
// `onewindow dev`. Each step checks what a clerk would read on the page and keeps a
// screenshot at 1366x768 under artefacts/web/TEST/ (git-ignored) for a person to look at.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onewindow/internal/auth"
	"onewindow/internal/testfixtures"
)

// browser is one headless chromium tab and the folder its screenshots go to.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string
	n   int
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("chromium is not installed (apt-get install -y chromium, or run scripts/setup.sh); the web desks were not tried in a browser")
		}
		t.Fatal("chromium is not installed, and CI is set: the browser test must run")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "artefacts", "web", t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	_ = os.RemoveAll(dir) // only this run's screenshots
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// a hall's browser asks for Chinese; the pages follow Accept-Language until a user switches
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768))
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 8*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, dir: dir}
	b.do(chromedp.EmulateViewport(1366, 768))
	return b
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v\npage text:\n%s", err, b.text())
	}
}

// text is what a person reads on the page.
func (b *browser) text() string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return s
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

// waitText waits until the page shows every one of want.
func (b *browser) waitText(limit time.Duration, want ...string) string {
	b.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		text := b.text()
		missing := ""
		for _, w := range want {
			if !strings.Contains(text, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return text
		}
		if time.Now().After(deadline) {
			b.shot("failed")
			b.t.Fatalf("the page never showed %q; it shows:\n%s", missing, text)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ready waits until the page's script has set up its handlers.
func (b *browser) ready() {
	b.t.Helper()
	b.do(chromedp.WaitReady(chromedp.CSS("html[data-ready]")))
}

// shot keeps a screenshot of the viewport and checks that the page needs no horizontal scroll
// and that every control has a label.
func (b *browser) shot(name string) {
	b.t.Helper()
	b.n++
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Error(err)
	}
	if name != "failed" {
		unlabelled := b.eval(`Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea")).filter(e =>
			!(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")).map(e => e.name || e.id).join(", ")`)
		if unlabelled != "" {
			b.t.Errorf("%s: controls without a label: %s", name, unlabelled)
		}
		if wide := b.eval(`String(document.documentElement.scrollWidth > document.documentElement.clientWidth)`); wide != "false" {
			b.t.Errorf("%s: the page scrolls sideways at 1366x768", name)
		}
	}
}

func TestWebDesksInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	b := newBrowser(t)
	d := startDaemon(t, t.TempDir())
	dir := t.TempDir()
	stack := filepath.Join(dir, "stack.pdf")
	notes := filepath.Join(dir, "notes.pdf") // named like a PDF, but plain text
	if err := os.WriteFile(stack, stackPages(t)[0].data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notes, []byte("这不是扫描件，只是一段文字。\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	if code, body := d.getRaw("/"); code != 200 || !strings.Contains(string(body), "<html") {
		t.Fatalf("GET / answers %d without a page: the web desks are not mounted (cmd wires web.New at /)", code)
	}

	// Sign in with the admin token typed alone in the password field.
	b.do(chromedp.Navigate(d.base + "/"))
	b.waitText(10*time.Second, "登录", "用户名", "密码或令牌")
	b.shot("signin")
	b.do(chromedp.SendKeys("#password", "wrong-token"), chromedp.Submit("#password"))
	b.waitText(10*time.Second, "用户名、密码或令牌不正确")
	b.do(chromedp.SetValue("#password", d.token), chromedp.Submit("#password"))
	b.waitText(10*time.Second, "工作台", "扫描上传", "档案检索", "运行监控", "退出登录")
	b.shot("start")

	// The scan station, reached by its link; a wrong file is refused in words.
	b.do(chromedp.Click(`a.desk[href="/scan"]`))
	b.waitText(10*time.Second, "办件编号", "扫描文件")
	b.do(chromedp.SetValue("#case_no", "JL-WEB-1"), chromedp.SetUploadFiles("#file", []string{notes}))
	b.shot("scan")
	b.do(chromedp.Click(`#scan-form button[type=submit]`))
	b.waitText(15*time.Second, "不支持的文件类型", "unsupported_media_type")
	if !strings.Contains(b.eval(`document.getElementById("case_no").value`), "JL-WEB-1") {
		t.Error("the refused form lost its case number")
	}
	b.shot("scan-refused")

	// A real stack: live progress, then the documents.
	b.do(chromedp.SetUploadFiles("#file", []string{stack}), chromedp.Click(`#scan-form button[type=submit]`))
	b.waitText(15*time.Second, "处理进度", "批次号")
	b.shot("batch-progress")
	batchURL := b.eval(`location.pathname`)
	batchID := strings.TrimPrefix(batchURL, "/batches/")
	text := b.waitText(4*time.Minute, "已完成", "材料 (2)", "在浏览器中打开 PDF")
	for _, want := range []string{"已处理 4 / 4 页", "置信度", "空白页", "分隔页", "JL-WEB-1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the finished batch page does not show %q:\n%s", want, text)
		}
	}
	// Every page of a document shows as a thumbnail that loaded.
	thumbs := ""
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		thumbs = b.eval(`(() => { const im = [...document.querySelectorAll(".thumb img")]; return im.length + ":" + im.filter(i => i.complete && i.naturalWidth > 0).length })()`)
		if all, loaded, _ := strings.Cut(thumbs, ":"); all != "0" && all == loaded {
			break
		}
	}
	if all, loaded, _ := strings.Cut(thumbs, ":"); all == "0" || all != loaded {
		t.Errorf("page thumbnails shown and loaded: %s", thumbs)
	}
	b.shot("batch-done")

	// Correct the first document's type to business licence.
	first := b.eval(`document.querySelector("form[action$='/type']").getAttribute("action")`)
	firstID := strings.TrimSuffix(strings.TrimPrefix(first, "/documents/"), "/type")
	b.do(chromedp.SetValue("#type-0", "business_license"), chromedp.SetValue("#reason-0", "营业执照误判"),
		chromedp.Click(`form[action$='/type'] button[type=submit]`))
	b.waitText(15*time.Second, "类型已更正")
	b.shot("corrected")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, bt := d.get("/api/v1/batches/" + batchID)
		if strings.Contains(fmt.Sprint(bt["documents"]), "business_license") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the correction of %s never reached the batch: %v", firstID, bt["documents"])
		}
		time.Sleep(500 * time.Millisecond)
	}

	// A forged CSRF token is refused with the 403 page. While the correction is still pending
	// the batch page reloads itself every 3 s, which can put the real token back between
	// forging it and pressing the button: wait until it stops, and forge and send at once.
	settled := time.Now().Add(30 * time.Second)
	for {
		b.do(chromedp.Navigate(d.base + batchURL))
		b.waitText(15*time.Second, "已完成")
		if b.eval(`document.querySelector('meta[http-equiv="refresh"]') ? "reloads" : ""`) == "" {
			break
		}
		if time.Now().After(settled) {
			t.Fatal("the batch page still reloads itself 30 s after the correction was filed")
		}
		time.Sleep(time.Second)
	}
	b.eval(`(() => { const f = document.querySelector("form[action$='/confirm']"); f.querySelector("input[name=csrf]").value = "forged"; f.querySelector("button[type=submit]").click(); return "" })()`)
	b.waitText(10*time.Second, "表单已失效", "bad_csrf")
	b.shot("forged-csrf")

	// Search the archive from its link, and open a document.
	b.do(chromedp.Navigate(d.base + "/"))
	b.do(chromedp.Click(`a.desk[href="/search"]`))
	b.waitText(10*time.Second, "全文检索")
	deadline = time.Now().Add(time.Minute)
	for {
		b.do(chromedp.SetValue("#q", "委托"), chromedp.Submit("#q"))
		text = b.waitText(10*time.Second, "条结果")
		if !strings.Contains(text, "共 0 条结果") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search never found the filed stack:\n%s", text)
		}
		time.Sleep(time.Second)
	}
	if n := b.eval(`String(document.querySelectorAll(".snippet mark").length)`); n == "0" {
		t.Errorf("no highlighted match in the snippets:\n%s", text)
	}
	b.shot("search")
	b.do(chromedp.Click(`.hit h3 a`))
	text = b.waitText(15*time.Second, "来源与访问记录", "归档", "SHA-256", "在浏览器中打开 PDF")
	b.shot("document")
	pdfType := b.eval(`document.getElementById("open-pdf").getAttribute("href")`)
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`fetch(`+"`"+pdfType+"`"+`).then(r => r.headers.get("content-type") + " " + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || got != "application/pdf 200" {
		t.Errorf("the document's PDF link: %q, %v", got, err)
	}

	// The operators' page.
	b.do(chromedp.Navigate(d.base + "/ops"))
	text = b.waitText(10*time.Second, "服务健康", "队列积压", "失败批次")
	if strings.Count(text, "正常") < 3 {
		t.Errorf("the operators' page does not show three healthy services:\n%s", text)
	}
	b.shot("ops")

	// English on request, and sign-out back to the sign-in form.
	b.do(chromedp.Click(`form[action="/lang"] button`))
	b.waitText(10*time.Second, "Health", "Sign out")
	b.shot("ops-english")
	b.do(chromedp.Click(`form[action="/signout"] button`))
	text = b.waitText(10*time.Second, "You have signed out", "User name")
	if regexp.MustCompile(`Sign out`).MatchString(text) {
		t.Error("signed out, but the page still offers sign-out")
	}
}

// The window and the courier desk: open a case, decide it, meet a stale decision, log mail
// with a barcode scanner's Enter, and read the receipt and the day's register.
func TestWebCaseDesksInABrowser(t *testing.T) {
	b, d := signedIn(t)

	// Open a case at the window.
	b.do(chromedp.Click(`a.desk[href="/cases"]`))
	b.waitText(10*time.Second, "新建办件", "办件（逾期在前）")
	b.do(chromedp.SetValue("#c-matter", "JL-SC-002"), chromedp.SetValue("#c-name", "杨佳"),
		chromedp.SetValue("#c-id", "11010519491231002X"))
	b.shot("cases")
	b.do(chromedp.Click(`form[action="/cases"] button[type=submit]`))
	text := b.waitText(15*time.Second, "办件已创建", "材料齐全性", "受理决定", "办理经过")
	if !strings.Contains(text, "个体工商户登记") || !strings.Contains(text, "缺少") {
		t.Errorf("the new case page does not show its matter and missing materials:\n%s", text)
	}
	caseURL := b.eval(`location.pathname`)
	b.shot("case")

	// Decide: ask for corrections; the notice is listed and opens as a PDF.
	staleVersion := b.eval(`document.querySelector("input[name=version]").value`)
	b.do(chromedp.SetValue("#decision", "correction_required"), chromedp.SetValue("#d-reason", "缺法定代表人身份证件"),
		chromedp.Click(`form[action$="/decision"] button[type=submit]`))
	text = b.waitText(15*time.Second, "决定已保存", "补正材料通知书", "待补正")
	b.shot("case-decided")
	notice := b.eval(`document.querySelector("a[href^='/notices/']").getAttribute("href")`)
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`fetch(`+"`"+notice+"`"+`).then(r => r.headers.get("content-type") + " " + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || got != "application/pdf 200" {
		t.Errorf("the notice link: %q, %v", got, err)
	}

	// A decision taken on the version seen before someone else decided is a conflict, in words.
	b.do(chromedp.SetValue(`input[name=version]`, staleVersion), chromedp.SetValue("#decision", "reject"),
		chromedp.Click(`form[action$="/decision"] button[type=submit]`))
	b.waitText(15*time.Second, "办件刚被他人修改", "version_conflict")
	b.shot("case-conflict")

	// The case list shows it.
	b.do(chromedp.Navigate(d.base + "/cases"))
	b.waitText(10*time.Second, strings.TrimPrefix(caseURL, "/cases/"), "待补正")

	// The courier desk: the scanner's Enter moves on; the receipt shows what was logged.
	b.do(chromedp.Navigate(d.base + "/mail"))
	b.waitText(10*time.Second, "运单号", "今日登记簿")
	b.ready()
	b.do(chromedp.SetValue("#m-carrier", "SF"), chromedp.SendKeys("#m-waybill", "SF1234567890123\r"))
	if id := b.eval(`document.activeElement.id`); id != "m-name" {
		t.Errorf("after the waybill's Enter the focus is on %q, not the sender", id)
	}
	if b.eval(`location.pathname`) != "/mail" || strings.Contains(b.text(), "收件回执") {
		t.Fatal("the waybill's Enter submitted the form")
	}
	b.do(chromedp.SetValue("#m-name", "刘勇然"), chromedp.SetValue("#m-phone", "13812345678"),
		chromedp.SetValue("#m-address", "长春市南关区人民大街 1 号"), chromedp.SetValue("#m-signed", "王芳"),
		chromedp.SetValue("#m-case", strings.TrimPrefix(caseURL, "/cases/")))
	b.shot("mail")
	b.do(chromedp.Click(`#mail-form button[type=submit]`))
	text = b.waitText(15*time.Second, "收件回执", "SF1234567890123", "打印回执")
	if !strings.Contains(text[strings.Index(text, "今日登记簿"):], "SF1234567890123") {
		t.Errorf("today's register does not list the mail:\n%s", text)
	}
	b.shot("mail-receipt")

	// A waybill that does not fit its carrier is refused in words.
	b.do(chromedp.SetValue("#m-carrier", "EMS"), chromedp.SetValue("#m-waybill", "12345"), chromedp.Click(`#mail-form button[type=submit]`))
	b.waitText(15*time.Second, "运单号与快递公司的格式不符")
	b.shot("mail-bad-waybill")
}

// The department's desk: a package delivered by webhook is listed, acknowledged, and the
// department uploads its result on the case page. The case reaches the department through the
// API as in TestCaseDeliveredToDepartmentsAndHandedOut; the window's pages are tried above.
func TestWebDepartmentDeskInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	b := newBrowser(t)
	dir := t.TempDir()
	receivers, deptFile := startReceivers(t, dir, "natural-resources", "taxation") // JL-ZR-001's departments
	tokens, _ := json.Marshal([]auth.TokenEntry{
		{Name: "window-1", Role: auth.RoleWindow, SHA256: auth.HashToken("web-window-token")},
		{Name: "税务局", Role: auth.RoleDepartment, Department: "taxation", SHA256: auth.HashToken("web-dept-taxation")}})
	tokFile := filepath.Join(dir, "tokens.json")
	result := filepath.Join(dir, "decision.pdf")
	for path, data := range map[string][]byte{tokFile: tokens,
		result: testfixtures.ScanPDF(t, testfixtures.TextPage(t, "审批决定书", "准予许可", "Decision of taxation"))} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d := startDaemon(t, filepath.Join(dir, "data"), "ONEWINDOW_DEPARTMENTS_FILE="+deptFile, "ONEWINDOW_TOKENS_FILE="+tokFile)

	// The window opens, fills and accepts a case.
	st, c := dlvCall(t, d, "web-window-token", "POST", "/api/v1/cases", []byte(`{"matter":"JL-ZR-001","applicant":{"name":"杨佳","id_number":"220103198909195957"},"channel":"counter"}`), "", nil)
	if st != 201 {
		t.Fatalf("open case: %d %v", st, c)
	}
	no := c["case_no"].(string)
	page := testfixtures.TextPage(t, "居民身份证", "姓名 杨佳", "公民身份号码 220103198909195957", "Resident identity card")
	d.uploadDone(map[string]string{"case_no": no}, 2*time.Minute, file{"id.pdf", testfixtures.ScanPDF(t, page)})
	dlvWait(t, 30*time.Second, "the case has the batch's documents", func() bool {
		_, c = dlvCall(t, d, "web-window-token", "GET", "/api/v1/cases/"+no, nil, "", nil)
		docs, _ := c["documents"].([]any)
		return len(docs) > 0
	})
	version := strconv.Itoa(int(c["version"].(float64)))
	if st, c = dlvCall(t, d, "web-window-token", "POST", "/api/v1/cases/"+no+"/decision", []byte(`{"decision":"accept","reason":"其余材料纸质移交"}`), "", map[string]string{"If-Match": version}); st != 200 {
		t.Fatalf("decide: %d %v", st, c)
	}
	dlvWait(t, time.Minute, "taxation receives its package", func() bool { return len(receivers["taxation"].find("")) > 0 })

	// The department signs in with its token and finds the package waiting.
	b.do(chromedp.Navigate(d.base + "/"))
	b.do(chromedp.SetValue("#password", "web-dept-taxation"), chromedp.Submit("#password"))
	text := b.waitText(10*time.Second, "部门办件", "税务局")
	if strings.Contains(text, "扫描上传") || strings.Contains(text, "档案检索") {
		t.Errorf("a department is offered desks it cannot use:\n%s", text)
	}
	b.do(chromedp.Click(`a.desk[href="/department"]`))
	b.waitText(10*time.Second, "已送达，待接收 (1)", no, "结果应返回日期", c["due_date"].(string))
	b.shot("department")
	b.do(chromedp.Click(`form[action$="/ack"] button`))
	b.waitText(10*time.Second, "已确认接收。", "已接收 (1)")
	b.shot("department-acknowledged")

	// It opens the case and uploads its result.
	b.do(chromedp.Click(`a[href="/cases/` + no + `"]`))
	b.waitText(10*time.Second, "上传办理结果", "不动产登记")
	if strings.Contains(b.text(), "保存决定并生成通知书") {
		t.Error("a department is offered the window's decision")
	}
	b.do(chromedp.SetValue("#result-kind", "decision"), chromedp.SetValue("#result-note", "准予办理"),
		chromedp.SetUploadFiles("#result-file", []string{result}), chromedp.Click(`form[action$="/results"] button[type=submit]`))
	b.waitText(15*time.Second, "办理结果已上传")
	b.shot("department-result")
	if _, c = dlvCall(t, d, "web-window-token", "GET", "/api/v1/cases/"+no, nil, "", nil); c["state"] != "in_review" {
		t.Errorf("after taxation's result the case is %v, want in_review (natural resources has not answered)", c["state"])
	}
}
