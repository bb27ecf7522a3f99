package assemble

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"onewindow/internal/fields"
	"onewindow/pipeline"
	"onewindow/pipeline/extract"
)

func TestFieldSources(t *testing.T) {
	const id, uscc = "220103198909195957", "91220102QFWNB571XW"
	page := func(i int, text string, reread ...pipeline.FieldReading) Page {
		return Page{Index: i, OCR: &pipeline.OCRPage{Text: text, Reread: reread}}
	}
	pages := []Page{
		page(0, "营业执照\n统一社会信用代码 "+uscc+"\n法定代表人身份证号码："+id),
		// The same credit code two characters off and the ID one off: confirmed by the licence.
		page(1, "授权委托书\n统一社会信用代码：91220102QFWNB57IXX\n身份证号码：220103198909195958",
			pipeline.FieldReading{Kind: extract.KindID, Value: "220102198404222247", Agreed: true}),
		// A credit code chosen among readings (B for 8), and a reread one scale alone read:
		// candidates, and the document goes to review.
		page(2, "承诺书\n统一社会信用代码：912202044N0DRTUB8H",
			pipeline.FieldReading{Kind: extract.KindID, Raw: "1101051949123100", Value: "11010519491231002X"}),
	}
	p := NewPlanner(nil, nil, 0.6)
	docs := p.Plan(pages)
	want := []map[string]string{
		{uscc: extract.SourceClean, id: extract.SourceClean},
		{uscc: extract.SourceConfirmed, id: extract.SourceConfirmed, "220102198404222247": extract.SourceReread},
		{"912202044N0DRTU88H": extract.SourceUncertain, "11010519491231002X": extract.SourceUncertain},
	}
	if len(docs) != len(want) {
		t.Fatalf("%d documents, want %d", len(docs), len(want))
	}
	for i, d := range docs {
		if diff := cmp.Diff(want[i], d.FieldSources); diff != "" {
			t.Errorf("document %d sources (-want +got):\n%s", i, diff)
		}
	}
	uncertain := docs[2]
	if len(uncertain.Fields["uscc"])+len(uncertain.Fields["id_numbers"]) != 0 || !uncertain.NeedsReview ||
		len(uncertain.Fields[candidates(fields.USCC)]) != 1 || len(uncertain.Fields[candidates(fields.IDNumbers)]) != 1 {
		t.Errorf("candidates filed as values or not sent to review: %+v", uncertain)
	}
	// A reviewer's values replace what was read for their kind.
	docs = p.PlanGroups(pages, []Group{{Pages: []int{1}, Fields: map[string][]string{"id_numbers": {id}}}}, nil)
	if diff := cmp.Diff(map[string]string{id: extract.SourceReviewer}, docs[0].FieldSources); diff != "" {
		t.Errorf("reviewed sources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{id}, docs[0].Fields["id_numbers"]); diff != "" {
		t.Errorf("reviewed ids (-want +got):\n%s", diff)
	}
}

// A code filed by an earlier batch of the case confirms a near miss in this one.
func TestPlanInCaseConfirmsFiledCodes(t *testing.T) {
	const uscc = "91220102QFWNB571XW"
	pages := []Page{{Index: 0, OCR: &pipeline.OCRPage{Text: "授权委托书\n统一社会信用代码：91220102QFWNB57IXX"}}}
	p := NewPlanner(nil, nil, 0.6)
	if got := p.Plan(pages)[0].Fields["uscc"]; len(got) != 0 {
		t.Fatalf("without the case's codes: %v", got)
	}
	d := p.PlanInCase(pages, []extract.Code{{Kind: extract.KindUSCC, Value: uscc}})[0]
	if diff := cmp.Diff([]string{uscc}, d.Fields["uscc"]); diff != "" {
		t.Errorf("uscc (-want +got):\n%s", diff)
	}
	if d.FieldSources[uscc] != extract.SourceConfirmed {
		t.Errorf("sources %v", d.FieldSources)
	}
}
