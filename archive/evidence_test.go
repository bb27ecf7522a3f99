package archive_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"onewindow/archive"
	"onewindow/internal/esign"
	"onewindow/storage"
)

// The scheduled evidence run: with the time-stamp service down it waits and keeps its place;
// once the service is back, a copy filed without a time-stamp gets one and a copy whose
// time-stamp unit's certificate ends within the margin gets an archive time-stamp over the
// copy and the earlier evidence, a batch at a time; a further run changes nothing. The report
// and VerifyEvidence (what verify-pdf --evidence and /verify use) count both.
func TestEvidenceRunStampsAndRenews(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, now)
	if err != nil {
		t.Fatal(err)
	}
	short, err := pki.IssueTSA(30*24*time.Hour, now) // ages out well within archive.RenewMargin
	if err != nil {
		t.Fatal(err)
	}
	down := &esign.HTTPTSA{URL: "http://127.0.0.1:1/tsa"} // nothing listens on port 1
	withTSA := func(tsa esign.Timestamper) *esign.Signer { s := *pki.Signer; s.TSA = tsa; return &s }

	e := newFilingEnv(t, withTSA(down))
	e.file(t, "SIGNB-201", scanPDF(t, 1)) // filed while the service was down
	e.filer.Signer = archive.PAdES{Signer: withTSA(short)}
	e.file(t, "SIGNB-202", scanPDF(t, 1)) // stamped by a unit about to age out
	e.filer.Signer = archive.PAdES{Signer: pki.Signer}
	e.file(t, "SIGNB-203", scanPDF(t, 1)) // stamped by a unit good for ten years

	run, err := archive.RenewEvidence(ctx, e.blobs, down, "", 0, now, archive.RenewMargin)
	if err != nil {
		t.Fatal(err)
	}
	if run.Checked != 3 || run.Stamped != 0 || run.Renewed != 0 || run.Waiting != 2 || run.Cursor != "" ||
		len(run.Failures) != 1 || !strings.Contains(run.Failures[0], "时间戳服务无法连接") {
		t.Fatalf("with the service down: %+v", run)
	}

	// The service is back; a batch of one stamps the first copy and leaves a bookmark.
	run, err = archive.RenewEvidence(ctx, e.blobs, pki.TSA, run.Cursor, 1, now, archive.RenewMargin)
	if err != nil {
		t.Fatal(err)
	}
	if run.Checked != 1 || run.Stamped != 1 || run.Renewed != 0 || run.Cursor != storage.DocumentRecordKey("SIGNB-201") {
		t.Fatalf("first batch: %+v", run)
	}
	run, err = archive.RenewEvidence(ctx, e.blobs, pki.TSA, run.Cursor, 1000, now, archive.RenewMargin)
	if err != nil {
		t.Fatal(err)
	}
	if run.Checked != 2 || run.Stamped != 0 || run.Renewed != 1 || run.Waiting != 0 || run.Cursor != "" || len(run.Failures) != 0 {
		t.Fatalf("second batch: %+v", run)
	}
	run, err = archive.RenewEvidence(ctx, e.blobs, pki.TSA, "", 1000, now, archive.RenewMargin)
	if err != nil {
		t.Fatal(err)
	}
	if run.Checked != 3 || run.Stamped != 0 || run.Renewed != 0 || run.Waiting != 0 {
		t.Fatalf("a further run changed something: %+v", run)
	}

	v := &esign.Verifier{Roots: []*smx509.Certificate{pki.CA}}
	for _, tc := range []struct {
		id, kind string
		events   int
		archived int
	}{{"SIGNB-201", archive.EventTimestamped, 1, 0}, {"SIGNB-202", archive.EventArchiveTimestamped, 1, 1}, {"SIGNB-203", "signature", 0, 0}} {
		later, err := archive.LoadEvents(ctx, e.blobs, tc.id)
		if err != nil || len(later) != tc.events {
			t.Fatalf("%s: events %+v, %v", tc.id, later, err)
		}
		pdf, err := e.blobs.Get(ctx, storage.Archive, storage.DocumentPDFKey(tc.id))
		if err != nil {
			t.Fatal(err)
		}
		// As verify-pdf --evidence reads them: the events/ folder of an exported bag.
		dir := t.TempDir()
		for i, ev := range later {
			data, _ := json.Marshal(ev)
			if err := os.WriteFile(filepath.Join(dir, string(rune('a'+i))+".json"), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fromBag, err := archive.EventsOf(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		c := archive.VerifyEvidence(v, pdf, fromBag, now)
		if !c.ChainIntact || c.Latest == nil || c.Latest.Kind != tc.kind || !c.Latest.Info.Trusted || c.ArchiveStamps != tc.archived {
			t.Errorf("%s: evidence %+v (latest %+v)", tc.id, c, c.Latest)
		}
		if tc.archived > 0 && (len(c.Stamps) != 2 || c.Stamps[0].Kind != "signature") {
			t.Errorf("%s: the archive time-stamp does not follow the signature's: %+v", tc.id, c.Stamps)
		}
	}

	// A token that is not over the copy and the evidence before it breaks the chain.
	later, _ := archive.LoadEvents(ctx, e.blobs, "SIGNB-202")
	other, _ := e.blobs.Get(ctx, storage.Archive, storage.DocumentPDFKey("SIGNB-203"))
	if c := archive.VerifyEvidence(v, other, later, now); c.ChainIntact || c.Problem == "" {
		t.Errorf("another copy's archive time-stamp verified: %+v", c)
	}

	// The four-properties report counts a time-stamp filed later as the copy's.
	var recs []*archive.Record
	for _, id := range []string{"SIGNB-201", "SIGNB-202", "SIGNB-203"} {
		rec, err := archive.ReadRecord(ctx, e.blobs, id)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	rep, err := archive.FourProperties(ctx, e.blobs, recs, archive.ReportOptions{SignatureRoots: []*smx509.Certificate{pki.CA}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"SIGNB-201": "(timestamped event)", "SIGNB-202": "1 archive time-stamp(s), chain intact", "SIGNB-203": "time-stamped"}
	for _, d := range rep.Documents {
		for _, c := range d.Checks {
			if c.Check == "signature" && (c.Status != archive.Pass || !strings.Contains(c.Detail, want[d.DocumentID])) {
				t.Errorf("%s: signature check %s %q, want a pass naming %q", d.DocumentID, c.Status, c.Detail, want[d.DocumentID])
			}
		}
	}
}

// The cost of the scheduled run per copy: renewing (read the copy, one TSA round trip to the
// in-process unit, one write-once event) and the daily check of a copy that needs nothing
// (list its events, read the copy for the token in its signature).
func BenchmarkEvidenceRun(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, now)
	if err != nil {
		b.Fatal(err)
	}
	short, err := pki.IssueTSA(30*24*time.Hour, now)
	if err != nil {
		b.Fatal(err)
	}
	s := *pki.Signer
	s.TSA = short
	e := newFilingEnv(b, &s)
	const copies = 20
	pdf := scanPDF(b, 3)
	for i := range copies {
		e.file(b, fmt.Sprintf("SIGNB-%03d", 300+i), pdf)
	}
	start := time.Now()
	run, err := archive.RenewEvidence(ctx, e.blobs, pki.TSA, "", 0, now, archive.RenewMargin)
	if err != nil || run.Renewed != copies {
		b.Fatalf("%+v, %v", run, err)
	}
	renew := time.Since(start)
	b.ResetTimer() // also drops metrics reported before it
	for range b.N {
		if run, err := archive.RenewEvidence(ctx, e.blobs, pki.TSA, "", 0, now, archive.RenewMargin); err != nil || run.Renewed != 0 {
			b.Fatalf("%+v, %v", run, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*copies), "check-ms/copy")
	b.ReportMetric(float64(renew.Milliseconds())/copies, "renew-ms/copy")
	b.ReportMetric(float64(len(pdf))/1e6, "MB/copy")
}
