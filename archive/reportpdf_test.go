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

func TestRetentionPolicy(t *testing.T) {
	def := RetentionRule{Years: 30, Mode: "GOVERNANCE"}
	for _, c := range []struct {
		byType, byMatter string
		typ, matter      string
		want             RetentionRule
		bad              bool
	}{
		{typ: "id_card", want: def},
		{byType: "id_card=10, business_license=30", typ: "id_card", want: RetentionRule{10, "GOVERNANCE"}},
		{byType: "id_card=10", typ: "other", want: def},
		{byType: "business_license=50:compliance", typ: "business_license", want: RetentionRule{50, "COMPLIANCE"}},
		{byMatter: "企业设立登记=100", typ: "id_card", matter: "企业设立登记", want: RetentionRule{100, "GOVERNANCE"}},
		// Both apply: the longer period and the stricter mode.
		{byType: "id_card=10:COMPLIANCE", byMatter: "户口迁移=60", typ: "id_card", matter: "户口迁移", want: RetentionRule{60, "COMPLIANCE"}},
		{byType: "id_card=80", byMatter: "户口迁移=60:COMPLIANCE", typ: "id_card", matter: "户口迁移", want: RetentionRule{80, "COMPLIANCE"}},
		{byType: "id_card", bad: true},
		{byType: "id_card=0", bad: true},
		{byMatter: "户口迁移=10:FOREVER", bad: true},
	} {
		p, err := NewRetentionPolicy(def, c.byType, c.byMatter)
		if (err != nil) != c.bad || (!c.bad && p.For(c.typ, c.matter) != c.want) {
			t.Errorf("%q %q: %+v %v, want %+v", c.byType, c.byMatter, p.For(c.typ, c.matter), err, c.want)
		}
	}
}
