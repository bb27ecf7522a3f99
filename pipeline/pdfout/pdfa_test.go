package pdfout

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"onewindow/internal/testfixtures/encode"
	"onewindow/internal/testfixtures/pdfa"
	"onewindow/pipeline"
)

// A filed PDF claims PDF/A-2b and meets what a validator checks of it; the stamp's
// transparency, colour and gray pages, and the text layer included.
func TestWriterMeetsPDFA2b(t *testing.T) {
	img, ocr := testPage(620, 877)
	rgb := image.NewRGBA(img.Bounds())
	draw.Draw(rgb, rgb.Bounds(), img, image.Point{}, draw.Src)
	rgb.Set(5, 5, color.RGBA{R: 200, A: 255})
	cmyk, err := os.ReadFile("testdata/cmyk.jpg")
	if err != nil {
		t.Fatal(err)
	}
	overlay := Resources{ExtGState: map[string]ExtGState{"GS1": {StrokeAlpha: 0.85, FillAlpha: 0.85}}}
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("CST", 8*3600))
	meta := Meta{Title: "营业执照 <&> business licence", Subject: "business_license", Keywords: []string{"JL-2024-1", "", "B1-001"},
		Creator: "onewindow", CreationDate: created, Identifier: "Z001-WS·2024-D30-0001", Language: "zh-CN",
		Properties: []Property{{Name: "CaseNo", Value: "JL-2024-1", Description: "case number"}, {Name: "ArchivalCode", Value: "Z001-WS·2024-D30-0001"}}}
	var buf bytes.Buffer
	w := NewWriter(&buf, meta)
	for _, page := range []Page{
		{Image: pipeline.PageImage{Data: encode.JPEG(t, rgb), Format: pipeline.FormatJPEG, DPI: 75}, OCR: ocr,
			Overlay: []byte("/GS1 gs 0.8 0.08 0.08 rg 0.8 0.08 0.08 RG 2 w 400 700 100 50 re B"), OverlayResources: overlay},
		{Image: pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG, DPI: 75}, OCR: ocr},
		{Image: pipeline.PageImage{Data: cmyk, Format: pipeline.FormatJPEG, DPI: 75}},
	} {
		if err := w.AddPage(page); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	md := pdfa.Require(t, buf.Bytes())
	if md.Title != meta.Title || md.Identifier != meta.Identifier || md.Keywords != "JL-2024-1, B1-001" ||
		md.CreateDate != "2024-05-06T07:08:09+08:00" || md.ModifyDate != md.CreateDate || md.Producer != DefaultProducer {
		t.Errorf("XMP metadata %+v", md)
	}
	if got := md.Properties[RecordNamespace+"CaseNo"]; got != "JL-2024-1" {
		t.Errorf("ow:CaseNo = %q", got)
	}
	if !bytes.Contains(buf.Bytes(), []byte("/Group << /Type /Group /S /Transparency /CS /DeviceRGB >>")) {
		t.Error("the page with transparency states no blending colour space")
	}

	// The text is still extracted as before.
	path := t.TempDir() + "/a.pdf"
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if text := encode.Run(t, "pdftotext", path, "-"); !strings.Contains(squash(text), "统一社会信用代码") {
		t.Errorf("pdftotext: %q", text)
	}
	if out := encode.Run(t, "qpdf", "--check", path); strings.Contains(strings.ToLower(out), "warning") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	// A second, independent opinion: PDFBox's PDF/A-1b validator finds nothing but what
	// PDF/A-2 allows and PDF/A-1 does not.
	for _, p := range pdfa.Preflight(t, path, pdfa.PDFA1Only...) {
		t.Errorf("PDFBox Preflight: %s", p)
	}
}

// The checks are not vacuous: a PDF written before the PDF/A claim fails them.
func TestPDFACheckFindsMissingParts(t *testing.T) {
	img, ocr := testPage(200, 300)
	var buf bytes.Buffer
	w := NewWriter(&buf, Meta{Title: "t", CreationDate: time.Now().UTC()})
	if err := w.AddPage(Page{Image: pipeline.PageImage{Data: encode.PNG(t, img), Format: pipeline.FormatPNG}, OCR: ocr}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	pdfa.Require(t, good) // a UTC date too
	for _, c := range []struct{ name, old, new, want string }{
		{"no metadata", "R /Metadata", "R /Metadatx", "no /Metadata"},
		{"no output intent", "/OutputIntents", "/OutputIntentx", "no /OutputIntents"},
		{"part 1", "<pdfaid:part>2<", "<pdfaid:part>1<", "pdfaid part"},
		{"font not embedded", "/FontFile2", "/FontFileX", "not embedded"},
		{"dates disagree", "/CreationDate (D:2", "/CreationDate (D:1", "CreationDate"},
		{"titles disagree", "/Title (t)", "/Title (u)", "Info /Title"},
	} {
		bad := bytes.Replace(good, []byte(c.old), []byte(c.new), 1)
		rep := pdfa.Check(bad)
		if !strings.Contains(strings.Join(rep.Problems, "\n"), c.want) {
			t.Errorf("%s: problems %q, want one about %q", c.name, rep.Problems, c.want)
		}
	}
}

func TestBadMetadataProperty(t *testing.T) {
	w := NewWriter(io.Discard, Meta{Properties: []Property{{Name: "case no", Value: "x"}}})
	err := w.AddPage(Page{Image: pipeline.PageImage{Data: encode.PNG(t, image.NewGray(image.Rect(0, 0, 4, 4))), Format: pipeline.FormatPNG}})
	if !errors.Is(err, ErrMetadata) {
		t.Errorf("AddPage = %v, want ErrMetadata", err)
	}
}
