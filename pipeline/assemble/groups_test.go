package assemble

import (
	"testing"

	"onewindow/pipeline"
	"onewindow/pipeline/classify"
)

func TestPlanGroupsTakesStatedTypes(t *testing.T) {
	page := func(i int, text string) Page { return Page{Index: i, OCR: &pipeline.OCRPage{Text: text}} }
	pages := []Page{
		page(0, "授权委托书\n委托人：杨佳 身份证号码：220103198909195957"),
		{Index: 1, Dropped: DropSeparator},
		page(2, "营业执照\n统一社会信用代码 名称 法定代表人"),
	}
	p := NewPlanner(nil, nil, 0.6)
	if !p.KnownType("business_license") || p.KnownType("passport") {
		t.Error("KnownType does not follow the taxonomy")
	}
	docs := p.PlanGroups(pages, []Group{{Pages: []int{2, 1, 0}, Type: "id_card"}, {Pages: []int{}}}, nil)
	if len(docs) != 2 {
		t.Fatalf("%d documents", len(docs))
	}
	d := docs[0]
	if d.Type != "id_card" || d.Confidence != 1 || d.NeedsReview || d.TypeName == "id_card" {
		t.Errorf("stated type: %+v", d)
	}
	if d.Title != "营业执照" || len(d.Pages) != 3 || d.Pages[0] != 2 {
		t.Errorf("title %q pages %v: pages keep the person's order", d.Title, d.Pages)
	}
	if len(d.Fields["id_numbers"]) != 1 {
		t.Errorf("fields: %v", d.Fields)
	}
	got := p.PlanGroups(pages, []Group{{Pages: []int{2}}}, nil)[0]
	if got.Type != "business_license" {
		t.Errorf("a group without a type is classified: %+v", got)
	}
}

// Every path that types a document by classifying it sends a type below the review threshold
// to review; only a type a person stated is certain without one.
func TestLowConfidenceGoesToReview(t *testing.T) {
	page := func(i int, text string) Page { return Page{Index: i, OCR: &pipeline.OCRPage{Text: text}} }
	// Nothing a rule knows: every type about as likely.
	vague := []Page{page(0, "本页内容\n见上页所述")}
	tests := []struct {
		name      string
		threshold float64
		plan      func(p *Planner) []Document
		review    bool
	}{
		{"plan", 0.6, func(p *Planner) []Document { return p.Plan(vague) }, true},
		{"plan in case", 0.6, func(p *Planner) []Document { return p.PlanInCase(vague, nil) }, true},
		{"group without a type", 0.6, func(p *Planner) []Document { return p.PlanGroups(vague, []Group{{Pages: []int{0}}}, nil) }, true},
		{"unset threshold", 0, func(p *Planner) []Document { return p.Plan(vague) }, true},
		{"type a person stated", 0.6, func(p *Planner) []Document {
			return p.PlanGroups(vague, []Group{{Pages: []int{0}, Type: "commitment_letter"}}, nil)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := tt.plan(NewPlanner(nil, nil, tt.threshold))
			if len(docs) != 1 {
				t.Fatalf("%d documents", len(docs))
			}
			if d := docs[0]; d.NeedsReview != tt.review || !d.NeedsReview && d.Confidence < classify.DefaultReviewThreshold {
				t.Errorf("%s at %.2f: needs review %v, want %v", d.Type, d.Confidence, d.NeedsReview, tt.review)
			}
		})
	}
}

// A person's turns reach the plan for the PDF: a turn of 0 is no turn, and a turn of a page
// outside the group is not the group's.
func TestPlanGroupsCarriesRotations(t *testing.T) {
	pages := []Page{{Index: 0, OCR: &pipeline.OCRPage{Text: "营业执照"}}, {Index: 1, OCR: &pipeline.OCRPage{Text: "名称"}}}
	p := NewPlanner(nil, nil, 0.6)
	docs := p.PlanGroups(pages, []Group{{Pages: []int{0, 1}, Rotations: map[int]int{0: 0, 1: 270, 5: 90}}, {Pages: []int{}}}, nil)
	if r := docs[0].Rotations; len(r) != 1 || r[1] != 270 {
		t.Errorf("rotations planned: %v, want page 1 at 270", r)
	}
	if docs[1].Rotations != nil {
		t.Errorf("a group without turns plans %v", docs[1].Rotations)
	}
}
