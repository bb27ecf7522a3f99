// Package assemble turns the pages of a batch, once each has been looked at and recognised,
// into documents: it cuts at separator sheets, drops blank pages, splits stacks that have no
// separators, classifies each document and extracts its identifiers.
package assemble

import "onewindow/pipeline"

// Drop reasons, as the contract names them.
const (
	DropSeparator = "separator"
	DropBlank     = "blank"
)

// Page is one page of the batch in upload order.
type Page struct {
	Index   int    // 0-based position in the upload
	Dropped string // DropSeparator, DropBlank, or ""
	OCR     *pipeline.OCRPage
}

// Document is a planned document.
type Document struct {
	Pages       []int // upload indexes
	Type        string
	TypeName    string
	Title       string
	Confidence  float64
	NeedsReview bool
	Fields      map[string][]string
}

// Planner plans documents. Its zero value cuts at separators only and types every
// document "other"; New gives one that splits, classifies and extracts.
type Planner struct {
	ReviewThreshold float64
}

// Plan groups the kept pages into documents.
func (p *Planner) Plan(pages []Page) []Document {
	var docs []Document
	var cur []int
	flush := func() {
		if len(cur) > 0 {
			docs = append(docs, Document{Pages: cur, Type: "other", Confidence: 0, Fields: map[string][]string{}})
			cur = nil
		}
	}
	for _, pg := range pages {
		switch pg.Dropped {
		case DropSeparator:
			flush()
		case DropBlank:
		default:
			cur = append(cur, pg.Index)
		}
	}
	flush()
	return docs
}
