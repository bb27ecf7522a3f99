package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTabletRatingInABrowser: after hand-out the window's tablet (portrait, 800 x 1280) shows
// the rating view: the case number and nothing of the applicant, targets a finger can tap;
// a wrong check is said in words, the right one files the rating through the rating API.
func TestTabletRatingInABrowser(t *testing.T) {
	b := newBrowser(t)
	d := publicDaemon(t)
	no := publicCase(t, d, "in_review", "result_ready", "delivered")
	b.do(chromedp.EmulateViewport(800, 1280))
	b.do(chromedp.Navigate(d.base + "/rate/tablet?case_no=" + no))
	text := b.waitText(10*time.Second, "请您评价本次服务", "您对本次服务满意吗", "非常满意", "一次办成", no)
	for _, personal := range []string{"张三", "13912345678", "220102199003070013"} {
		if strings.Contains(text, personal) || strings.Contains(b.eval(`document.documentElement.outerHTML`), personal) {
			t.Errorf("the tablet shows personal data %q", personal)
		}
	}
	// Every target a finger taps is at least 48 CSS px high (Android's and Apple's guidance).
	small := b.eval(`[...document.querySelectorAll(".star, .chip, button, #check")].filter(e => e.getBoundingClientRect().height < 48).map(e => e.textContent.trim() || e.id).join(" | ")`)
	if small != "" {
		t.Errorf("targets under 48 px: %s", small)
	}
	if wide := b.eval(`String(document.documentElement.scrollWidth > document.documentElement.clientWidth)`); wide != "false" {
		t.Errorf("the tablet view scrolls sideways")
	}
	b.shot("tablet")

	b.do(chromedp.Click(`label.star:nth-of-type(5)`), chromedp.Click(`label.chip:nth-of-type(2)`),
		chromedp.SetValue("#comment", "窗口很耐心"), chromedp.SetValue("#check", "0000"), chromedp.Click(`button.huge`))
	b.waitText(10*time.Second, "没有找到与办件编号和查询码相符的办件")
	if b.eval(`String(document.getElementById("tablet-form").hidden)`) != "false" {
		t.Errorf("the form went away after a wrong check")
	}
	b.do(chromedp.SetValue("#check", "5678"), chromedp.Click(`button.huge`))
	b.waitText(10*time.Second, "谢谢您的评价", "5 分")
	b.shot("tablet-thanks")

	// Filed once, through the API: a second rating is refused.
	code, _, body := callPublic(t, "POST", d.base+"/api/v1/public/cases/"+no+"/rating", "", map[string]any{"check": "5678", "score": 1})
	if code != 409 || !strings.Contains(string(body), "already_rated") {
		t.Errorf("a second rating: %d %s", code, body)
	}
	// The figures count it with its reason.
	code, _, body = callPublic(t, "GET", d.base+"/api/v1/ratings", managerToken, nil)
	if code != 200 || !strings.Contains(string(body), `"score":5`) || !strings.Contains(string(body), "一次办成") || !strings.Contains(string(body), "窗口很耐心") {
		t.Errorf("the ratings list: %d %s", code, body)
	}
}
