package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onewindow/internal/auth"
)

// The window opens a case for an organisation with its phone, address, agent and legal
// representative; the case page preselects the check's proposal and says why; a refusal
// without a catalogue reason is refused on the page, which keeps what the clerk chose and
// typed; with two reasons ticked the refusal notice lists them with their legal basis, the
// window and the clerk. The case list finds the case by the applicant's name.
func TestWebDecisionInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	b := newBrowser(t)
	dir := t.TempDir()
	tokens, _ := json.Marshal([]auth.TokenEntry{{Name: "赵窗口", Role: auth.RoleWindow, SHA256: auth.HashToken("web-decide-window")}})
	tokFile := filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(tokFile, tokens, 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, filepath.Join(dir, "data"), "ONEWINDOW_TOKENS_FILE="+tokFile)
	const window = "web-decide-window"
	b.signInAs(d.base, window)

	// The picker narrows as the clerk types, by department too; at 390 px the form still fits.
	b.do(chromedp.Navigate(d.base + "/cases"))
	b.waitText(10*time.Second, "新建办件")
	b.do(chromedp.SendKeys("#c-matter-filter", "公安"))
	visible := `Array.from(document.querySelectorAll("#c-matter option")).filter(o => !o.hidden).map(o => o.value).join(",")`
	if got := b.eval(visible); got != "JL-GA-001" {
		t.Errorf("typing 公安 leaves %q in the picker, want JL-GA-001", got)
	}
	if got := b.eval(`document.querySelector("#c-matter").value`); got != "JL-GA-001" {
		t.Errorf("the picker's choice after filtering is %q", got)
	}
	b.do(chromedp.EmulateViewport(390, 844))
	if wide := b.eval(`String(document.documentElement.scrollWidth > document.documentElement.clientWidth)`); wide != "false" {
		t.Errorf("the new-case form scrolls sideways at 390 px")
	}
	b.do(chromedp.EmulateViewport(1366, 768))

	// Without a script the filter form asks the server (?mq=), which narrows the same way.
	b.do(chromedp.Navigate(d.base + "/cases?mq=企业设立"))
	b.waitText(10*time.Second, "新建办件", "筛选事项")
	if got := b.eval(`Array.from(document.querySelectorAll("#c-matter option")).map(o => o.value).join(",")`); got != "JL-SC-001" {
		t.Errorf("the filtered picker offers %q, want JL-SC-001 alone", got)
	}
	if got := b.eval(`document.querySelector("#c-matter optgroup").label`); got != "市场监督管理局" {
		t.Errorf("the picker's group is %q, want the lead department's name", got)
	}
	b.do(chromedp.SetValue("#c-matter", "JL-SC-001"), chromedp.SetValue("#c-name", "长春福满楼餐饮有限公司"),
		chromedp.SetValue("#c-uscc", "912201011234567884"), chromedp.SetValue("#c-phone", "0431-88881234"),
		chromedp.SetValue("#c-address", "长春市南关区人民大街1号"),
		chromedp.SetValue("#c-agent-name", "李经办"), chromedp.SetValue("#c-agent-id", "220102199003070013"),
		chromedp.SetValue("#c-agent-phone", "13904310000"),
		chromedp.SetValue("#c-rep-name", "王法人"), chromedp.SetValue("#c-rep-id", "11010519491231002X"),
		chromedp.SetValue("#c-rep-phone", "13804311234"))
	b.shot("case-new-with-parties")
	b.do(chromedp.Click(`form[action="/cases"] button[type=submit]`))
	text := b.waitText(15*time.Second, "办件已创建", "李经办", "王法人", "长春市南关区人民大街1号", "系统建议")
	no := strings.TrimPrefix(b.eval(`location.pathname`), "/cases/")

	// Nothing is scanned yet: the check proposes a one-time notice, names what is missing by
	// the catalogue's names, and the form starts from it.
	if got := b.eval(`document.querySelector("#decision").value`); got != "correction_required" {
		t.Errorf("the decision form preselects %q, not the proposal", got)
	}
	for _, want := range []string{"公司登记（备案）申请书", "法定代表人身份证件复印件"} {
		if !strings.Contains(text, want) {
			t.Errorf("the case page does not name %q:\n%s", want, text)
		}
	}
	b.do(chromedp.ScrollIntoView("#decide-h"))
	b.shot("case-proposed")

	// A refusal without a catalogue reason: refused on the page, the input kept.
	b.do(chromedp.SetValue("#decision", "reject"), chromedp.SetValue("#d-reason", "名称含有禁用字词"),
		chromedp.Click(`form[action$="/decision"] button[type=submit]`))
	b.waitText(15*time.Second, "不予受理须至少勾选一项事项目录中的不予受理理由")
	if got := b.eval(`document.querySelector("#decision").value + "|" + document.querySelector("#d-reason").value`); got != "reject|名称含有禁用字词" {
		t.Errorf("the refused decision lost the input: %q", got)
	}
	b.shot("case-refusal-without-reason")
	b.do(chromedp.EmulateViewport(390, 844))
	if wide := b.eval(`String(document.documentElement.scrollWidth > document.documentElement.clientWidth)`); wide != "false" {
		t.Errorf("the case page scrolls sideways at 390 px")
	}
	b.do(chromedp.EmulateViewport(1366, 768))

	// Two reasons ticked: the notice lists them with their basis.
	b.do(chromedp.Click("#refusal-not_our_competence"), chromedp.Click("#refusal-name_not_registrable"),
		chromedp.Click(`form[action$="/decision"] button[type=submit]`))
	b.waitText(15*time.Second, "决定已保存", "不予受理")
	href := b.eval(`document.querySelector("a[href^='/notices/']").getAttribute("href")`)
	id := strings.TrimSuffix(strings.TrimPrefix(href, "/notices/"), "/pdf")
	code, pdf := d.getRaw("/api/v1/notices/" + id + "/pdf")
	if code != 200 {
		t.Fatalf("notice %s: %d", id, code)
	}
	notice := strings.ReplaceAll(pdfText(t, pdf), "\n", "")
	for _, want := range []string{"不予受理决定书", "长春福满楼餐饮有限公司", "申请事项依法不属于本机关职权范围",
		"依据：《中华人民共和国行政许可法》第三十二条第一款第二项", "企业名称不符合企业名称登记管理规定",
		"《企业名称登记管理规定》第十一条", "补充说明：名称含有禁用字词", "经办人：赵窗口", "受理窗口：综合窗口"} {
		if !strings.Contains(notice, want) {
			t.Errorf("the refusal notice does not say %q:\n%s", want, notice)
		}
	}
	if strings.Contains(notice, "（无）") {
		t.Errorf("the refusal notice lists no reason:\n%s", notice)
	}

	// The list finds the case by the applicant's name.
	b.do(chromedp.Navigate(d.base + "/cases"))
	b.do(chromedp.SetValue("#cases-q", "福满楼"), chromedp.Submit("#cases-q"))
	b.waitText(10*time.Second, no, "1 件")
	b.shot("cases-found")
}
