package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCourierDeskWithAScanner logs mail the way a keyboard-wedge barcode scanner types it: the
// waybill and Enter. The carrier is told by the waybill, every missing field is marked at once,
// a second scan replaces the field, the same waybill again is questioned and logged only when
// confirmed, and the printed receipt names that envelope's sender alone.
func TestCourierDeskWithAScanner(t *testing.T) {
	b, d := signedIn(t)
	b.do(chromedp.Navigate(d.base + "/mail"))
	b.waitText(10*time.Second, "运单号", "今日登记簿", "带 * 的为必填项")
	b.do(chromedp.WaitReady(chromedp.CSS("html[data-courier-ready]")))

	// The scanner types an SF number and Enter: SF is chosen, the focus moves on, nothing is sent.
	b.do(chromedp.SendKeys("#m-waybill", "SF1234567890123\r"))
	if c := b.eval(`document.getElementById("m-carrier").value`); c != "SF" {
		t.Errorf("the carrier after scanning an SF waybill is %q", c)
	}
	b.waitText(5*time.Second, "已按运单号识别为：顺丰速运")
	if id := b.eval(`document.activeElement.id`); id != "m-name" || strings.Contains(b.text(), "收件回执") {
		t.Fatalf("after the waybill's Enter the focus is on %q (or the form was sent)", id)
	}
	b.do(chromedp.SetValue("#m-name", "刘勇然"), chromedp.SetValue("#m-phone", "13812345678"), chromedp.SetValue("#m-signed", "王芳"))
	b.shot("courier-scanned")
	b.do(chromedp.Click("#mail-submit"))
	b.waitText(15*time.Second, "收件回执", "顺丰速运", "刘勇然")
	b.shot("courier-receipt")

	// Only a waybill: every missing field is marked in one answer, and the waybill is kept.
	b.do(chromedp.SendKeys("#m-waybill", "JDVA01234567890\r"))
	b.eval(`document.getElementById("m-signed").value = ""`)
	b.do(chromedp.Click("#mail-submit"))
	b.waitText(15*time.Second, "以下几处需要修改", "请填写姓名或单位名称", "电话号码格式不对", "请填写签收人")
	if n := b.eval(`String(document.querySelectorAll(".field-error").length)`); n != "3" {
		t.Errorf("%s fields marked, want 3", n)
	}
	if w := b.eval(`document.getElementById("m-waybill").value`); w != "JDVA01234567890" {
		t.Errorf("the waybill typed was not kept: %q", w)
	}
	b.shot("courier-fields")

	// The same SF waybill scanned again into the filled field replaces it, and is questioned.
	b.do(chromedp.WaitReady(chromedp.CSS("html[data-courier-ready]")))
	b.do(chromedp.SendKeys("#m-waybill", "SF1234567890123\r"))
	if w := b.eval(`document.getElementById("m-waybill").value`); w != "SF1234567890123" {
		t.Fatalf("a second scan into a filled field gave %q", w)
	}
	b.do(chromedp.SetValue("#m-name", "张三"), chromedp.SetValue("#m-phone", "13804311234"), chromedp.SetValue("#m-signed", "王芳"),
		chromedp.Click("#mail-submit"))
	b.waitText(15*time.Second, "这个运单号最近已经登记过", "仍要登记")
	if strings.Contains(b.text(), "收件回执") {
		t.Fatal("a repeated waybill was logged without asking")
	}
	b.shot("courier-duplicate")
	b.do(chromedp.Click("#confirm-duplicate"))
	b.waitText(15*time.Second, "收件回执", "张三")

	// The receipt to print is that envelope's own PDF: 张三, not the day's other sender.
	href := b.eval(`document.getElementById("receipt-pdf").getAttribute("href")`)
	id := strings.TrimSuffix(strings.TrimPrefix(href, "/mail/"), "/receipt.pdf")
	status, pdf := d.getRaw("/api/v1/mail/" + id + "/receipt.pdf")
	if status != 200 {
		t.Fatalf("receipt %s: %d %s", id, status, pdf)
	}
	path := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if text := string(out); err != nil || !strings.Contains(text, "张三") || strings.Contains(text, "刘勇然") || !strings.Contains(text, "SF1234567890123") {
		t.Errorf("the receipt's text (%v):\n%s", err, text)
	}
	// The day's register stays available on its own.
	if status, _ := d.getRaw("/api/v1/mail/register.pdf"); status != 200 {
		t.Errorf("register: %d", status)
	}
	narrow(t, b, d.base+"/mail")
}

// narrow opens url on a 390-pixel phone screen: nothing may need a sideways scroll.
func narrow(t *testing.T, b *browser, url string) {
	t.Helper()
	b.do(chromedp.EmulateViewport(390, 844), chromedp.Navigate(url))
	b.ready()
	if wide := b.eval(`String(document.documentElement.scrollWidth > document.documentElement.clientWidth)`); wide != "false" {
		t.Errorf("%s scrolls sideways at 390 pixels", url)
	}
	b.do(chromedp.EmulateViewport(1366, 768))
}

// signedIn starts a daemon and a browser signed in with the admin token, on the start page.
func signedIn(t *testing.T) (*browser, *daemon) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	b := newBrowser(t)
	d := startDaemon(t, t.TempDir())
	b.do(chromedp.Navigate(d.base + "/"))
	b.do(chromedp.SetValue("#password", d.token), chromedp.Submit("#password"))
	b.waitText(10*time.Second, "综合窗口", "寄递收件")
	return b, d
}
