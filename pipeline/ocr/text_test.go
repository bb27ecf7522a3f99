package ocr

import (
	"image"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/otiai10/gosseract/v2"

	"onewindow/pipeline"
)

func TestJoinLines(t *testing.T) {
	w := func(text string, line int) pipeline.Word {
		return pipeline.Word{Text: text, Block: 1, Par: 1, Line: line}
	}
	for _, tc := range []struct {
		name  string
		words []pipeline.Word
		want  string
	}{
		{"empty", nil, ""},
		{"latin words spaced", []pipeline.Word{w("Company", 1), w("name:", 1), w("Harbor", 1)}, "Company name: Harbor"},
		{"han characters run together", []pipeline.Word{w("身", 1), w("份证", 1), w("号码", 1)}, "身份证号码"},
		{"han next to digits", []pipeline.Word{w("号码：", 1), w("2224", 1), w("吉林省", 1)}, "号码：2224吉林省"},
		{"digits and latin spaced", []pipeline.Word{w("JL2024", 1), w("Ltd.", 1)}, "JL2024 Ltd."},
		{"lines", []pipeline.Word{w("第一条", 1), w("总则", 1), w("Case", 2), w("ref", 2)}, "第一条总则\nCase ref"},
		{"new paragraph", []pipeline.Word{w("a", 1), {Text: "b", Block: 1, Par: 2, Line: 1}}, "a\nb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := joinLines(tc.words); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBuildPage(t *testing.T) {
	boxes := []gosseract.BoundingBox{
		{Box: image.Rect(10, 10, 50, 40), Word: "申请", Confidence: 90, BlockNum: 1, ParNum: 1, LineNum: 1},
		{Box: image.Rect(60, 10, 90, 40), Word: " ", Confidence: 10, BlockNum: 1, ParNum: 1, LineNum: 1},
		{Box: image.Rect(95, 10, 130, 40), Word: "人", Confidence: 80, BlockNum: 1, ParNum: 1, LineNum: 1},
		{Box: image.Rect(10, 50, 120, 90), Word: "Case", Confidence: 70, BlockNum: 1, ParNum: 1, LineNum: 2},
	}
	got := buildPage(boxes, 100, 80)
	want := pipeline.OCRPage{
		Width: 100, Height: 80, MeanConf: 80, Text: "申请人\nCase",
		Words: []pipeline.Word{
			{Text: "申请", Box: image.Rect(10, 10, 50, 40), Conf: 90, Block: 1, Par: 1, Line: 1},
			{Text: "人", Box: image.Rect(95, 10, 100, 40), Conf: 80, Block: 1, Par: 1, Line: 1},
			{Text: "Case", Box: image.Rect(10, 50, 100, 80), Conf: 70, Block: 1, Par: 1, Line: 2},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("buildPage (-want +got):\n%s", diff)
	}
}

func TestShapeOf(t *testing.T) {
	word := func(x, y, w, h, line int) pipeline.Word {
		return pipeline.Word{Text: "字字", Box: image.Rect(x, y, x+w, y+h), Block: 1, Par: 1, Line: line}
	}
	for _, tc := range []struct {
		name  string
		words []pipeline.Word
		want  pageShape
	}{
		{"horizontal", []pipeline.Word{word(0, 0, 100, 40, 1), word(110, 0, 100, 40, 1)}, pageShape{runes: 4, downward: true}},
		{"vertical downward", []pipeline.Word{word(0, 0, 40, 100, 1), word(0, 110, 40, 100, 1)}, pageShape{runes: 4, sideways: true, downward: true}},
		{"vertical upward", []pipeline.Word{word(0, 110, 40, 100, 1), word(0, 0, 40, 100, 1)}, pageShape{runes: 4, sideways: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shapeOf(tc.words); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestWidenPunctuation(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
		want []string
	}{
		{"colon after han", []string{"号码:", "2224"}, []string{"号码：", "2224"}},
		{"colon before han across words", []string{"a", ":", "名"}, []string{"a", "：", "名"}},
		{"brackets around han", []string{"(盖章)"}, []string{"（盖章）"}},
		{"latin untouched", []string{"name:", "Harbor", "(Ltd.)"}, []string{"name:", "Harbor", "(Ltd.)"}},
		{"digits untouched", []string{"3,5"}, []string{"3,5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var line []pipeline.Word
			for _, s := range tc.in {
				line = append(line, pipeline.Word{Text: s})
			}
			widenPunctuation(line)
			var got []string
			for _, w := range line {
				got = append(got, w.Text)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSortBlocks(t *testing.T) {
	w := func(text string, block, x, y int) pipeline.Word {
		return pipeline.Word{Text: text, Block: block, Par: 1, Line: 1, Box: image.Rect(x, y, x+100, y+40)}
	}
	for _, tc := range []struct {
		name  string
		words []pipeline.Word
		want  string
	}{
		{"in order", []pipeline.Word{w("a", 1, 0, 0), w("b", 2, 0, 100)}, "a\nb"},
		{"block listed late", []pipeline.Word{w("b", 1, 0, 100), w("c", 2, 0, 200), w("a", 3, 0, 0)}, "a\nb\nc"},
		{"side by side", []pipeline.Word{w("right", 1, 500, 5), w("left", 2, 0, 0)}, "left\nright"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sortBlocks(tc.words)
			if got := joinLines(tc.words); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
