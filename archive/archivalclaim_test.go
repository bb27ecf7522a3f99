package archive_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// Codes are numbered across a case's batches, a document keeps its code when filed again,
// a correction's document takes a new number with its "-R", and workers filing at once never
// share one.
func TestAssignArchivalCode(t *testing.T) {
	ctx := context.Background()
	blobs := testenv.Blobs(t, testenv.Services(t))
	keep := storage.PutOptions{RetentionMode: "GOVERNANCE", RetainUntil: time.Now().AddDate(0, 0, 1)}
	fields := func(caseNo, batch string, rev int) archive.ArchivalCodeFields {
		return archive.ArchivalCodeFields{Fonds: "J042", FiledAt: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC),
			RetentionYears: 30, CaseNo: caseNo, BatchID: batch, Type: "id_card", Seq: 1, Revision: rev}
	}
	assign := func(pattern string, f archive.ArchivalCodeFields, doc string) string {
		t.Helper()
		code, err := archive.AssignArchivalCode(ctx, blobs, pattern, f, doc, keep)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		return code
	}
	const p = archive.DefaultArchivalCodePattern
	for _, c := range []struct {
		pattern string
		f       archive.ArchivalCodeFields
		doc     string
		want    string
	}{
		{p, fields("C1", "B1", 0), "B1-001", "J042-ZW·2026-D30-C1-0001"},
		{p, fields("C1", "B1", 0), "B1-002", "J042-ZW·2026-D30-C1-0002"},
		{p, fields("C1", "B2", 0), "B2-001", "J042-ZW·2026-D30-C1-0003"}, // the case's second batch goes on
		{p, fields("C1", "B1", 0), "B1-001", "J042-ZW·2026-D30-C1-0001"}, // filed again: the same code
		{p, fields("C1", "B1", 1), "B1-r1-001", "J042-ZW·2026-D30-C1-0004-R1"},
		{p, fields("C2", "B3", 0), "B3-001", "J042-ZW·2026-D30-C2-0001"},
		{"{case}-{seq}-{type}", fields("C1", "B1", 0), "B1-003", "C1-0001-id_card"},
		{"{case}-{seq}-{type}", fields("C1", "B1", 0), "B1-004", "C1-0002-id_card"},
		{"", fields("C1", "B1", 0), "B1-005", ""},
	} {
		if got := assign(c.pattern, c.f, c.doc); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.pattern, c.doc, got, c.want)
		}
	}

	// Batches of one case filed on several workers at once.
	var mu sync.Mutex
	var codes []string
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 3 {
				code, err := archive.AssignArchivalCode(ctx, blobs, p, fields("C9", fmt.Sprint("W", w), 0), fmt.Sprintf("W%d-%03d", w, n+1), keep)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				codes = append(codes, code)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(codes)
	for i, code := range codes {
		if want := fmt.Sprintf("J042-ZW·2026-D30-C9-%04d", i+1); code != want {
			t.Errorf("concurrent filings: code %d is %s, want %s (all: %v)", i, code, want, codes)
		}
	}
}

// A duplicate archival code fails the report, and each holder's finding names the other.
func TestReportFailsOnDuplicateArchivalCode(t *testing.T) {
	ctx := context.Background()
	blobs := testenv.Blobs(t, testenv.Services(t))
	a, b, c := fileDocument(t, ctx, blobs, "DUP-001", "C1"), fileDocument(t, ctx, blobs, "DUP-002", "C1"),
		fileDocument(t, ctx, blobs, "DUP-003", "C1")
	for _, r := range []*archive.Record{a, b, c} {
		for _, typ := range []string{"received", "digitised", "ocr", "classified", "stamped", "filed"} {
			r.Events = append(r.Events, archive.Event{Type: typ, Time: r.FiledAt})
		}
	}
	rep, err := archive.FourProperties(ctx, blobs, []*archive.Record{a, b, c}, archive.ReportOptions{Scope: "case C1"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary[archive.Authenticity][archive.Fail] != 0 {
		t.Fatalf("distinct codes: %v", rep.Summary)
	}
	b.ArchivalCode = a.ArchivalCode // planted
	rep, err = archive.FourProperties(ctx, blobs, []*archive.Record{a, b, c}, archive.ReportOptions{Scope: "case C1"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK {
		t.Error("report with a duplicate archival code is OK")
	}
	for i, other := range []string{"DUP-002", "DUP-001", ""} {
		d := rep.Documents[i]
		i := slices.IndexFunc(d.Checks, func(c archive.Check) bool { return c.Check == "archival_code_unique" })
		if i < 0 {
			t.Fatalf("%s: no uniqueness check: %+v", d.DocumentID, d.Checks)
		}
		got := d.Checks[i]
		switch {
		case other == "" && (got.Status != archive.Pass || d.Properties[archive.Authenticity] == archive.Fail):
			t.Errorf("%s: %+v, authenticity %s", d.DocumentID, got, d.Properties[archive.Authenticity])
		case other != "" && (got.Status != archive.Fail || !strings.Contains(got.Detail, other) || !slices.Equal(got.Related, []string{other}) ||
			d.Properties[archive.Authenticity] != archive.Fail):
			t.Errorf("%s: %+v, authenticity %s; want a failure naming %s", d.DocumentID, got, d.Properties[archive.Authenticity], other)
		}
	}
}

// Codes filed before codes were claimed are claimed by a reindex: later documents are numbered
// past them, and a duplicate among them is named and fails the report.
func TestClaimFiledCode(t *testing.T) {
	ctx := context.Background()
	blobs := testenv.Blobs(t, testenv.Services(t))
	old := fileDocument(t, ctx, blobs, "LEG-0001", "LEG") // code Z001-WS·2026-Y1-LEG-0001
	dup := fileDocument(t, ctx, blobs, "LEG-X", "LEG")
	dup.ArchivalCode = old.ArchivalCode
	for _, c := range []struct {
		rec  *archive.Record
		want string
	}{{old, ""}, {old, ""}, {dup, "LEG-0001"}} {
		if held, err := archive.ClaimFiledCode(ctx, blobs, c.rec); err != nil || held != c.want {
			t.Errorf("claim %s: held by %q (%v), want %q", c.rec.DocumentID, held, err, c.want)
		}
	}
	f := archive.ArchivalCodeFields{Fonds: "Z001", FiledAt: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), CaseNo: "LEG"}
	code, err := archive.AssignArchivalCode(ctx, blobs, "{fonds}-WS·{year}-Y1-{case}-{seq}", f, "LEG-NEW", storage.PutOptions{})
	if err != nil || code != "Z001-WS·2026-Y1-LEG-0002" {
		t.Errorf("a new document after the claimed one: %s (%v)", code, err)
	}
	rep, err := archive.FourProperties(ctx, blobs, []*archive.Record{dup}, archive.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rep.Documents[0].Checks, func(c archive.Check) bool { return c.Check == "archival_code_claim" })
	if i < 0 || rep.Documents[0].Checks[i].Status != archive.Fail || !slices.Equal(rep.Documents[0].Checks[i].Related, []string{"LEG-0001"}) {
		t.Errorf("the report on a document whose code another holds: %+v", rep.Documents[0].Checks)
	}
}
