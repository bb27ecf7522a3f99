package archivedesk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"onewindow/archive"
	"onewindow/archive/archivedesk"
	"onewindow/internal/esign"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// The time-stamp schedule keeps its state in Redis for the operators' page and the next
// run: a copy filed while the service was down waits, is stamped on the first run after the
// service is back, and a Redis that lost the state costs a pass over MinIO, never a second
// stamp. One process a period wins the claim.
func TestEvidenceScheduleKeepsItsStateInRedis(t *testing.T) {
	svc := testenv.Services(t)
	st := testenv.State(t, svc)
	blobs := testenv.Blobs(t, svc)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, now)
	if err != nil {
		t.Fatal(err)
	}
	down := *pki.Signer
	down.TSA = &esign.HTTPTSA{URL: "http://127.0.0.1:1/tsa"} // nothing listens on port 1
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	var plain bytes.Buffer
	if err := p.Output(&plain); err != nil {
		t.Fatal(err)
	}
	signed, res, err := down.SignPDFBytes(ctx, plain.Bytes())
	if err != nil || res.Stamp != nil {
		t.Fatalf("signing with the service down: %v, %+v", err, res)
	}
	until := now.AddDate(1, 0, 0)
	retain := storage.PutOptions{RetentionMode: "GOVERNANCE", RetainUntil: until, IfAbsent: true}
	if _, err := blobs.PutBytes(ctx, storage.Archive, storage.DocumentPDFKey("EV-001"), signed, retain); err != nil {
		t.Fatal(err)
	}
	rec := archive.Record{DocumentID: "EV-001", FiledAt: now, Retention: archive.Retention{Mode: "GOVERNANCE", Until: until},
		Events: []archive.Event{{Type: "signed", Agent: "onewindow", Time: now, Detail: "PAdES B-B; no time-stamp yet, the time-stamp service failed"}}}
	data, _ := json.Marshal(rec)
	if _, err := blobs.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey("EV-001"), data, retain); err != nil {
		t.Fatal(err)
	}

	d := &archivedesk.Desk{Blobs: blobs, State: st, Log: slog.New(slog.DiscardHandler), Signer: &down, Origin: "a"}
	if _, err := d.RenewEvidence(ctx, 0); err != nil {
		t.Fatal(err)
	}
	state, err := d.EvidenceState(ctx, 24*time.Hour)
	if err != nil || state.Last == nil || state.Last.Waiting != 1 || len(state.Last.Failures) != 1 || state.Next.IsZero() {
		t.Fatalf("after a run with the service down: %+v, %v", state, err)
	}

	slot := now.Truncate(time.Hour).Unix()
	if ok, err := st.ClaimEvidenceRun(ctx, slot, "a", time.Hour); err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, err := st.ClaimEvidenceRun(ctx, slot, "b", time.Hour); err != nil || ok {
		t.Fatalf("second process claimed the same period: %v %v", ok, err)
	}

	d.Signer = pki.Signer // the service is back
	run, err := d.RenewEvidence(ctx, 0)
	if err != nil || run.Stamped != 1 || run.Waiting != 0 {
		t.Fatalf("with the service back: %+v, %v", run, err)
	}
	if err := st.Redis().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if state, err := d.EvidenceState(ctx, 24*time.Hour); err != nil || state.Last != nil {
		t.Fatalf("state after Redis lost it: %+v, %v", state, err)
	}
	if run, err := d.RenewEvidence(ctx, 0); err != nil || run.Checked != 1 || run.Stamped != 0 || run.Renewed != 0 {
		t.Fatalf("after Redis lost the state: %+v, %v", run, err)
	}
	later, err := archive.LoadEvents(ctx, blobs, "EV-001")
	if err != nil || len(later) != 1 || later[0].Type != archive.EventTimestamped {
		t.Fatalf("events %+v, %v", later, err)
	}
}
