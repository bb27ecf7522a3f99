package esign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"onewindow/internal/errs"
)

func TestSignerRefusesBadKeysAndCertificates(t *testing.T) {
	now := time.Now()
	pki, err := NewDevPKI("测试政务服务中心", AlgECDSA, now)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := pki.Signer.Certificate()
	for _, tc := range []struct {
		name, code string
		build      func() (*Signer, error)
	}{
		{"key of another certificate", "key_mismatch", func() (*Signer, error) { return NewSigner(other, cert, nil, now) }},
		{"expired", "cert_expired", func() (*Signer, error) { return NewSigner(pki.Signer.key, cert, nil, now.AddDate(11, 0, 0)) }},
		{"not yet valid", "cert_not_yet_valid", func() (*Signer, error) { return NewSigner(pki.Signer.key, cert, nil, now.AddDate(0, 0, -1)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.build()
			if errs.CodeOf(err) != tc.code || errs.KindOf(err) != errs.Invalid {
				t.Fatalf("got %v (%s), want %s", err, errs.CodeOf(err), tc.code)
			}
		})
	}
}

func TestLoadPKCS12(t *testing.T) {
	now := time.Now()
	for _, alg := range []string{AlgECDSA, AlgRSA} {
		t.Run(alg, func(t *testing.T) {
			pki, err := NewDevPKI("测试政务服务中心", alg, now)
			if err != nil {
				t.Fatal(err)
			}
			const password = "correct horse battery"
			p12, err := pkcs12.Modern.Encode(pki.Signer.key, pki.Signer.cert.ToX509(), []*x509.Certificate{pki.CA.ToX509()}, password)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			p12Path := filepath.Join(dir, "hall.p12")
			os.WriteFile(p12Path, p12, 0o600)
			s, err := LoadPKCS12(p12Path, password, now)
			if err != nil {
				t.Fatal(err)
			}
			if s.Certificate().Subject.CommonName != "测试政务服务中心" || len(s.Roots()) != 1 {
				t.Fatalf("loaded %v with roots %d", s.Certificate().Subject, len(s.Roots()))
			}
			_, err = LoadPKCS12(p12Path, "not it", now)
			if errs.CodeOf(err) != "sign_key_unreadable" || strings.Contains(err.Error(), password) {
				t.Fatalf("wrong password: %v", err)
			}
		})
	}
}

func TestDevPKIIsKeptAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	first, err := OpenDevPKI(dir, "测试政务服务中心", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	again, err := OpenDevPKI(dir, "测试政务服务中心", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !again.CA.Equal(first.CA) || !again.Signer.cert.Equal(first.Signer.cert) || again.TSA == nil {
		t.Fatal("a second start made a new CA")
	}
}
