package pages

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"image"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"onewindow/pipeline"
)

// PDFs of the kinds readers' test suites hold (testdata/pdf, made as its README says), each
// with its expected outcome: the pages and their images, the text a born-digital page keeps,
// the notes for the record, or the refusal.
func TestPDFFixtures(t *testing.T) {
	for _, tool := range []string{PdftoppmPath, PdfinfoPath, PdfimagesPath, PdftotextPath} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	const a4w, a4h = 2480, 3509 // A4 at 300 dpi
	tests := []struct {
		file    string
		want    error  // refusal; the rest is then unused
		modes   string // per page: J passed-through JPEG, D decoded image, R rendered
		w, h    int    // first page's image
		text    bool   // born digital: every page keeps its own words (born-digital.pdf's unless textOf)
		textOf  string
		note    string // one of Notes
		problem string // the clerk's sentence for a refusal contains this
	}{
		{file: "born-digital.pdf", modes: "RR", w: a4w, h: a4h, text: true},
		{file: "statement.pdf", modes: "R", w: a4w, h: a4h, text: true, textOf: "statement.pdf"}, // grey 5 pt print OCR misses
		{file: "rotated.pdf", modes: "RR", w: a4h, h: a4w, text: true},
		{file: "mixed.pdf", modes: "R", w: a4w, h: a4h}, // a picture over a third of it: OCR reads all
		{file: "owner-restricted.pdf", modes: "RR", w: a4w, h: a4h, text: true, note: "owner-password protected, printing and copying restricted"},
		{file: "owner-rc4.pdf", modes: "D", w: 620, h: 877, note: "owner-password protected, printing and changing restricted"},
		{file: "user-password.pdf", want: ErrEncrypted, problem: "needs a password"},
		{file: "damaged-object.pdf", modes: "RR", w: a4w, h: a4h, text: true, note: NoteRepaired},
		{file: "damaged-no-xref.pdf", modes: "RR", w: a4w, h: a4h, text: true, note: NoteRepaired},
		{file: "damaged-truncated.pdf", modes: "RR", w: a4w, h: a4h, text: true, note: NoteRepaired},
		{file: "cut-in-header.pdf", want: ErrCorrupt, problem: "Page 1 of the file has lost part of its text"},
		{file: "damaged-beyond-repair.pdf", want: ErrCorrupt, problem: "no PDF reader can open it"},
		{file: "jpx.pdf", modes: "R", w: 1938, h: 2741},
		{file: "jbig2.pdf", modes: "R", w: a4w, h: a4h},
		{file: "ccitt.pdf", modes: "D", w: 620, h: 877},
		{file: "flate.pdf", modes: "D", w: 620, h: 877},
		{file: "jpeg-cmyk.pdf", modes: "R", w: 1938, h: 2741},
		{file: "inline.pdf", modes: "R", w: a4w, h: a4h},
		{file: "masked.pdf", modes: "R", w: a4w, h: a4h},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data := readTestdata(t, "pdf/"+tt.file)
			src, err := Open(ctx, data, Limits{})
			if tt.want != nil {
				var p *Problem
				if !errors.Is(err, tt.want) || !errors.As(err, &p) || !strings.Contains(p.Sentence(), tt.problem) {
					t.Fatalf("Open: %v, want %v explained as %q", err, tt.want, tt.problem)
				}
				t.Logf("%s", p.Sentence())
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer src.Close()
			// The born-digital fixtures but one are made from born-digital.pdf.
			original := readTestdata(t, "pdf/"+cmp.Or(tt.textOf, "born-digital.pdf"))
			if got := pdfModes(src); got != tt.modes {
				t.Errorf("pages %q, want %q", got, tt.modes)
			}
			if notes := Notes(src); (tt.note == "") != (len(notes) == 0) || (tt.note != "" && !slices.Contains(notes, tt.note)) {
				t.Errorf("notes %q, want %q", notes, tt.note)
			}
			for i := range src.Len() {
				p, err := src.Page(ctx, i)
				if err != nil {
					t.Fatalf("page %d: %v", i, err)
				}
				if i == 0 && (p.Width != tt.w || p.Height != tt.h) {
					t.Errorf("page 0 is %dx%d, want %dx%d", p.Width, p.Height, tt.w, tt.h)
				}
				g, err := DecodeGrayDownscaled(p, 0)
				if err != nil {
					t.Fatalf("page %d: decode: %v", i, err)
				}
				if !hasInk(g, g.Rect) || !paper(g) {
					t.Errorf("page %d is blank, or dark as a negative", i)
				}
				if tt.text != (p.Text != nil) {
					t.Fatalf("page %d: text layer %v, want %v", i, p.Text != nil, tt.text)
				}
				if p.Text != nil {
					checkTextLayer(t, i, p, g, pdftotextWords(t, original, i))
				}
			}
		})
	}
}

func pdfModes(src Source) string {
	var b strings.Builder
	for _, p := range src.(*pdfSource).pages {
		b.WriteByte("JDR"[p.mode])
	}
	return b.String()
}

// checkTextLayer: the page keeps every word pdftotext reads from the file, each boxed where
// the rendered page shows ink.
func checkTextLayer(t *testing.T, i int, p pipeline.PageImage, g *image.Gray, want []string) {
	t.Helper()
	got := strings.Fields(p.Text.Text)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("page %d: %d words kept of %d:\n%q\nwant\n%q", i, len(got), len(want), got, want)
	}
	if p.Text.Width != p.Width || p.Text.Height != p.Height {
		t.Errorf("page %d: words measured on %dx%d, image %dx%d", i, p.Text.Width, p.Text.Height, p.Width, p.Height)
	}
	inked := 0
	for _, w := range p.Text.Words {
		if hasInk(g, w.Box) {
			inked++
		}
	}
	if inked < len(p.Text.Words)*95/100 {
		t.Errorf("page %d: only %d of %d word boxes hold ink", i, inked, len(p.Text.Words))
	}
}

// hasInk reports whether r holds a pixel of g darker than paper (grey print counts).
func hasInk(g *image.Gray, r image.Rectangle) bool {
	r = r.Intersect(g.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g.Pix[y*g.Stride+x] < 200 {
				return true
			}
		}
	}
	return false
}

// paper reports whether g is mostly light, as a page is.
func paper(g *image.Gray) bool {
	var sum int
	for _, v := range g.Pix {
		sum += int(v)
	}
	return sum > 160*len(g.Pix)
}

// pdftotextWords is page i's text as poppler reads it from the file.
func pdftotextWords(t *testing.T, data []byte, i int) []string {
	t.Helper()
	r := &renderer{data: data}
	defer r.close()
	path, err := r.file()
	if err != nil {
		t.Fatal(err)
	}
	n := strconv.Itoa(i + 1)
	out, err := exec.Command(PdftotextPath, "-f", n, "-l", n, path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Fields(string(out))
}

// The words of a -bbox-layout page land on the rendered page's pixels, turned with the page.
func TestParseBBoxLayout(t *testing.T) {
	const layout = `<doc><page width="600.000000" height="800.000000"><flow><block>
<line><word xMin="60" yMin="80" xMax="120" yMax="100">Hello</word><word xMin="130" yMin="80" xMax="200" yMax="100">world,</word></line>
<line><word xMin="60" yMin="120" xMax="100" yMax="140">名称</word><word xMin="100" yMin="120" xMax="140" yMax="140">：甲</word></line>
</block><block><line><word xMin="60" yMin="700" xMax="300" yMax="720">0123456789 A&amp;B</word></line></block></flow></page></doc>`
	page := parseBBoxLayout([]byte(layout), 1200, 1600)
	if page == nil {
		t.Fatal("no text")
	}
	if want := "Hello world,\n名称：甲\n0123456789 A&B"; page.Text != want {
		t.Errorf("text %q, want %q", page.Text, want)
	}
	if got, want := page.Words[0].Box, image.Rect(120, 160, 240, 200); got != want {
		t.Errorf("first box %v, want %v", got, want)
	}
	// The same page drawn turned by /Rotate 90: pdftotext keeps the page size unturned.
	turned := parseBBoxLayout([]byte(strings.ReplaceAll(layout, `xMin="60" yMin="80" xMax="120" yMax="100"`, `xMin="700" yMin="60" xMax="720" yMax="120"`)), 1600, 1200)
	if got, want := turned.Words[0].Box, image.Rect(1400, 120, 1440, 240); got != want {
		t.Errorf("turned page: first box %v, want %v", got, want)
	}
	for name, doc := range map[string]string{
		"a page number only": `<page width="600" height="800"><word xMin="1" yMin="1" xMax="2" yMax="2">12</word></page>`,
		"undecodable glyphs": `<page width="600" height="800"><word xMin="1" yMin="1" xMax="2" yMax="2">` + strings.Repeat("\uFFFDab", 20) + `</word></page>`,
		"not xml":            "\x00\x01",
	} {
		if page := parseBBoxLayout([]byte(doc), 100, 100); page != nil {
			t.Errorf("%s: kept as a text layer: %q", name, page.Text)
		}
	}
}

// What an owner password forbids, in words, from pdfcpu's flags and from pdfinfo alike.
func TestRestrictions(t *testing.T) {
	const all = -4 // every permission bit set, as qpdf writes "allow everything"
	for _, tt := range []struct {
		got, want string
	}{
		{restrictionsOfFlags(all), "owner-password protected, nothing restricted"},
		{restrictionsOfFlags(all &^ 4), "owner-password protected, printing restricted"},
		{restrictionsOfFlags(all &^ (4 | 16 | 8)), "owner-password protected, printing, copying and changing restricted"},
		{restrictionsOfPdfinfo("yes (print:no copy:no change:yes addNotes:yes algorithm:AES-256)"), "owner-password protected, printing and copying restricted"},
		{restrictionsOfPdfinfo(""), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("%q, want %q", tt.got, tt.want)
		}
	}
}

// A PDF with only an owner password gives the very JPEGs of the unprotected scan, decrypted.
func TestOwnerPasswordScanPassesThrough(t *testing.T) {
	ctx := context.Background()
	plain := mustOpen(t, readTestdata(t, "scan3.pdf"), KindPDF, 3)
	locked := mustOpen(t, readTestdata(t, "encrypted-owner.pdf"), KindPDF, 3)
	if got := pdfModes(locked); got != "JJJ" {
		t.Errorf("pages %q, want JJJ", got)
	}
	if notes := Notes(locked); len(notes) != 1 || !strings.HasPrefix(notes[0], "owner-password protected") {
		t.Errorf("notes %q", notes)
	}
	for i := range 3 {
		a, errA := plain.Page(ctx, i)
		b, errB := locked.Page(ctx, i)
		if errA != nil || errB != nil || !bytes.Equal(a.Data, b.Data) {
			t.Errorf("page %d differs from the unprotected scan (%v, %v)", i, errA, errB)
		}
	}
}

// A scan cut off inside its last image is read by repair, poppler drawing what is left, and
// says so for the record.
func TestCutScanFiledWithNote(t *testing.T) {
	if _, err := exec.LookPath(PdfinfoPath); err != nil {
		t.Skip("poppler not installed")
	}
	scan := readTestdata(t, "scan3.pdf")
	src, err := Open(context.Background(), scan[:bytes.LastIndex(scan, []byte("endstream"))-100], Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if got := pdfModes(src); got != "RRR" || !slices.Contains(Notes(src), NoteRepaired) {
		t.Errorf("pages %q, notes %q", got, Notes(src))
	}
	if _, err := src.Page(context.Background(), 2); err != nil {
		t.Errorf("last page: %v", err)
	}
}

// Intake's active-content check does not refuse a damaged PDF that Open reads by repair; it
// looks for the names in the file's bytes instead.
func TestActiveContentOfDamagedPDF(t *testing.T) {
	ctx := context.Background()
	data := readTestdata(t, "pdf/damaged-object.pdf")
	if found, err := ActiveContent(ctx, data); err != nil || found != nil {
		t.Errorf("ActiveContent = %q, %v; want nothing", found, err)
	}
	withScript := append(bytes.Clone(data), "\n99 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"...)
	if found, err := ActiveContent(ctx, withScript); err != nil || !slices.Equal(found, []string{ActiveJavaScript}) {
		t.Errorf("ActiveContent = %q, %v; want javascript", found, err)
	}
}

// A PDF whose header lies past the first kilobyte, or is lost, is a PDF still: poppler reads it.
func TestPDFWithoutHeaderAtStart(t *testing.T) {
	if _, err := exec.LookPath(PdfinfoPath); err != nil {
		t.Skip("poppler not installed")
	}
	pdf := readTestdata(t, "pdf/born-digital.pdf")
	for name, data := range map[string][]byte{
		"2 KB of junk first": append(bytes.Repeat([]byte("X"), 2048), pdf...),
		"header lost":        pdf[bytes.IndexByte(pdf, '\n')+1:],
	} {
		if kind, err := Sniff(data[:SniffLen]); kind != KindPDF {
			t.Errorf("%s: Sniff = %q, %v", name, kind, err)
			continue
		}
		src, err := Open(context.Background(), data, Limits{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if src.Len() != 2 {
			t.Errorf("%s: %d pages, want 2", name, src.Len())
		}
		src.Close()
	}
}
