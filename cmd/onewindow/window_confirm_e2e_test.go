package main

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"onewindow/internal/testfixtures"
	"onewindow/storage"
)

// TestWindowTypedCodeConfirms: the credit code the window typed when it opened a case
// confirms a damaged printing of it (one character off, so the reading does not validate) in
// the case's first batch, filed as certain with the source "window"; a licence whose code is
// read for certain and differs from the typed one is filed as read, and the case's check
// reports the mismatch.
func TestWindowTypedCodeConfirms(t *testing.T) {
	const uscc, damaged, otherUSCC = "91220102QFWNB571XW", "91220102QFWNB541XW", "91220101265000348W"
	d := startDaemon(t, t.TempDir())
	st, c := d.send("POST", "/api/v1/cases", `{"matter":"JL-SC-001","applicant":{"kind":"organisation",`+
		`"name":"长春市某某食品有限公司","uscc":"`+uscc+`"},"submitter":{"name":"杨佳","id_number":"220103198909195957"},"channel":"counter"}`)
	if st != 201 {
		t.Fatalf("open case: %d %v", st, c)
	}
	caseNo := c["case_no"].(string)
	mc := daemonMinio(t, d)
	sources := func(doc map[string]any) map[string]string {
		t.Helper()
		o, err := mc.GetObject(context.Background(), "onewindow-archive", storage.DocumentRecordKey(doc["id"].(string)), minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		raw, err := io.ReadAll(o)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			FieldSources map[string]string `json:"field_sources"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		return rec.FieldSources
	}

	poa := testfixtures.ScanPDF(t, testfixtures.TextPage(t, "授权委托书", "委托单位：长春市某某食品有限公司",
		"统一社会信用代码："+damaged, "现委托受托人杨佳代为办理企业设立登记相关事宜。"))
	doc := d.uploadOneDocument(caseNo, poa)
	if got := docField(doc, "uscc"); got != "["+uscc+"]" {
		_, text := d.getRaw("/api/v1/documents/" + doc["id"].(string) + "/text")
		t.Fatalf("uscc %s, want [%s] confirmed by the window's typing; text %q", got, uscc, text)
	}
	if got := docField(doc, "uscc_uncertain"); got != "<nil>" && got != "[]" {
		t.Errorf("candidates left: %s", got)
	}
	if src := sources(doc)[uscc]; src != "window" {
		t.Errorf("source of the confirmed code %q, want window", src)
	}

	licence := testfixtures.ScanPDF(t, testfixtures.TextPage(t, "营业执照", "名称：长春市某某食品有限公司",
		"统一社会信用代码："+otherUSCC, "法定代表人：王某"))
	doc = d.uploadOneDocument(caseNo, licence)
	if got := docField(doc, "uscc"); got != "["+otherUSCC+"]" {
		t.Fatalf("licence uscc %s, want [%s] as read", got, otherUSCC)
	}
	// Read as printed, repaired or read again: the window's typing had no say in it.
	if src := sources(doc)[otherUSCC]; !slices.Contains([]string{"clean", "repaired", "reread"}, src) {
		t.Errorf("source of the licence's code %q, want it read", src)
	}
	var codes []string
	deadline := time.Now().Add(30 * time.Second)
	for !slices.Contains(codes, "applicant_uscc_mismatch") && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		_, c = d.get("/api/v1/cases/" + caseNo)
		check, _ := c["check"].(map[string]any)
		incs, _ := check["inconsistencies"].([]any)
		codes = codes[:0]
		for _, in := range incs {
			codes = append(codes, in.(map[string]any)["code"].(string))
		}
	}
	if !slices.Contains(codes, "applicant_uscc_mismatch") {
		t.Errorf("case check inconsistencies %v, want applicant_uscc_mismatch", codes)
	}
}
