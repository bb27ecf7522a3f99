package archive

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/internal/errs"
	"onewindow/internal/testfixtures/pdfa"
)

func TestReportPDFOpensWithItsPages(t *testing.T) {
	rep := &PropertiesReport{Scope: "case JL-1", GeneratedAt: time.Now(), OK: true, Summary: map[string]map[string]int{}}
	for range 80 {
		rep.Documents = append(rep.Documents, DocumentReport{DocumentID: "doc", Title: "授权委托书 power of attorney", CaseNo: "JL-1",
			Properties: map[string]string{Authenticity: Pass}, Checks: []Check{{Property: Security, Check: "retention",
				Object: "archive/documents/x/document.pdf", Status: Pass, Detail: "GOVERNANCE until 2054-01-01"}}})
	}
	pdf, err := ReportPDF(rep, "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := pdfPageCount(pdf)
	if err != nil || n < 2 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("report PDF: %d pages, %v", n, err)
	}
	// Every font is embedded, so the report prints without the reader's fonts.
	pdfa.RequireEmbeddedFonts(t, pdf)
	// And its Chinese is text: extracted as written.
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil || !strings.Contains(string(out), "四性检测报告") || !strings.Contains(string(out), "授权委托书") {
		t.Errorf("pdftotext: %v %.300q", err, out)
	}
	fonts, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(fonts)), "\n")
	for _, l := range lines[min(2, len(lines)):] { // after the header and its rule
		if f := strings.Fields(l); len(f) < 6 || f[len(f)-5] != "yes" { // name type encoding emb sub uni object ID
			t.Errorf("pdffonts: not embedded: %s", l)
		}
	}
	if len(lines) < 3 {
		t.Errorf("pdffonts lists no font:\n%s", fonts)
	}
}

func TestReportPDFWithoutItsFont(t *testing.T) {
	_, err := ReportPDF(&PropertiesReport{}, filepath.Join(t.TempDir(), "missing.ttf"))
	if errs.CodeOf(err) != "font_missing" {
		t.Errorf("ReportPDF with a missing font: %v, want font_missing", err)
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
