package esign

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"
	"github.com/go-pdf/fpdf"
)

// samplePDF is a small two-page PDF with a classic cross-reference table.
func samplePDF(t testing.TB) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.SetFont("Helvetica", "", 14)
	for i := range 2 {
		p.AddPage()
		p.Cell(40, 10, "page "+string(rune('1'+i)))
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withXRefStream rewrites pdf with object and cross-reference streams (qpdf), skipping the
// test when qpdf is not installed.
func withXRefStream(t *testing.T, pdf []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Skip("qpdf not installed")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	os.WriteFile(in, pdf, 0o600)
	if b, err := exec.Command("qpdf", "--object-streams=generate", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pdfsig runs poppler's pdfsig on pdf and returns its report, or skips when not installed.
func pdfsig(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Skip("pdfsig (poppler-utils) not installed")
	}
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", path).CombinedOutput() // exits non-zero for invalid ones
	return string(out)
}

func TestSignPDFVerifiesHereAndInPoppler(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, alg  string
		xrefStream bool
		poppler    bool // poppler's NSS knows no SM2
	}{
		{"ecdsa", AlgECDSA, false, true},
		{"rsa", AlgRSA, false, true},
		{"sm2", AlgSM2, false, false},
		{"ecdsa xref stream", AlgECDSA, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pki, err := NewDevPKI("测试政务服务中心", tc.alg, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			in := samplePDF(t)
			if tc.xrefStream {
				in = withXRefStream(t, in)
			}
			signed, res, err := pki.Signer.SignPDFBytes(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Level != LevelBLT || res.Stamp == nil || res.TSAErr != nil {
				t.Fatalf("result %+v, want B-LT with a time-stamp", res)
			}
			if !bytes.HasPrefix(signed, in) {
				t.Fatal("the update does not keep the original bytes")
			}
			v := &Verifier{Roots: []*smx509.Certificate{pki.CA}}
			check := v.VerifyPDF(signed)
			if !check.Valid || len(check.Signatures) != 1 {
				t.Fatalf("verify: %+v", check)
			}
			s := check.Signatures[0]
			if s.Signer != "测试政务服务中心" || !s.Trusted || !s.CoversWholeFile || s.Stamp == nil || !s.Stamp.Trusted || s.SubFilter != "ETSI.CAdES.detached" {
				t.Fatalf("signature %+v", s)
			}

			changed := bytes.Clone(signed)
			i := bytes.Index(changed, []byte("page 1"))
			if i < 0 {
				i = len(in) / 2 // compressed content: change a byte of the original part
			}
			changed[i+1] ^= 0x01
			if c := v.VerifyPDF(changed); c.Valid || !strings.Contains(c.Reason, "改动") {
				t.Fatalf("a changed byte: %+v", c)
			}
			appended := append(bytes.Clone(signed), []byte("\n% added later\n")...)
			if c := v.VerifyPDF(appended); c.Valid || !strings.Contains(c.Reason, "追加") {
				t.Fatalf("appended bytes: %+v", c)
			}
			if !tc.poppler {
				return
			}
			if out := pdfsig(t, signed); !strings.Contains(out, "Signature is Valid") || !strings.Contains(out, "ETSI.CAdES.detached") {
				t.Fatalf("pdfsig on the signed copy:\n%s", out)
			}
			if out := pdfsig(t, changed); strings.Contains(out, "Signature is Valid") {
				t.Fatalf("pdfsig on a changed copy:\n%s", out)
			}
		})
	}
}

func TestSigningGoesOnWhenTheTSAFails(t *testing.T) {
	ctx := context.Background()
	pki, err := NewDevPKI("测试政务服务中心", AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>proxy error</html>"))
	}))
	defer garbage.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // nothing listens there now
	good := httptest.NewServer(pki.TSA)
	defer good.Close()

	for _, tc := range []struct {
		name, url, wantErr, wantLevel string
	}{
		{"down", downURL, "cannot be reached", LevelBB},
		{"garbage", garbage.URL, "not a valid RFC 3161", LevelBB},
		{"working, over HTTP", good.URL, "", LevelBLT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := *pki.Signer
			s.TSA = &HTTPTSA{URL: tc.url}
			signed, res, err := s.SignPDFBytes(ctx, samplePDF(t))
			if err != nil {
				t.Fatal(err)
			}
			if res.Level != tc.wantLevel {
				t.Fatalf("level %s, want %s", res.Level, tc.wantLevel)
			}
			if tc.wantErr == "" && res.TSAErr != nil || tc.wantErr != "" && (res.TSAErr == nil || !strings.Contains(res.TSAErr.Error(), tc.wantErr)) {
				t.Fatalf("TSA error %v, want %q", res.TSAErr, tc.wantErr)
			}
			if c := (&Verifier{}).VerifyPDF(signed); !c.Valid {
				t.Fatalf("verify: %+v", c)
			}
		})
	}
}

// The hall's own PDFs take the quick reader; files with forms, annotations or cross-reference
// streams go to pdfcpu, and both sign alike.
func TestQuickStructureTakesOnlyWhatItKnows(t *testing.T) {
	plain := samplePDF(t)
	if _, ok := quickStructure(bytes.NewReader(plain), int64(len(plain))); !ok {
		t.Error("an fpdf file is not read by the quick reader")
	}
	pki, err := NewDevPKI("测试政务服务中心", AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signed, _, err := pki.Signer.SignPDFBytes(context.Background(), plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := quickStructure(bytes.NewReader(signed), int64(len(signed))); ok {
		t.Error("a signed file (a form, an earlier revision) is read by the quick reader")
	}
	// Signing again goes through pdfcpu, adds a second field to the form, and both verify.
	twice, _, err := pki.Signer.SignPDFBytes(context.Background(), signed)
	if err != nil {
		t.Fatal(err)
	}
	c := (&Verifier{Roots: pki.Signer.Roots()}).VerifyPDF(twice)
	if !c.Valid || len(c.Signatures) != 2 || c.Signatures[0].CoversWholeFile || !c.Signatures[1].CoversWholeFile {
		t.Fatalf("twice signed: %+v", c)
	}
	if out := pdfsig(t, twice); strings.Count(out, "Signature is Valid") != 2 {
		t.Fatalf("pdfsig on a twice-signed file:\n%s", out)
	}
}
