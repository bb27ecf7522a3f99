package pdfout_test

import (
	"os"
	"time"

	"onewindow/pipeline"
	"onewindow/pipeline/pdfout"
)

// Pages are written as they are added, so only one page image is in memory at a time.
func ExampleWriter() {
	var pages []pipeline.PageImage // in real use: read one at a time from storage
	var ocr []*pipeline.OCRPage

	f, err := os.Create("filed.pdf")
	if err != nil {
		return
	}
	defer f.Close()
	// The metadata goes into the PDF/A XMP packet too; Properties carry the filing record.
	w := pdfout.NewWriter(f, pdfout.Meta{Title: "营业执照", CreationDate: time.Now(), Identifier: "Z001-WS·2026-Y30-0001",
		Language: "zh-CN", Properties: []pdfout.Property{{Name: "CaseNo", Value: "JL2026-0001", Description: "case number"}}})
	for i, img := range pages {
		if err := w.AddPage(pdfout.Page{Image: img, OCR: ocr[i]}); err != nil {
			return
		}
	}
	if err := w.Close(); err != nil {
		return
	}
}
