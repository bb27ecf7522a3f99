package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// outsideDir holds files made by other tools (see its make.sh) and expect.tsv, what the
// hall must do with each: file every real page, refuse what can never be read with the
// true reason, and survive all of it.
const outsideDir = "testdata/outside"

// outsideExpect is one row of expect.tsv. want is "filed N" (done, N pages in documents,
// none dropped), "filed N blank M" (and M pages dropped as blank), "refused CODE" (4xx at
// upload), "failed CODE" (accepted, then the batch failed) or "rejected CODE" (either: the
// contract lets damage that only decoding the pixels shows be found after the upload).
// text, unless "-", is words separated by "|" of which the filed documents' text must hold
// one: a page decoded wrong (bits reversed, strips out of order) is filed too but reads as
// noise, while OCR that misses one character of one word is no fault of the file.
type outsideExpect struct {
	file, kind, want, text, source string
	verb, code                     string
	filed, blank                   int
}

func readOutsideManifest(t *testing.T) []outsideExpect {
	t.Helper()
	f, err := os.Open(filepath.Join(outsideDir, "expect.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []outsideExpect
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 || line == "" || strings.HasPrefix(line, "#") {
			continue // the header names the columns
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 5 {
			t.Fatalf("expect.tsv:%d: %d columns, want file, kind, expect, text, source", n, len(cols))
		}
		e := outsideExpect{file: cols[0], kind: cols[1], want: cols[2], text: strings.TrimPrefix(cols[3], "-"), source: cols[4]}
		if err := e.parseWant(); err != nil {
			t.Fatalf("expect.tsv:%d: %v", n, err)
		}
		rows = append(rows, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func (e *outsideExpect) parseWant() error {
	w := strings.Fields(e.want)
	bad := fmt.Errorf("expectation %q is not filed N [blank M], or refused, failed or rejected CODE", e.want)
	if len(w) < 2 {
		return bad
	}
	e.verb = w[0]
	switch {
	case e.verb == "refused" || e.verb == "failed" || e.verb == "rejected":
		if len(w) != 2 {
			return bad
		}
		e.code = w[1]
		return nil
	case e.verb != "filed":
		return bad
	}
	var err error
	if e.filed, err = strconv.Atoi(w[1]); err != nil {
		return bad
	}
	if len(w) == 4 && w[2] == "blank" {
		e.blank, err = strconv.Atoi(w[3])
	} else if len(w) != 2 {
		return bad
	}
	return err
}

// outsideResult is what the hall did with one file.
type outsideResult struct {
	status  int            // of the upload
	refusal map[string]any // the upload's answer when it was refused
	batch   map[string]any // the finished batch when it was accepted
	text    string         // of its documents, whitespace removed
	err     error          // the test could not find out
	took    time.Duration
}

func TestOutsideFiles(t *testing.T) {
	rows := readOutsideManifest(t)
	d := startDaemon(t, t.TempDir())
	start := time.Now()

	// A few uploads at a time, as several scan stations would send them; the checks then run
	// one subtest per file so a failure names the file.
	results := make([]outsideResult, len(rows))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 3)
	for i, r := range rows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i] = sendOutside(d, r.file)
		}()
	}
	wg.Wait()
	took := time.Since(start)

	for i, r := range rows {
		t.Run(r.file, func(t *testing.T) {
			t.Logf("%s (%s): %s in %s", r.kind, r.source, describeOutside(results[i]), results[i].took.Round(100*time.Millisecond))
			for _, w := range judgeOutside(r, results[i]) {
				t.Error(w)
			}
		})
	}
	t.Logf("%d outside files in %s\n%s", len(rows), took.Round(time.Second), outsideSummary(rows, results))
	resp, err := http.Get(d.base + "/healthz")
	if err != nil {
		t.Fatalf("after the outside files the daemon does not answer /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after the outside files /healthz answers %d", resp.StatusCode)
	}
}

// sendOutside uploads one file and waits for its batch; it calls no t method, so many may
// run at once.
func sendOutside(d *daemon, name string) outsideResult {
	start := time.Now()
	data, err := os.ReadFile(filepath.Join(outsideDir, name))
	if err != nil {
		return outsideResult{err: err}
	}
	code, body, err := doJSON(uploadRequest(d.base, d.token, nil, nil, file{name, data}))
	res := outsideResult{status: code, err: err}
	if err != nil || code != http.StatusAccepted {
		res.refusal, res.took = body, time.Since(start)
		return res
	}
	id, _ := body["id"].(string)
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", d.base+"/api/v1/batches/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+d.token)
		code, b, err := doJSON(req)
		if err != nil || code != 200 {
			res.err = fmt.Errorf("GET batch %s: %d %v %v", id, code, b, err)
			break
		}
		if s := b["status"]; s == "done" || s == "failed" {
			res.batch = b
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if res.batch == nil && res.err == nil {
		res.err = fmt.Errorf("batch %s not finished in 3m", id)
	}
	docs, _ := res.batch["documents"].([]any)
	for _, doc := range docs {
		docID, _ := doc.(map[string]any)["id"].(string)
		text, err := documentText(d, docID)
		if err != nil {
			res.err = err
		}
		res.text += strings.Join(strings.Fields(text), "")
	}
	res.took = time.Since(start)
	return res
}

// judgeOutside lists how r differs from what e expects; nothing when it is as expected.
func judgeOutside(e outsideExpect, r outsideResult) []string {
	got := describeOutside(r)
	wrong := []string{fmt.Sprintf("want %s, got %s", e.want, got)}
	switch {
	case r.err != nil:
		return wrong
	case (e.verb == "refused" || e.verb == "rejected") && r.refusal != nil:
		return checkReason(e, "refusal", r.refusal["error"])
	case (e.verb == "failed" || e.verb == "rejected") && r.batch != nil && r.batch["status"] == "failed":
		return checkReason(e, "batch error", r.batch["error"])
	case e.verb == "filed" && r.batch != nil && r.batch["status"] == "done":
		filed, blank, other := batchPages(r.batch)
		if filed != e.filed || blank != e.blank || other != 0 {
			return wrong
		}
		if e.text == "" || slices.ContainsFunc(strings.Split(e.text, "|"), func(w string) bool { return strings.Contains(r.text, w) }) {
			return nil
		}
		return []string{fmt.Sprintf("the filed text holds none of %q; it reads %.200q", e.text, r.text)}
	}
	return wrong
}

// checkReason wants the expected code and a sentence a person at the desk can act on.
func checkReason(e outsideExpect, what string, v any) []string {
	reason, _ := v.(map[string]any)
	code, _ := reason["code"].(string)
	msg, _ := reason["message"].(string)
	var wrong []string
	if code != e.code {
		wrong = append(wrong, fmt.Sprintf("want %s, %s is %v", e.want, what, v))
	}
	if len(strings.Fields(msg)) < 3 {
		wrong = append(wrong, fmt.Sprintf("%s message %q is not a sentence", what, msg))
	}
	return wrong
}

// batchPages counts the pages filed in documents, dropped as blank and dropped otherwise.
func batchPages(b map[string]any) (filed, blank, other int) {
	docs, _ := b["documents"].([]any)
	for _, d := range docs {
		pages, _ := d.(map[string]any)["pages"].([]any)
		filed += len(pages)
	}
	dropped, _ := b["dropped_pages"].([]any)
	for _, p := range dropped {
		if p.(map[string]any)["reason"] == "blank" {
			blank++
		} else {
			other++
		}
	}
	return filed, blank, other
}

// describeOutside says what happened in the words of expect.tsv, plus the reason given.
func describeOutside(r outsideResult) string {
	switch {
	case r.err != nil:
		return "no answer: " + r.err.Error()
	case r.refusal != nil:
		return fmt.Sprintf("refused %s (%d): %v", errorCode(r.refusal), r.status, r.refusal["error"])
	case r.batch["status"] == "failed":
		e, _ := r.batch["error"].(map[string]any)
		return fmt.Sprintf("failed %v: %v", e["code"], e)
	}
	filed, blank, other := batchPages(r.batch)
	s := fmt.Sprintf("filed %d", filed)
	if blank > 0 {
		s += fmt.Sprintf(" blank %d", blank)
	}
	if other > 0 {
		s += fmt.Sprintf(" (and %d dropped otherwise: %v)", other, r.batch["dropped_pages"])
	}
	return s
}

// outsideSummary is a table per kind of file: how many were expected to be filed or
// refused, and how many the hall handled as expected.
func outsideSummary(rows []outsideExpect, results []outsideResult) string {
	type tally struct{ files, wantFiled, filed, wantReason, reason int }
	by := map[string]*tally{}
	for i, e := range rows {
		k := by[e.kind]
		if k == nil {
			k = &tally{}
			by[e.kind] = k
		}
		k.files++
		ok := len(judgeOutside(e, results[i])) == 0
		if e.verb == "filed" {
			k.wantFiled++
			if ok {
				k.filed++
			}
		} else {
			k.wantReason++
			if ok {
				k.reason++
			}
		}
	}
	var b strings.Builder
	b.WriteString("| kind | files | filed as expected | refused/failed with the expected reason |\n|---|---|---|---|\n")
	var sum tally
	for _, kind := range slices.Sorted(maps.Keys(by)) {
		k := by[kind]
		fmt.Fprintf(&b, "| %s | %d | %d of %d | %d of %d |\n", kind, k.files, k.filed, k.wantFiled, k.reason, k.wantReason)
		sum.files, sum.filed, sum.wantFiled = sum.files+k.files, sum.filed+k.filed, sum.wantFiled+k.wantFiled
		sum.reason, sum.wantReason = sum.reason+k.reason, sum.wantReason+k.wantReason
	}
	fmt.Fprintf(&b, "| all | %d | %d of %d | %d of %d |", sum.files, sum.filed, sum.wantFiled, sum.reason, sum.wantReason)
	return b.String()
}

// documentText is a filed document's text, or why the test could not get it.
func documentText(d *daemon, id string) (string, error) {
	req, _ := http.NewRequest("GET", d.base+"/api/v1/documents/"+id+"/text", nil)
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("GET document %s text: %d %q", id, resp.StatusCode, b)
	}
	return string(b), err
}

// doJSON is daemon.do for goroutines that must not stop the test: it answers the error.
func doJSON(req *http.Request) (int, map[string]any, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: %d, body is not JSON: %q", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return resp.StatusCode, out, nil
}
