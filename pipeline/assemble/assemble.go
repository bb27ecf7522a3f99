// Package assemble turns the pages of a batch, once each has been looked at and recognised,
// into documents: it cuts at separator sheets, drops blank pages, splits stacks that have no
// separators, classifies each document and extracts its identifiers.
package assemble

import (
	"slices"
	"strings"

	"onewindow/internal/fields"
	"onewindow/pipeline"
	"onewindow/pipeline/classify"
	"onewindow/pipeline/extract"
	"onewindow/pipeline/split"
)

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
	// Dark is a page dark all over (a black sheet, an unlit photo, a scanner lid left open):
	// kept, never blank, and its document goes to a person, who can tell a mistake from a picture.
	Dark bool
	// OCRShown says OCR was read again from the page turned the way a person turned it (its
	// rotation), so its word boxes are in the page as shown, not in the stored image's pixels.
	OCRShown bool
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
	// FieldSources says how each ID number and credit code was obtained (extract.SourceClean,
	// SourceRepaired, SourceReread, SourceConfirmed, SourceWindow).
	FieldSources map[string]string
	Applicant    string // who applies, as this document names them (extract.Applicant)
	Matter       string // the matter applied for, as this document names it
	// Rotations are the pages a person turned (upload page index → clockwise degrees); the
	// PDF shows them turned; classification and fields use the text as OCR read it.
	Rotations map[int]int
}

// caseFactPriority orders document types by how much their word on the applicant and the
// matter counts: the application form first, the forms written for the application next,
// certificates last. Types not listed (a hall's own) come after these.
var caseFactPriority = []string{"application_form", "commitment_letter", "power_of_attorney", "business_license",
	"id_card", "property_certificate", "household_register", "articles_of_association", "foreign_document"}

// CaseFacts is the applicant and the matter of a case, from the document whose type speaks
// for the case most directly and names them.
func CaseFacts(docs []Document) (applicant, matter string) {
	rank := func(typ string) int {
		for i, t := range caseFactPriority {
			if t == typ {
				return i
			}
		}
		return len(caseFactPriority)
	}
	bestA, bestM := len(caseFactPriority)+1, len(caseFactPriority)+1
	for _, d := range docs {
		r := rank(d.Type)
		if d.Applicant != "" && r < bestA {
			applicant, bestA = d.Applicant, r
		}
		if d.Matter != "" && r < bestM {
			matter, bestM = d.Matter, r
		}
	}
	return applicant, matter
}

// Planner plans documents with a taxonomy and an optional learned model.
type Planner struct {
	tax             *classify.Taxonomy
	cls             *classify.Classifier
	reviewThreshold float64
	// Stages, if set, is told how long splitting, classifying and extracting took.
	Stages pipeline.StageObserver
}

// NewPlanner uses tax (nil: the default taxonomy) and model (nil: rules only). Documents
// classified below reviewThreshold (0 or less: classify.DefaultReviewThreshold) are marked
// for review.
func NewPlanner(tax *classify.Taxonomy, model *classify.Model, reviewThreshold float64) *Planner {
	if tax == nil {
		tax = classify.Default()
	}
	if reviewThreshold <= 0 {
		// An unset threshold must not file every guess as certain.
		reviewThreshold = classify.DefaultReviewThreshold
	}
	return &Planner{tax: tax, cls: classify.New(tax, model), reviewThreshold: reviewThreshold}
}

// Plan groups the kept pages into documents.
func (p *Planner) Plan(pages []Page) []Document { return p.PlanInCase(pages, nil) }

// PlanInCase is Plan for a batch of a case that holds the codes filed (in other batches, or
// typed at the window, extract.SourceWindow): a near miss of one of them is taken as that
// code (extract.Confirm).
func (p *Planner) PlanInCase(pages []Page, filed []extract.Code) []Document {
	var kept []split.Page
	var index []int
	afterSeparator := false
	for _, pg := range pages {
		switch pg.Dropped {
		case DropSeparator:
			afterSeparator = true
			continue
		case DropBlank:
			continue
		}
		sp := split.Page{AfterSeparator: afterSeparator}
		if pg.OCR != nil {
			sp.Text, sp.Words, sp.Width, sp.Height = pg.OCR.Text, pg.OCR.Words, pg.OCR.Width, pg.OCR.Height
		}
		kept = append(kept, sp)
		index = append(index, pg.Index)
		afterSeparator = false
	}
	var docs []Document
	var fields []*extract.Result
	splitDone := pipeline.Timed(p.Stages, pipeline.StageSplit)
	groups := split.Pages(kept, p.tax, split.Options{})
	splitDone()
	for _, group := range groups {
		idx := make([]int, len(group))
		texts := make([]string, len(group))
		for i, k := range group {
			idx[i] = index[k]
			texts[i] = kept[k].Text
		}
		d, f := p.document(idx, texts, rereadings(pages, idx), "")
		d.NeedsReview = d.NeedsReview || anyDark(pages, idx)
		docs, fields = append(docs, d), append(fields, f)
	}
	confirm(docs, fields, filed)
	return docs
}

// anyDark reports whether one of the pages idx is dark all over.
func anyDark(pages []Page, idx []int) bool {
	for _, i := range idx {
		if i >= 0 && i < len(pages) && pages[i].Dark {
			return true
		}
	}
	return false
}

// rereadings collects the codes page OCR read again from the images of a document's pages.
func rereadings(pages []Page, idx []int) []pipeline.FieldReading {
	var out []pipeline.FieldReading
	for _, i := range idx {
		if i >= 0 && i < len(pages) && pages[i].OCR != nil {
			out = append(out, pages[i].OCR.Reread...)
		}
	}
	return out
}

// candidates is the field that holds the candidates of field's values: codes no reading
// settled and nothing in the case confirmed (extract.Uncertain), never filed as its values.
func candidates(field string) string {
	f, _ := fields.Lookup(field)
	return f.Candidates
}

// confirm lets a code read on one document of the batch, or filed for the case before, confirm
// a guess or near miss of the same code on another, and files each document's codes with how
// they were obtained. A document left with candidates goes to review.
func confirm(docs []Document, fields []*extract.Result, filed []extract.Code) {
	extract.Confirm(fields, filed)
	for i, f := range fields {
		d := &docs[i]
		for _, fd := range extract.Finders {
			if fd.Code != "" {
				d.Fields[fd.Field] = f.Codes(fd.Code)
			}
		}
		d.FieldSources = f.Sources
		for _, u := range f.Uncertain {
			key := candidates(extract.CodeField(u.Kind))
			for _, c := range u.Candidates {
				if !slices.Contains(d.Fields[key], c) {
					d.Fields[key] = append(d.Fields[key], c)
				}
				d.FieldSources[c] = extract.SourceUncertain
			}
			d.NeedsReview = true
		}
	}
}

// Group is a document as a person grouped it: upload page indexes in reading order and, if
// they said, its type.
type Group struct {
	Pages []int
	Type  string
	// Fields are values a reviewer typed, by field (fields.IDNumbers, ...): each field given
	// replaces what was read, with the source extract.SourceReviewer.
	Fields map[string][]string
	// Rotations turn pages clockwise (upload page index → degrees); carried to the plan.
	Rotations map[int]int
}

// PlanGroups plans the documents a person grouped, from any pages of the batch (dropped ones
// included; pages[i].Index must be i). A stated type is taken as certain and needs no review;
// a group without one is classified as Plan would. Fields and titles come from the text;
// filed are the codes the case filed in other batches (PlanInCase).
func (p *Planner) PlanGroups(pages []Page, groups []Group, filed []extract.Code) []Document {
	docs := make([]Document, 0, len(groups))
	fields := make([]*extract.Result, 0, len(groups))
	for _, g := range groups {
		texts := make([]string, len(g.Pages))
		for i, idx := range g.Pages {
			if idx >= 0 && idx < len(pages) && pages[idx].OCR != nil {
				texts[i] = pages[idx].OCR.Text
			}
		}
		d, f := p.document(append([]int(nil), g.Pages...), texts, rereadings(pages, g.Pages), g.Type)
		docs, fields = append(docs, d), append(fields, f)
	}
	confirm(docs, fields, filed)
	for i, g := range groups {
		for pg, deg := range g.Rotations {
			if deg%360 != 0 && slices.Contains(g.Pages, pg) {
				if docs[i].Rotations == nil {
					docs[i].Rotations = map[int]int{}
				}
				docs[i].Rotations[pg] = deg % 360
			}
		}
		for kind, values := range g.Fields {
			if docs[i].FieldSources == nil {
				docs[i].FieldSources = map[string]string{}
			}
			for _, v := range append(docs[i].Fields[kind], docs[i].Fields[candidates(kind)]...) {
				delete(docs[i].FieldSources, v)
			}
			delete(docs[i].Fields, candidates(kind))
			docs[i].Fields[kind] = append([]string{}, values...)
			for _, v := range values {
				docs[i].FieldSources[v] = extract.SourceReviewer
			}
		}
	}
	return docs
}

// KnownType reports whether typ is a type of the planner's taxonomy.
func (p *Planner) KnownType(typ string) bool {
	for _, n := range p.tax.Names() {
		if n == typ {
			return true
		}
	}
	return false
}

// document classifies (unless typ is given) and extracts one document's fields, taking in
// the codes its pages' images were read again for.
func (p *Planner) document(pages []int, texts []string, reads []pipeline.FieldReading, typ string) (Document, *extract.Result) {
	d := Document{Pages: pages}
	text := strings.Join(texts, "\n")
	if typ == "" {
		classified := pipeline.Timed(p.Stages, pipeline.StageClassify)
		d.Type, d.Confidence = p.cls.Classify(text)
		classified()
		d.NeedsReview = classify.NeedsReview(d.Confidence, p.reviewThreshold)
	} else {
		d.Type, d.Confidence = typ, 1
	}
	d.TypeName = p.tax.Label(d.Type)
	if len(texts) > 0 {
		d.Title = firstLine(texts[0])
	}
	defer pipeline.Timed(p.Stages, pipeline.StageExtract)()
	f := extract.Fields(text)
	for _, r := range reads {
		f.AddReading(r.Kind, r.Raw, r.Value, r.Agreed)
	}
	d.Fields = f.Values()
	d.Applicant, d.Matter = extract.Applicant(text), extract.Matter(text)
	return d, &f
}

// firstLine is a document's title as printed: its first non-empty line, without spaces
// that OCR put between Chinese characters.
func firstLine(text string) string {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if r := []rune(line); len(r) > 40 {
			line = string(r[:40])
		}
		return line
	}
	return ""
}
