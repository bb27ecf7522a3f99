package ocr

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"onewindow/pipeline"
	"onewindow/pipeline/internal/edit"
)

// The corpus run compares this package with the tesseract CLI on a directory of page
// images (NAME.jpg / NAME.png). Optional sidecars: NAME.truth.txt (text, for the character
// error rate) and NAME.rotation (the clockwise turn the scan received, e.g. 180).
//
//	go test ./pipeline/ocr -run TestCorpus -v -timeout 1h -ocr.corpus DIR [-ocr.cli=false] [-ocr.limit 20]
var (
	corpusDir     = flag.String("ocr.corpus", "", "directory of page images to measure against the tesseract CLI")
	corpusCLI     = flag.Bool("ocr.cli", true, "also run the tesseract CLI on every page")
	corpusLimit   = flag.Int("ocr.limit", 0, "stop after this many pages (0: all)")
	corpusRSS     = flag.Bool("ocr.rss", false, "print resident memory after every page")
	corpusOpts    = flag.String("ocr.recycle", "", "RecycleAfter for the corpus run (default: package default)")
	corpusSkip    = flag.Bool("ocr.skiporient", false, "run without orientation detection")
	corpusLang    = flag.String("ocr.lang", "", "Tesseract languages for the corpus run (default: package default)")
	corpusCLILang = flag.String("ocr.clilang", "chi_sim+eng", "languages for the tesseract CLI")
	corpusDump    = flag.String("ocr.dump", "", "write each page's text to this directory as NAME.txt")
	corpusRepeat  = flag.Int("ocr.repeat", 1, "go through the pages this many times (memory measurements)")
	corpusOMP     = flag.Bool("ocr.openmp", false, "let Tesseract use OpenMP threads (to measure the difference)")
	// The run fails above this CER or below this share of pages turned upright. The pipeline
	// read gen.py's default corpus (--batches 10 --seed 1) at CER 0.012 with every page
	// upright (`onewindow eval`); the README of the corpus gives the CLI 0.052.
	corpusMaxCER     = flag.Float64("ocr.maxcer", 0.04, "fail when the engine's mean CER is above this")
	corpusMinUpright = flag.Float64("ocr.minupright", 0.95, "fail when fewer pages than this share are turned upright")
)

func TestCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("no -ocr.corpus directory")
	}
	var pages []string
	for _, pat := range []string{"*.jpg", "*.jpeg", "*.png"} {
		m, _ := filepath.Glob(filepath.Join(*corpusDir, pat))
		pages = append(pages, m...)
	}
	sort.Strings(pages)
	singleThreaded = !*corpusOMP
	defer func() { singleThreaded = true }()
	if *corpusLimit > 0 && len(pages) > *corpusLimit {
		pages = pages[:*corpusLimit]
	}
	for i := range *corpusRepeat - 1 {
		pages = append(pages, pages[:len(pages)/(i+1)]...)
	}
	opts := Options{}
	if *corpusOpts != "" {
		opts.RecycleAfter, _ = strconv.Atoi(*corpusOpts)
	}
	opts.SkipOrientation = *corpusSkip
	opts.Languages = *corpusLang
	start := time.Now()
	e, err := NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, langs := range []string{e.opts.Languages, e.opts.LatinLanguages} {
		t0 := time.Now()
		if err := tryInit("", langs); err != nil {
			t.Fatal(err)
		}
		t.Logf("Tesseract init with %s: %v", langs, time.Since(t0))
	}
	t.Logf("engine ready in %v, OpenMP thread limit %d, RSS %d MB", time.Since(start), openMPThreadLimit(), rssMB())

	var engTotal, cliTotal time.Duration
	var extraPasses int
	var cerSum, cliCERSum float64
	var cerN, rotRight, rotWrong, rotN int
	for _, path := range pages {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		format := pipeline.FormatPNG
		if !strings.HasSuffix(path, ".png") {
			format = pipeline.FormatJPEG
		}
		img := pipeline.PageImage{Data: data, Format: format, DPI: 300}
		base := strings.TrimSuffix(path, filepath.Ext(path))

		passes := e.passes
		t0 := time.Now()
		page, _, err := e.Recognize(context.Background(), img)
		eng := time.Since(t0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		engTotal += eng
		if *corpusDump != "" {
			os.WriteFile(filepath.Join(*corpusDump, filepath.Base(base)+".txt"), []byte(page.Text), 0o644)
		}
		extra := e.passes - passes - 1
		extraPasses += extra

		line := fmt.Sprintf("%s engine %5.2fs (+%d passes) rot=%d conf=%.1f words=%d", filepath.Base(path), eng.Seconds(), extra, page.Rotation, page.MeanConf, len(page.Words))
		if b, err := os.ReadFile(base + ".rotation"); err == nil {
			scanned, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			want := (360 - scanned) % 360
			truth, _ := os.ReadFile(base + ".truth.txt")
			if strings.TrimSpace(string(truth)) != "" { // blank and separator pages carry no verdict
				rotN++
				if page.Rotation == want {
					rotRight++
				} else {
					rotWrong++
					line += fmt.Sprintf(" WRONG (want %d)", want)
				}
			}
		}
		var cliText string
		if *corpusCLI {
			t0 = time.Now()
			cmd := exec.Command("tesseract", path, "-", "-l", *corpusCLILang)
			cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
			out, err := cmd.Output()
			cli := time.Since(t0)
			if err != nil {
				t.Fatalf("tesseract CLI on %s: %v", path, err)
			}
			cliText = string(out)
			cliTotal += cli
			line += fmt.Sprintf(" cli %5.2fs", cli.Seconds())
		}
		if truth, err := os.ReadFile(base + ".truth.txt"); err == nil && strings.TrimSpace(string(truth)) != "" {
			c := cer(string(truth), page.Text)
			cerSum += c
			cerN++
			line += fmt.Sprintf(" CER %.3f", c)
			if *corpusCLI {
				cc := cer(string(truth), cliText)
				cliCERSum += cc
				line += fmt.Sprintf(" (cli %.3f)", cc)
			}
		}
		if *corpusRSS {
			line += fmt.Sprintf(" RSS %d MB", rssMB())
		}
		t.Log(line)
	}
	n := float64(len(pages))
	t.Logf("%d pages: engine %.2f s/page = %.1f pages/min, %d second passes (turned or Latin pages)",
		len(pages), engTotal.Seconds()/n, 60*n/engTotal.Seconds(), extraPasses)
	if *corpusCLI {
		t.Logf("CLI %.2f s/page = %.1f pages/min; engine/CLI throughput ratio %.2f",
			cliTotal.Seconds()/n, 60*n/cliTotal.Seconds(), cliTotal.Seconds()/engTotal.Seconds())
	}
	if cerN > 0 {
		t.Logf("mean CER over %d text pages: engine %.4f", cerN, cerSum/float64(cerN))
		if mean := cerSum / float64(cerN); mean > *corpusMaxCER {
			t.Errorf("mean CER %.4f is above -ocr.maxcer %.4f", mean, *corpusMaxCER)
		}
		if *corpusCLI {
			t.Logf("mean CER CLI %.4f", cliCERSum/float64(cerN))
		}
	}
	if rotN > 0 {
		t.Logf("orientation: %d/%d right, %d wrong", rotRight, rotN, rotWrong)
		if share := float64(rotRight) / float64(rotN); share < *corpusMinUpright {
			t.Errorf("%.3f of pages turned upright, below -ocr.minupright %.3f", share, *corpusMinUpright)
		}
	}
	t.Logf("final RSS %d MB", rssMB())
}

// rssMB reads the resident set size from /proc (Linux only; 0 elsewhere).
func rssMB() int {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.Atoi(f[1])
	return pages * os.Getpagesize() >> 20
}

// cer is the character error rate of got against want with all whitespace removed.
func cer(want, got string) float64 {
	w, g := stripSpace(want), stripSpace(got)
	if len(w) == 0 {
		if len(g) == 0 {
			return 0
		}
		return 1
	}
	return float64(edit.Distance(w, g)) / float64(len(w))
}

func stripSpace(s string) []rune {
	var out []rune
	for _, r := range s {
		if !unicode.IsSpace(r) {
			out = append(out, r)
		}
	}
	return out
}
