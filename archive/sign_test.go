package archive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/esign"
	"onewindow/internal/testenv"
	"onewindow/internal/testfixtures/encode"
	"onewindow/internal/testfixtures/pdfa"
	"onewindow/pipeline"
	"onewindow/pipeline/pdfout"
	"onewindow/storage"
)

// scanPDF renders pages the way assembly files them: PDF/A-2b with a scan image per page.
func scanPDF(t testing.TB, pages int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 1240, 1754)) // A4 at 150 dpi
	for y := 0; y < 1754; y++ {
		for x := 0; x < 1240; x++ {
			img.SetGray(x, y, color.Gray{Y: uint8(200 + (x*7+y*13)%55)})
		}
	}
	jpeg := encode.JPEG(t, img)
	var buf bytes.Buffer
	w := pdfout.NewWriter(&buf, pdfout.Meta{Title: "授权委托书", Creator: "onewindow", CreationDate: time.Now(), Language: "zh-CN", Identifier: "Z-1"})
	for range pages {
		if err := w.AddPage(pdfout.Page{Image: pipeline.PageImage{Data: jpeg, Format: pipeline.FormatJPEG, DPI: 150}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type filingEnv struct {
	blobs *storage.Blobs
	batch *storage.Batch
	filer *archive.Filer
}

func newFilingEnv(t testing.TB, signer *esign.Signer) *filingEnv {
	t.Helper()
	blobs := testenv.Blobs(t, testenv.Services(t))
	upload := []byte("%PDF-1.4\n% the upload\n%%EOF\n")
	sum := sha256.Sum256(upload)
	raw := hex.EncodeToString(sum[:])
	if _, err := blobs.PutBytes(context.Background(), storage.Inbox, storage.RawKey(raw), upload, storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	policy, err := archive.NewRetentionPolicy(archive.RetentionRule{Years: 1, Mode: "GOVERNANCE"}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	fl := &archive.Filer{Store: blobs, Retention: policy}
	if signer != nil {
		fl.Signer = archive.PAdES{Signer: signer}
	}
	now := time.Now().UTC()
	return &filingEnv{blobs: blobs, filer: fl, batch: &storage.Batch{ID: "SIGNB", CaseNo: "C-SIGN", CreatedAt: now,
		Files: []storage.BatchFile{{SHA256: raw, Size: int64(len(upload)), Kind: "pdf", Pages: 3}}}}
}

func (e *filingEnv) file(t testing.TB, id string, pdf []byte) archive.Record {
	t.Helper()
	rec, err := e.filer.File(context.Background(), archive.Filing{DocumentID: id, Batch: e.batch, Title: "授权委托书",
		Type: "power_of_attorney", Pages: []int{0, 1, 2}, Text: []byte("授权委托书"),
		Events: []archive.Event{{Type: "stamped", Agent: "onewindow", Time: time.Now().UTC().Add(-time.Second)}}},
		func(w io.Writer, _ string) error { _, err := w.Write(pdf); return err })
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// Filing signs the PDF on its way into the archive: the filed copy stays PDF/A-2b, poppler
// finds its signature valid, its record's digests are the signed bytes', and a "signed"
// event says how. A time-stamp service that is down costs the time-stamp, not the filing.
func TestFilingSignsTheFiledCopy(t *testing.T) {
	ctx := context.Background()
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	down := *pki.Signer
	down.TSA = &esign.HTTPTSA{URL: "http://127.0.0.1:1/tsa"} // nothing listens on port 1
	for _, tc := range []struct {
		name, id, level, detail string
	}{
		{"with the local time-stamp unit", "SIGNB-001", esign.LevelBLT, "time-stamped"},
		{"with the TSA down", "SIGNB-002", esign.LevelBB, "no time-stamp yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer := pki.Signer
			if tc.level == esign.LevelBB {
				signer = &down
			}
			e := newFilingEnv(t, signer)
			pdf := scanPDF(t, 3)
			rec := e.file(t, tc.id, pdf)
			filed, err := e.blobs.Get(ctx, storage.Archive, storage.DocumentPDFKey(tc.id))
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := archive.DigestOf(bytes.NewReader(filed)); d != rec.Files[0].Digests || !bytes.HasPrefix(filed, pdf) {
				t.Fatalf("record digests %+v, filed %+v", rec.Files[0].Digests, d)
			}
			var ev *archive.Event
			for i := range rec.Events {
				if rec.Events[i].Type == "signed" {
					ev = &rec.Events[i]
				}
			}
			if ev == nil || !strings.Contains(ev.Detail, "PAdES "+tc.level) || !strings.Contains(ev.Detail, tc.detail) {
				t.Fatalf("signed event %+v", ev)
			}
			pdfa.Require(t, filed)
			c := (&esign.Verifier{Roots: pki.Signer.Roots()}).VerifyPDF(filed)
			if !c.Valid || c.Last().Level != tc.level {
				t.Fatalf("verify: %+v", c)
			}
			path := filepath.Join(t.TempDir(), "filed.pdf")
			os.WriteFile(path, filed, 0o600)
			for _, p := range pdfa.Preflight(t, path, pdfa.PDFA1Only...) {
				t.Errorf("PDFBox Preflight: %s", p)
			}
			if _, err := exec.LookPath("pdfsig"); err != nil {
				t.Skip("pdfsig (poppler-utils) not installed")
			}
			out, _ := exec.Command("pdfsig", path).CombinedOutput()
			if !bytes.Contains(out, []byte("Signature is Valid")) || !bytes.Contains(out, []byte("Total document signed")) {
				t.Fatalf("pdfsig:\n%s", out)
			}
		})
	}
}

// BenchmarkFilingSigned files the same three-page scan with and without the hall's signature
// (B-LT with the in-process time-stamp unit), side by side; the ratio is in docs/BENCHMARKS.md.
func BenchmarkFilingSigned(b *testing.B) {
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	pdf := scanPDF(b, 3)
	// One MinIO for both, alternating which goes first, so that neither gets a warmer server.
	plain := newFilingEnv(b, nil)
	signed := *plain
	signedFiler := *plain.filer
	signedFiler.Signer = archive.PAdES{Signer: pki.Signer}
	signed.filer = &signedFiler
	// The signing step alone, timed in the same loop: on a loaded machine the two filings'
	// wall times wander by more than signing costs, the step's own time does not.
	dig := archive.NewDigester()
	dig.Write(pdf)
	pades := archive.PAdES{Signer: pki.Signer}
	var tPlain, tSigned, tSign time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, _, err := pades.SignAppend(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), dig); err != nil {
			b.Fatal(err)
		}
		tSign += time.Since(start)
		runs := []struct {
			env  *filingEnv
			id   string
			took *time.Duration
		}{{plain, fmt.Sprintf("SIGNB-%06d", 2*i+1), &tPlain}, {&signed, fmt.Sprintf("SIGNB-%06d", 2*i+2), &tSigned}}
		if i%2 == 1 {
			runs[0], runs[1] = runs[1], runs[0]
		}
		for _, r := range runs {
			start := time.Now()
			r.env.file(b, r.id, pdf)
			*r.took += time.Since(start)
		}
	}
	b.ReportMetric(float64(tPlain.Microseconds())/float64(b.N)/1000, "ms/unsigned")
	b.ReportMetric(float64(tSigned.Microseconds())/float64(b.N)/1000, "ms/signed")
	b.ReportMetric(float64(tSigned)/float64(tPlain), "signed/unsigned")
	b.ReportMetric(float64(tSign.Microseconds())/float64(b.N)/1000, "ms/signing")
	b.ReportMetric(100*float64(tSign)/float64(tPlain), "%signing/unsigned")
	b.ReportMetric(float64(len(pdf))/1024, "KiB/pdf")
}

// BenchmarkVerifyFiledCopy checks the signature of a filed three-page scan, as the report and
// /verify do; the time for 10,000 filed copies is in docs/BENCHMARKS.md.
func BenchmarkVerifyFiledCopy(b *testing.B) {
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	signed, _, err := pki.Signer.SignPDFBytes(context.Background(), scanPDF(b, 3))
	if err != nil {
		b.Fatal(err)
	}
	v := &esign.Verifier{Roots: pki.Signer.Roots()}
	b.SetBytes(int64(len(signed)))
	b.ResetTimer()
	for range b.N {
		if c := v.VerifyPDF(signed); !c.Valid {
			b.Fatal(c.Reason)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*10000/60, "min/10000docs")
}

// A copy filed while the time-stamp service was down gets its time-stamp later, once: a
// "timestamped" event whose token is over the filed copy's signature.
func TestStampLaterStampsCopiesSignedWithoutATimestamp(t *testing.T) {
	ctx := context.Background()
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	down := *pki.Signer
	down.TSA = &esign.HTTPTSA{URL: "http://127.0.0.1:1/tsa"}
	e := newFilingEnv(t, &down)
	pending := e.file(t, "SIGNB-101", scanPDF(t, 1))
	e.filer.Signer = archive.PAdES{Signer: pki.Signer}
	stampedAlready := e.file(t, "SIGNB-102", scanPDF(t, 1))
	recs := []*archive.Record{&pending, &stampedAlready}

	if n, err := archive.StampLater(ctx, e.blobs, down.TSA, recs, time.Now()); err == nil || n != 0 {
		t.Fatalf("with the service still down: %d, %v", n, err)
	}
	if n, err := archive.StampLater(ctx, e.blobs, pki.TSA, recs, time.Now()); err != nil || n != 1 {
		t.Fatalf("stamped %d, %v; want 1", n, err)
	}
	if n, err := archive.StampLater(ctx, e.blobs, pki.TSA, recs, time.Now()); err != nil || n != 0 {
		t.Fatalf("again: stamped %d, %v; want 0", n, err)
	}
	evs, err := archive.LoadEvents(ctx, e.blobs, "SIGNB-101")
	if err != nil || len(evs) != 1 || evs[0].Type != "timestamped" {
		t.Fatalf("events %+v, %v", evs, err)
	}
	_, b64, _ := strings.Cut(evs[0].Detail, "; token ")
	token, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := e.blobs.Get(ctx, storage.Archive, storage.DocumentPDFKey("SIGNB-101"))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := esign.LastSignatureValue(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := esign.CheckStamp(token, sig); err != nil {
		t.Fatalf("the token is not over the filed copy's signature: %v", err)
	}
}
