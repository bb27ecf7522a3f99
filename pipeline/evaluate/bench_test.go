package evaluate

import (
	"context"
	"testing"
	"time"

	"onewindow/internal/testfixtures/encode"
	"onewindow/pipeline"
	"onewindow/pipeline/blank"
	"onewindow/pipeline/classify"
	"onewindow/pipeline/extract"
	"onewindow/pipeline/internal/testpage"
	"onewindow/pipeline/ocr"
	"onewindow/pipeline/pages"
	"onewindow/pipeline/separator"
)

// BenchmarkChecksAgainstOCR measures, on one A4 page at 300 dpi, what the steps around OCR
// cost (separator and blank detection on the decoded page, classification and extraction of
// the text) beside OCR itself, in the same run, and reports their share. The page decode is
// reported apart: Tesseract decodes its own copy.
//
//	go test -run XXX -bench ChecksAgainstOCR ./pipeline/evaluate
func BenchmarkChecksAgainstOCR(b *testing.B) {
	page := testpage.New(testpage.PageW, testpage.PageH, 245)
	testpage.DrawText(b, page, "授权委托书", 900, 400, 66, 20)
	for i := range 8 { // a form's worth of lines, as on the corpus pages
		testpage.DrawText(b, page, "委托人：杨佳 身份证号码：220103198909195957 现委托受托人代为办理", 270, 600+i*110, 39, 30)
	}
	testpage.AddScanNoise(page, 1, 4, 300)
	img := pipeline.PageImage{Data: encode.JPEG(b, page), Format: pipeline.FormatJPEG, Width: testpage.PageW, Height: testpage.PageH, DPI: 300}
	engine, err := ocr.NewEngine(ocr.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer engine.Close()
	cls := classify.New(nil, nil)
	var decode, checks, recognise time.Duration
	for b.Loop() {
		t0 := time.Now()
		px, err := pages.Decode(img)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, sep := separator.Detect(px); sep || blank.IsBlank(px) {
			b.Fatal("a text page was taken for a separator or blank page")
		}
		t2 := time.Now()
		words, _, err := engine.Recognize(context.Background(), img)
		if err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		cls.Classify(words.Text)
		extract.Fields(words.Text)
		t4 := time.Now()
		decode += t1.Sub(t0)
		checks += t2.Sub(t1) + t4.Sub(t3)
		recognise += t3.Sub(t2)
	}
	b.ReportMetric(float64(checks.Milliseconds())/float64(b.N), "checks-ms/page")
	b.ReportMetric(float64(recognise.Milliseconds())/float64(b.N), "ocr-ms/page")
	b.ReportMetric(100*float64(checks)/float64(recognise), "checks-%-of-ocr")
	b.ReportMetric(100*float64(decode)/float64(recognise), "decode-%-of-ocr")
}
