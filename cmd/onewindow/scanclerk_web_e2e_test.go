package main

import (
	"encoding/json"
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

// TestScanClerkFixesTypeAndRegroups: the scan station's clerk, as the README promises, fixes a
// document's type and sees the new type when the page comes back, then drags a page's
// thumbnail onto the next document and saves; the refiled batch holds the pages as dragged.
// Then the clerk turns a page with its ↻ button: the refiled PDF's page has /Rotate 90.
func TestScanClerkFixesTypeAndRegroups(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	const scanToken = "scan-clerk-token-for-review"
	entries, _ := json.Marshal([]auth.TokenEntry{{Name: "station-1", Role: auth.RoleScanner, Station: "room-1", SHA256: auth.HashToken(scanToken)}})
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(tokens, entries, 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, t.TempDir(), "ONEWINDOW_TOKENS_FILE="+tokens)
	code, body := d.upload(scanToken, nil, map[string]string{"case_no": "JL-SCAN-1"}, file{"stack.pdf", twoDocumentStack(t)})
	if code != 202 {
		t.Fatalf("upload: %d %v", code, body)
	}
	id := body["id"].(string)
	if b := d.waitBatch(id, 2*time.Minute); len(documentIDsOf(b)) != 2 {
		t.Fatalf("the stack should give two documents: %v", b)
	}

	b := newBrowser(t)
	b.do(chromedp.Navigate(d.base + "/"))
	b.do(chromedp.SetValue("#password", scanToken), chromedp.Submit("#password"))
	b.waitText(10*time.Second, "扫描上传")
	b.do(chromedp.Navigate(d.base + "/batches/" + id))
	b.waitText(15*time.Second, "更正类型", "调整分组")
	// The thumbnails are wide enough to tell the pages apart: 240 pixels.
	b.eval(`document.querySelector("#documents figure.thumb img").scrollIntoView(), ""`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		if w := b.eval(`String(document.querySelector("#documents figure.thumb img").naturalWidth)`); w == "240" {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the first thumbnail is %s pixels wide, want 240", w)
		}
	}
	b.shot("scan-batch")

	// The first document becomes 其他材料: the page that comes back shows it.
	first := b.eval(`document.querySelector("article.doc form[action$='/type']").getAttribute("action")`)
	b.do(chromedp.SetValue(`form[action="`+first+`"] select`, "other"), chromedp.Click(`form[action="`+first+`"] button[type=submit]`))
	b.waitText(90*time.Second, "其他材料", "类型已更正")
	if pending := b.eval(`String(!!document.getElementById("refile-pending"))`); pending == "true" {
		b.waitText(90*time.Second, "其他材料") // the page looks again by itself
	}
	types := func() string {
		return b.eval(`Array.from(document.querySelectorAll("article.doc h3")).map(h => h.firstChild.textContent.trim()).join("|")`)
	}
	if got := types(); !strings.Contains(got, "其他材料") {
		t.Fatalf("after the retype the page shows %q", got)
	}
	b.shot("scan-retyped")

	// Drag the first document's page onto the next document's page, and save.
	b.do(chromedp.WaitReady(chromedp.CSS("html[data-regroup-ready]")))
	moved := b.eval(`(() => {
		const docs = document.querySelectorAll("#documents article.doc");
		const src = docs[0].querySelector("figure.thumb"), dst = docs[1].querySelector("figure.thumb");
		const dt = new DataTransfer();
		src.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		dst.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		dst.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		src.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
		return src.getAttribute("data-page") + "," + dst.getAttribute("data-page");
	})()`)
	b.waitText(5*time.Second, "分组已调整，尚未保存")
	b.shot("scan-dragged")
	b.do(chromedp.Click("#regroup-save"))
	b.waitText(90*time.Second, "分组已更正")
	deadline := time.Now().Add(90 * time.Second)
	for b.eval(`String(document.querySelectorAll("#documents article.doc").length)`) != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("after dragging the page the batch page shows %s documents:\n%s", b.eval(`String(document.querySelectorAll("#documents article.doc").length)`), b.text())
		}
		time.Sleep(500 * time.Millisecond)
	}
	pages := b.eval(`Array.from(document.querySelectorAll("#documents figure.thumb")).map(f => f.getAttribute("data-page")).join(",")`)
	if pages != moved {
		t.Errorf("the refiled document holds pages %s, want %s as dragged", pages, moved)
	}
	b.shot("scan-regrouped")
	_, api := d.get("/api/v1/batches/" + id)
	ids := documentIDsOf(api)
	if len(ids) != 1 {
		t.Fatalf("the API lists %d documents after the regroup: %v", len(ids), api)
	}

	// The first page was scanned sideways: its ↻ button turns it a quarter clockwise, the
	// thumbnail shows it turned, and once saved the refiled PDF's first page has /Rotate 90.
	b.do(chromedp.WaitReady(chromedp.CSS("html[data-regroup-ready]")))
	turned := b.eval(`(() => {
		const f = document.querySelector("#documents figure.thumb");
		f.querySelector("button.rotate").click();
		return f.getAttribute("data-rotate") + " " + getComputedStyle(f.querySelector("img")).transform;
	})()`)
	if !strings.HasPrefix(turned, "90 ") || strings.HasSuffix(turned, " none") {
		t.Errorf("after ↻ the thumbnail is %q, want turned 90", turned)
	}
	b.waitText(5*time.Second, "分组已调整，尚未保存")
	b.do(chromedp.Click("#regroup-save"))
	deadline = time.Now().Add(90 * time.Second)
	firstTurn := `(() => { const f = document.querySelector("#documents figure.thumb"); return f ? String(f.getAttribute("data-rotate")) : ""; })()`
	for b.eval(firstTurn) != "90" {
		if time.Now().After(deadline) {
			t.Fatalf("after the turn the batch page shows no turned page:\n%s", b.text())
		}
		time.Sleep(500 * time.Millisecond)
	}
	b.shot("scan-turned")
	_, api = d.get("/api/v1/batches/" + id)
	after := documentIDsOf(api)
	if len(after) != 1 || after[0] == ids[0] {
		t.Fatalf("a turn alone must file the document anew: %v, before %v", after, ids)
	}
	if rot := pageRotation(t, d, after[0], 1); rot != 90 {
		t.Errorf("the refiled PDF's first page turns by %d, want 90", rot)
	}
	if rot := pageRotation(t, d, after[0], 2); rot != 0 {
		t.Errorf("the refiled PDF's second page turns by %d, want 0", rot)
	}
	narrow(t, b, d.base+"/batches/"+id)
}

// pageRotation is the /Rotate of page n (1-based) of a filed document's PDF, as pdfinfo reads it.
func pageRotation(t *testing.T, d *daemon, docID string, n int) int {
	t.Helper()
	page := strconv.Itoa(n)
	out, err := exec.Command("pdfinfo", "-f", page, "-l", page, filedPDF(t, d, docID)).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Page\s+` + page + `\s+rot:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo names no rotation of page %s:\n%s", page, out)
	}
	rot, _ := strconv.Atoi(string(m[1]))
	return rot
}

// twoDocumentStack is a scanned PDF of two documents, a power of attorney and a commitment
// letter, with a separator sheet between them.
func twoDocumentStack(t *testing.T) []byte {
	t.Helper()
	poa := testfixtures.TextPage(t, "授权委托书", "委托人：杨佳  身份证号码：220103198909195957",
		"现委托受托人代为办理食品经营许可相关事宜。")
	letter := testfixtures.TextPage(t, "容缺受理承诺书", "本人申请办理建设工程规划许可，承诺补齐材料。", "承诺人：刘勇然")
	return testfixtures.ScanPDF(t, poa, testfixtures.SeparatorPage(t, "PATCH T"), letter)
}
