package ocr

import (
	"fmt"
	"unicode/utf8"

	"onewindow/pipeline"
)

// Orientation is checked after the first recognition instead of before it: on a corpus
// with many upside-down pages Tesseract's OSD took 100-165 ms a page (a quarter to a half
// of the page's OCR time) and still got 7 (full size) to 14 (half size) of 41 pages wrong,
// while the recognition's own word confidence separates upright pages (mean 80-95) from
// upside-down ones (18-45) at no extra cost. Only a page that reads badly pays for a
// second pass on the turned image.
const (
	// readableConf is the mean word confidence above which a page with horizontal lines
	// counts as read the right way up.
	readableConf = 60
	// flipMargin is how much better a turned page must read, when neither reads well,
	// before the turn is kept.
	flipMargin = 10
	// minOrientRunes: pages with less text than this (blank, separator sheets) are not
	// worth a second pass.
	minOrientRunes = 4
	// osdReduce shrinks the page before OSD, which only needs character shapes.
	osdReduce = 2
)

// pageShape summarises what a recognition says about the page's orientation.
type pageShape struct {
	runes    int  // recognised characters
	sideways bool // most text sits on vertical lines: Tesseract found the page turned 90°
	downward bool // along those vertical lines, words follow each other top to bottom
}

func shapeOf(words []pipeline.Word) pageShape {
	var s pageShape
	var vertical, down, up int
	forEachLine(words, func(line []pipeline.Word) {
		n := 0
		box := line[0].Box
		for _, w := range line {
			n += utf8.RuneCountInString(w.Text)
			box = box.Union(w.Box)
		}
		s.runes += n
		if n >= 2 && box.Dy() > 2*box.Dx() {
			vertical += n
			if line[len(line)-1].Box.Min.Y >= line[0].Box.Min.Y {
				down += n
			} else {
				up += n
			}
		}
	})
	s.sideways = s.runes > 0 && 2*vertical > s.runes
	s.downward = down >= up
	return s
}

// forEachLine calls fn with each run of words that share block, paragraph and line.
func forEachLine(words []pipeline.Word, fn func([]pipeline.Word)) {
	start := 0
	for i := 1; i <= len(words); i++ {
		if i == len(words) || words[i].Block != words[start].Block ||
			words[i].Par != words[start].Par || words[i].Line != words[start].Line {
			fn(words[start:i])
			start = i
		}
	}
}

// readable reports whether a recognition looks like a page read the right way up.
func readable(p pipeline.OCRPage, s pageShape) bool {
	return !s.sideways && p.MeanConf >= readableConf
}

// turnCandidates lists the clockwise turns worth a second pass, best guess first; none
// when the page already reads well or holds too little text to judge.
func (e *Engine) turnCandidates(data []byte, dpi int, p pipeline.OCRPage, s pageShape) ([]int, error) {
	if readable(p, s) {
		return nil, nil
	}
	if s.runes < minOrientRunes {
		// Read as one column, a sideways page gives next to nothing. Blank pages never get
		// here, so a page that reads as almost empty is worth asking OSD about: only a
		// sideways verdict is acted on.
		turn, ok, err := e.osdTurn(data, dpi)
		if err != nil || !ok {
			return nil, err
		}
		return []int{turn, (turn + 180) % 360}, nil
	}
	if !s.sideways {
		return []int{180}, nil
	}
	// Sideways: Tesseract read the lines rotated; OSD tells 90 from 270 well (10 of 10 on
	// turned corpus pages), unlike upright from upside down.
	turn, ok, err := e.osdTurn(data, dpi)
	if err != nil {
		return nil, err
	}
	if !ok {
		// Words running top to bottom mean the scan was turned clockwise, if Tesseract's
		// guess of the reading direction was right; the other turn is tried next.
		turn = 90
		if s.downward {
			turn = 270
		}
	}
	return []int{turn, (turn + 180) % 360}, nil
}

// better reports whether the recognition of a turned page should replace the original.
func better(turned pipeline.OCRPage, ts pageShape, orig pipeline.OCRPage, os pageShape) bool {
	if readable(turned, ts) {
		return true
	}
	return !ts.sideways && turned.MeanConf > orig.MeanConf+flipMargin
}

// osdTurn asks Tesseract's orientation detection for the clockwise turn that makes the
// page upright; ok is false when it had no verdict or only 0/180.
func (e *Engine) osdTurn(data []byte, dpi int) (turn int, ok bool, err error) {
	if e.osd == nil {
		osd, ok := newTessAPI(e.opts.TessdataPrefix, "osd")
		if !ok {
			return 0, false, fmt.Errorf("%w: osd", ErrNoEngine)
		}
		e.osd = osd
	}
	res, ok, err := e.osd.detect(data, osdReduce, dpi)
	if err != nil || !ok || (res.deg != 90 && res.deg != 270) {
		return 0, false, err
	}
	// OSD reports how far the text is turned clockwise; undo it.
	return 360 - res.deg, true, nil
}
