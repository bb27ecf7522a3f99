package esign

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"strings"
	"testing"
	"time"
)

// The CRL a signature embeds (DSS) is read back: a signer its CA had revoked before it
// signed makes the signature not valid, one it had not is "revocation checked".
func TestVerifierReadsTheEmbeddedCRL(t *testing.T) {
	now := time.Now()
	pki, err := NewDevPKI("测试政务服务中心", AlgECDSA, now)
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{Roots: pki.Signer.Roots()}
	signed, _, err := pki.Signer.SignPDFBytes(context.Background(), samplePDF(t))
	if err != nil {
		t.Fatal(err)
	}
	if c := v.VerifyPDF(signed); !c.Valid || !c.Last().RevocationChecked {
		t.Fatalf("not revoked: %+v", c)
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(2), ThisUpdate: now.Add(-time.Minute),
		NextUpdate: now.AddDate(0, 0, 30), RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: pki.Signer.cert.SerialNumber, RevocationTime: now.Add(-time.Minute)}}}, pki.CA.ToX509(), pki.caKey)
	if err != nil {
		t.Fatal(err)
	}
	revoked := *pki.Signer
	revoked.Revocation = [][]byte{crl}
	signed, _, err = revoked.SignPDFBytes(context.Background(), samplePDF(t))
	if err != nil {
		t.Fatal(err)
	}
	if c := v.VerifyPDF(signed); c.Valid || !strings.Contains(c.Reason, "吊销") {
		t.Fatalf("revoked: %+v", c)
	}
}
