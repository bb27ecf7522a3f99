package archive

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"
)

// TestSearchLatency indexes synthetic records and reports search latency. Set
// ONEWINDOW_BENCH_DOCS (e.g. 100000) to run it; it is skipped otherwise.
func TestSearchLatency(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ONEWINDOW_BENCH_DOCS"))
	if n == 0 {
		t.Skip("set ONEWINDOW_BENCH_DOCS to measure")
	}
	x, err := OpenIndex(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rng := rand.New(rand.NewSource(1))
	words := []rune("申请人营业执照统一社会信用代码食品经营许可授权委托书承诺补齐材料建设工程规划住所法定代表人注册资本成立日期经营范围长春市吉林省")
	types := []string{"application_form", "id_card", "business_license", "power_of_attorney", "commitment_letter", "other"}
	start := time.Now()
	b := x.NewBatch()
	for i := range n {
		text := make([]rune, 300)
		for j := range text {
			text[j] = words[rng.Intn(len(words))]
		}
		rec := &Record{DocumentID: fmt.Sprintf("doc-%07d", i), CaseNo: fmt.Sprintf("JL-%05d", i/3), Type: types[i%len(types)],
			Title: "文件", FiledAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
			Fields: map[string][]string{"id_numbers": {fmt.Sprintf("220103%08d%04d", 19800101+i%100, i%10000)}}}
		if err := b.Add(rec, string(text)+" Commitment"); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("indexed %d records in %s", n, time.Since(start))
	measure := func(name string, q func(i int) Query) {
		var d []time.Duration
		for i := range 200 {
			s := time.Now()
			if _, err := x.Search(q(i)); err != nil {
				t.Fatal(err)
			}
			d = append(d, time.Since(s))
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		t.Logf("%-10s median %6.2f ms  p99 %6.2f ms", name, ms(d[len(d)/2]), ms(d[len(d)*99/100]))
	}
	measure("case_no", func(i int) Query { return Query{CaseNo: fmt.Sprintf("JL-%05d", rng.Intn(n/3))} })
	measure("type+date", func(i int) Query {
		return Query{Type: "id_card", From: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)}
	})
	measure("fulltext", func(i int) Query { return Query{Text: string(words[rng.Intn(len(words)-3):][:3])} })
	// Eight characters: exact hits and, ranked below, texts holding most of their bigrams;
	// the same queries exact only (as before OCR-tolerant search), interleaved so that the
	// machine's load weighs on both alike.
	var exact, tol []time.Duration
	for range 200 {
		q := Query{Text: string(words[rng.Intn(len(words)-8):][:8])}
		for _, mode := range []bool{false, true} {
			tolerant = mode
			s := time.Now()
			if _, err := x.Search(q); err != nil {
				t.Fatal(err)
			}
			if mode {
				tol = append(tol, time.Since(s))
			} else {
				exact = append(exact, time.Since(s))
			}
		}
	}
	tolerant = true
	for _, m := range []struct {
		name string
		d    []time.Duration
	}{{"text8 exact", exact}, {"text8 tolerant", tol}} {
		sort.Slice(m.d, func(i, j int) bool { return m.d[i] < m.d[j] })
		t.Logf("%-10s median %6.2f ms  p99 %6.2f ms", m.name, ms(m.d[len(m.d)/2]), ms(m.d[len(m.d)*99/100]))
	}
	measure("id_prefix", func(i int) Query { return Query{Text: fmt.Sprintf("22010319800%d*", 1+rng.Intn(9))} })
	// As people type them: a code's first digits or a run inside it without *, a Latin
	// word's beginning.
	measure("id_run", func(i int) Query { return Query{Text: fmt.Sprintf("22010319800%d", 1+rng.Intn(9))} })
	measure("id_inside", func(i int) Query { return Query{Text: fmt.Sprintf("198001%02d", 1+rng.Intn(28))} })
	measure("latin_prefix", func(i int) Query { return Query{Text: "Commit"} })
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
