package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"
	"github.com/go-pdf/fpdf"

	"onewindow/archive"
	"onewindow/internal/esign"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// The four-properties report checks each filed copy's signature under authenticity: a signed
// copy passes, one changed after signing fails (even when its recorded digests were taken
// after the change), an unsigned one warns.
func TestReportChecksSignatures(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	blobs := testenv.Blobs(t, svc)
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	var unsigned bytes.Buffer
	if err := p.Output(&unsigned); err != nil {
		t.Fatal(err)
	}
	signed, _, err := pki.Signer.SignPDFBytes(ctx, unsigned.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(signed)
	changed[len(unsigned.Bytes())-10] ^= 1 // in the original part, which the signature covers
	now := time.Now().UTC().Truncate(time.Second)
	retain := storage.PutOptions{RetentionMode: "GOVERNANCE", RetainUntil: now.AddDate(1, 0, 0), IfAbsent: true}
	var recs []*archive.Record
	want := map[string]string{}
	for _, tc := range []struct {
		id, status string
		pdf        []byte
	}{{"SIG-001", archive.Pass, signed}, {"SIG-002", archive.Fail, changed}, {"SIG-003", archive.Warn, unsigned.Bytes()}} {
		d, _ := archive.DigestOf(bytes.NewReader(tc.pdf))
		if _, err := blobs.PutBytes(ctx, storage.Archive, storage.DocumentPDFKey(tc.id), tc.pdf, retain); err != nil {
			t.Fatal(err)
		}
		rec := &archive.Record{DocumentID: tc.id, CaseNo: "C-SIG", PageCount: 1, FiledAt: now,
			Files: []archive.File{{Role: "pdf", Bucket: "archive", Key: storage.DocumentPDFKey(tc.id), Format: "application/pdf", Digests: d}}}
		data, _ := json.Marshal(rec)
		if _, err := blobs.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey(tc.id), data, retain); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
		want[tc.id] = tc.status
	}
	rep, err := archive.FourProperties(ctx, blobs, recs, archive.ReportOptions{Scope: "case C-SIG", SignatureRoots: []*smx509.Certificate{pki.CA}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Documents {
		var got *archive.Check
		for i, c := range d.Checks {
			if c.Check == "signature" {
				got = &d.Checks[i]
			}
		}
		if got == nil || got.Status != want[d.DocumentID] {
			t.Errorf("%s: signature check %+v, want %s", d.DocumentID, got, want[d.DocumentID])
		}
	}
	pdf, err := archive.ReportPDF(rep, "")
	if err != nil {
		t.Skip("no report font:", err)
	}
	if len(pdf) == 0 {
		t.Fatal("empty report PDF")
	}
}
