package archive

import (
	"bytes"
	"testing"
	"time"
)

func TestReportPDFOpensWithItsPages(t *testing.T) {
	rep := &PropertiesReport{Scope: "case JL-1", GeneratedAt: time.Now(), OK: true, Summary: map[string]map[string]int{}}
	for range 80 {
		rep.Documents = append(rep.Documents, DocumentReport{DocumentID: "doc", Title: "授权委托书 power of attorney", CaseNo: "JL-1",
			Properties: map[string]string{Authenticity: Pass}, Checks: []Check{{Property: Security, Check: "retention",
				Object: "archive/documents/x/document.pdf", Status: Pass, Detail: "GOVERNANCE until 2054-01-01"}}})
	}
	pdf, err := ReportPDF(rep)
	if err != nil {
		t.Fatal(err)
	}
	n, err := pdfPageCount(pdf)
	if err != nil || n < 2 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("report PDF: %d pages, %v", n, err)
	}
}

func TestParseRetentionPolicy(t *testing.T) {
	for _, c := range []struct {
		in   string
		typ  string
		want int
		bad  bool
	}{
		{"", "id_card", 30, false},
		{"id_card=10, business_license=30", "id_card", 10, false},
		{"id_card=10", "other", 30, false},
		{"id_card", "", 0, true},
		{"id_card=0", "", 0, true},
	} {
		p, err := ParseRetentionPolicy(c.in, 30)
		if (err != nil) != c.bad || (!c.bad && p.Years(c.typ) != c.want) {
			t.Errorf("%q: %v %v", c.in, p, err)
		}
	}
}
