package main

import (
	"fmt"
	"testing"
	"time"

	"onewindow/internal/testfixtures"
)

// TestCaseConfirmsCodeAcrossBatches: a credit code read cleanly in one batch of a case
// confirms a near miss of it (printed one character off, so it does not validate; OCR may add
// one more) in a later batch of the same case; the same near miss in a batch of another case
// stays unread.
func TestCaseConfirmsCodeAcrossBatches(t *testing.T) {
	const uscc, nearMiss = "91220102QFWNB571XW", "91220102QFWNB541XW"
	d := startDaemon(t, t.TempDir())
	licence := testfixtures.ScanPDF(t, testfixtures.TextPage(t, "营业执照", "名称：长春市某某食品有限公司",
		"统一社会信用代码："+uscc, "法定代表人：杨佳"))
	poa := testfixtures.ScanPDF(t, testfixtures.TextPage(t, "授权委托书", "委托单位：长春市某某食品有限公司",
		"统一社会信用代码："+nearMiss, "现委托受托人代为办理食品经营许可相关事宜。"))

	if got := docField(d.uploadOneDocument("JL-CONFIRM-1", licence), "uscc"); got != "["+uscc+"]" {
		t.Fatalf("licence read %s, want [%s]", got, uscc)
	}
	if doc := d.uploadOneDocument("JL-CONFIRM-1", poa); docField(doc, "uscc") != "["+uscc+"]" {
		_, text := d.getRaw("/api/v1/documents/" + doc["id"].(string) + "/text")
		t.Errorf("later batch of the case: uscc %s, want [%s] confirmed by the licence; text %q", docField(doc, "uscc"), uscc, text)
	}
	if got := docField(d.uploadOneDocument("JL-CONFIRM-2", poa), "uscc"); got != "[]" {
		t.Errorf("batch of another case: uscc %s, want none", got)
	}
}

// uploadOneDocument uploads page as a batch of case caseNo and returns the one document it
// was filed as.
func (d *daemon) uploadOneDocument(caseNo string, page []byte) map[string]any {
	d.t.Helper()
	b := d.uploadDone(map[string]string{"case_no": caseNo}, 3*time.Minute, file{"scan.pdf", page})
	docs, _ := b["documents"].([]any)
	if len(docs) != 1 {
		d.t.Fatalf("batch: %v", b)
	}
	return docs[0].(map[string]any)
}

func docField(doc map[string]any, kind string) string {
	f, _ := doc["fields"].(map[string]any)
	return fmt.Sprint(f[kind])
}
