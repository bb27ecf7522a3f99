package assemble

import (
	"fmt"
	"testing"

	"onewindow/pipeline"
)

// Stacks at the edges: only blanks, only separators, separators first, last and in a row, and
// one long document.
func TestPlanOddStacks(t *testing.T) {
	text := func(i int) Page {
		return Page{Index: i, OCR: &pipeline.OCRPage{Text: fmt.Sprintf("第%d条 公司股东会由全体股东组成。", i+1)}}
	}
	sep := func(i int) Page { return Page{Index: i, Dropped: DropSeparator} }
	page := func(i int, text string) Page { return Page{Index: i, OCR: &pipeline.OCRPage{Text: text}} }
	const (
		formP1   = "市场主体登记申请表\n申请单位：长春某某有限公司\n申请人声明：本单位承诺所填内容真实有效，"
		formP2   = "如有虚假愿承担法律责任。\n本单位郑重承诺遵守有关规定，自愿承担相应责任。\n承诺日期：2024年6月12日"
		attorney = "授权委托书\n委托人：杨佳 身份证号码：220103198909195957\n受托人：李四"
	)
	blank := func(i int) Page { return Page{Index: i, Dropped: DropBlank} }
	long := make([]Page, 300)
	for i := range long {
		long[i] = text(i)
	}
	long[0].OCR.Text = "有限责任公司章程\n第一章 总则\n" + long[0].OCR.Text
	tests := []struct {
		name  string
		pages []Page
		want  string
	}{
		{"no pages", nil, "[]"},
		{"only blank pages", []Page{blank(0), blank(1), blank(2)}, "[]"},
		{"only separators", []Page{sep(0), sep(1)}, "[]"},
		{"separator first and last", []Page{sep(0), text(1), text(2), sep(3)}, "[[1 2]]"},
		{"two separators in a row", []Page{text(0), sep(1), sep(2), text(3)}, "[[0] [3]]"},
		{"blank between separators", []Page{text(0), sep(1), blank(2), sep(3), text(4)}, "[[0] [4]]"},
		// A dropped blank back between two pages of one document does not cut it: the page
		// after it is weighed against the page before it.
		{"blank back inside a form", []Page{page(0, formP1), blank(1), page(2, formP2), page(3, attorney)}, "[[0 2] [3]]"},
		{"blank back after a form", []Page{page(0, formP1), page(1, formP2), blank(2), page(3, attorney)}, "[[0 1] [3]]"},
	}
	p := NewPlanner(nil, nil, 0.6)
	for _, tt := range tests {
		var got [][]int
		for _, d := range p.Plan(tt.pages) {
			got = append(got, d.Pages)
		}
		if fmt.Sprint(got) != tt.want {
			t.Errorf("%s: documents %v, want %s", tt.name, got, tt.want)
		}
	}
	docs := p.Plan(long)
	if len(docs) != 1 || len(docs[0].Pages) != 300 || docs[0].Type != "articles_of_association" {
		t.Errorf("300-page articles of association: %d documents, first %d pages, type %s",
			len(docs), len(docs[0].Pages), docs[0].Type)
	}
}
