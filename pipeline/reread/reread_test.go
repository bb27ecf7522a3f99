package reread

import (
	"context"
	"image"
	"testing"

	"onewindow/pipeline"
)

// fakeReader answers every region with the same reading and counts the calls.
type fakeReader struct {
	text  string
	calls int
}

func (f *fakeReader) ReadRegion(_ pipeline.PageImage, _ image.Rectangle, _ Scan, _ string) (string, error) {
	f.calls++
	return f.text, nil
}

func word(text string, x0, x1 int) pipeline.Word {
	return pipeline.Word{Text: text, Box: image.Rect(x0, 100, x1, 130), Block: 1, Par: 1, Line: 1}
}

func TestPage(t *testing.T) {
	tests := []struct {
		name      string
		words     []pipeline.Word
		read      string
		wantCalls int
		want      []string
	}{
		{"clean code: no re-reading", []pipeline.Word{word("统一社会信用代码：", 10, 300), word("91220106GDEB84BK8E", 310, 700)}, "", 0, nil},
		// Two scales read it alike: agreed, no third reading.
		{"misread code re-read", []pipeline.Word{word("统一社会信用代码：", 10, 300), word("91220106GDEBS4BKSE", 310, 700)},
			"91220106GDEB84BK8E", 2, []string{"91220106GDEB84BK8E"}},
		// The page's own reading validates only as a guess (B for 8 or not): read again.
		{"guessed code re-read", []pipeline.Word{word("统一社会信用代码：", 10, 300), word("912202044N0DRTUB8H", 310, 700)},
			"912202044N0DRTU88H", 2, []string{"912202044N0DRTU88H"}},
		// Nothing that validates in the first readings: the rest are not read.
		{"re-read that does not validate dropped", []pipeline.Word{word("统一社会信用代码：", 10, 300), word("91220106GDEBS4BKSE", 310, 700)},
			"91220106GDEBS4BKSE", hopeless, nil},
		{"no label: nothing read", []pipeline.Word{word("编号", 10, 60), word("91220106GDEBS4BKSE", 310, 700)}, "", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := pipeline.OCRPage{Width: 1000, Height: 1400, Words: tc.words}
			r := &fakeReader{text: tc.read}
			if err := Page(context.Background(), &page, pipeline.PageImage{}, r); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fr := range page.Reread {
				got = append(got, fr.Value)
				if !fr.Agreed || fr.Raw == "" {
					t.Errorf("reading %+v: want agreed, with the page's reading", fr)
				}
				if !fr.Box.In(image.Rect(0, 0, 1000, 1400)) || fr.Box.Min.X > 310 || fr.Box.Max.X < 700 {
					t.Errorf("region %v does not cover the code", fr.Box)
				}
			}
			if r.calls != tc.wantCalls || len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Fatalf("calls %d, readings %v; want %d, %v", r.calls, got, tc.wantCalls, tc.want)
			}
		})
	}
}

// A speck touching one word of the code does not make the crop taller than the line.
func TestRegionHeight(t *testing.T) {
	speck := word("8", 710, 740)
	speck.Box.Min.Y = 40
	page := pipeline.OCRPage{Width: 1000, Height: 1400, Words: []pipeline.Word{word("统一社会信用代码：", 10, 300),
		word("91220106GDEBS4BKS", 310, 700), speck}}
	regs := Regions(page)
	if len(regs) != 1 {
		t.Fatalf("regions %v", regs)
	}
	if b := regs[0].Box; b.Min.Y < 90 || b.Max.Y > 140 || b.Max.X < 740 {
		t.Errorf("region %v: want the line's height (100-130) and the speck's width", b)
	}
}

// A form that prints the code under its label: the region is the code's line.
func TestRegionUnderItsLabel(t *testing.T) {
	code := word("91220106GDEBS4BKSE", 40, 430)
	code.Line, code.Box.Min.Y, code.Box.Max.Y = 2, 150, 180
	page := pipeline.OCRPage{Width: 1000, Height: 1400, Words: []pipeline.Word{word("统一社会信用代码：", 10, 300), code}}
	regs := Regions(page)
	if len(regs) != 1 || regs[0].Raw != "91220106GDEBS4BKSE" {
		t.Fatalf("regions %v", regs)
	}
	if b := regs[0].Box; b.Min.Y < 135 || b.Max.Y > 195 || b.Min.X > 40 || b.Max.X < 430 {
		t.Errorf("region %v: want the code's line (150-180, 40-430)", b)
	}
	// A label inside its line does not reach the line below.
	other := word("王伟", 310, 360)
	page.Words = []pipeline.Word{word("统一社会信用代码：", 10, 300), other, code}
	if regs := Regions(page); len(regs) != 0 {
		t.Errorf("regions %v, want none", regs)
	}
}

// A code labelled on its own line is one region, however the line before ends.
func TestRegionOnce(t *testing.T) {
	title := word("营业执照", 10, 300)
	title.Line, title.Box.Min.Y, title.Box.Max.Y = 0, 50, 80
	page := pipeline.OCRPage{Width: 1000, Height: 1400, Words: []pipeline.Word{title,
		word("统一社会信用代码：", 10, 300), word("91220106GDEBS4BKSE", 310, 700)}}
	if regs := Regions(page); len(regs) != 1 {
		t.Fatalf("regions %v, want one", regs)
	}
}
