package assemble

import (
	"testing"

	"onewindow/pipeline"
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
