package esign

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// FuzzVerifyPDF: whatever a PDF holds, verifying it answers a verdict with a reason and never
// panics or calls a changed file valid.
func FuzzVerifyPDF(f *testing.F) {
	pki, err := NewDevPKI("测试政务服务中心", AlgECDSA, time.Now())
	if err != nil {
		f.Fatal(err)
	}
	signed, _, err := pki.Signer.SignPDFBytes(context.Background(), samplePDF(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed, 0, byte(0))
	f.Add(signed, len(signed)/2, byte(1))
	f.Add([]byte("%PDF-1.7\n/ByteRange [0 10 20 30] /Contents <3082>"), 0, byte(0))
	f.Add([]byte("/ByteRange [0 1 2 3]"), 1, byte(7))
	v := &Verifier{Roots: pki.Signer.Roots()}
	f.Fuzz(func(t *testing.T, pdf []byte, at int, flip byte) {
		if len(pdf) > 0 {
			pdf = bytes.Clone(pdf)
			pdf[(at%len(pdf)+len(pdf))%len(pdf)] ^= flip
		}
		c := v.VerifyPDF(pdf)
		if c.Reason == "" {
			t.Fatal("a verdict without a reason")
		}
		if c.Valid && !bytes.Equal(pdf, signed) && len(pdf) == len(signed) && bytes.Contains(pdf, []byte("ETSI.CAdES.detached")) {
			// Only the unsigned gap (the padding of /Contents) may change without notice.
			if d := firstDiff(pdf, signed); d >= 0 && !inGap(signed, d) {
				t.Fatalf("byte %d changed and the file is still valid", d)
			}
		}
	})
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// inGap reports whether offset i of a file signed once lies inside its /Contents.
func inGap(pdf []byte, i int) bool {
	b := byteRangeRE.FindSubmatchIndex(pdf)
	if b == nil {
		return false
	}
	var br [4]int
	for k := range br {
		n := 0
		for _, c := range pdf[b[2+2*k]:b[3+2*k]] {
			n = n*10 + int(c-'0')
		}
		br[k] = n
	}
	return i >= br[1] && i < br[2]
}
