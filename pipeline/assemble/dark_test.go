package assemble

import (
	"testing"

	"onewindow/pipeline"
)

// A page dark all over is kept, and the document holding it waits for a person.
func TestDarkPageGoesToReview(t *testing.T) {
	form := &pipeline.OCRPage{Text: "营业执照\n统一社会信用代码 91220101MA17XJ1234\n名称 吉林省长白山食品有限公司"}
	p := NewPlanner(nil, nil, 0.6)
	for _, tc := range []struct {
		name string
		dark bool
	}{{"paper", false}, {"dark", true}} {
		docs := p.Plan([]Page{{Index: 0, OCR: form, Dark: tc.dark}, {Index: 1, Dropped: DropSeparator}, {Index: 2, OCR: form}})
		if len(docs) != 2 {
			t.Fatalf("%s: %d documents, want 2", tc.name, len(docs))
		}
		if docs[0].NeedsReview != tc.dark || docs[1].NeedsReview {
			t.Errorf("%s: needs review %v, %v; want %v, false", tc.name, docs[0].NeedsReview, docs[1].NeedsReview, tc.dark)
		}
	}
}
