package esign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// DevPKI is dev mode's local test CA with a hall certificate and a time-stamp unit: nothing
// it signs is trusted outside this installation, and the names say so.
type DevPKI struct {
	CA     *smx509.Certificate
	Signer *Signer
	TSA    *LocalTSA
	CRL    []byte // the CA's current (empty) CRL, DER

	caKey crypto.Signer // nil when loaded from files: a kept dev PKI issues nothing more
}

// Issue makes a certificate for another key of the hall (one in a token, say) from a new
// dev PKI's CA.
func (p *DevPKI) Issue(pub crypto.PublicKey, commonName string, now time.Time) (*smx509.Certificate, error) {
	if p.caKey == nil {
		return nil, errors.New("this dev CA was loaded from files and issues no certificates")
	}
	start := now.Add(-time.Hour).Truncate(time.Second)
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: commonName},
		NotBefore: start, NotAfter: start.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, p.CA.ToX509(), pub, p.caKey)
	if err != nil {
		return nil, err
	}
	return smx509.ParseCertificate(der)
}

// Key algorithms of the hall's certificate.
const (
	AlgECDSA = "ecdsa" // P-256, the default
	AlgRSA   = "rsa"   // 2048 bits
	AlgSM2   = "sm2"   // SM2 with SM3
)

func newKey(alg string) (crypto.Signer, error) {
	switch alg {
	case AlgECDSA, "":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case AlgRSA:
		return rsa.GenerateKey(rand.Reader, 2048)
	case AlgSM2:
		return sm2.GenerateKey(rand.Reader)
	}
	return nil, fmt.Errorf("unknown key algorithm %q: use ecdsa, rsa or sm2", alg)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n.Add(n, big.NewInt(1))
}

// NewDevPKI makes a CA, a hall certificate with a key of alg, and a time-stamp unit, valid
// from an hour before now for ten years (the CA for twenty).
func NewDevPKI(hallName, alg string, now time.Time) (*DevPKI, error) {
	caKey, err := newKey(AlgECDSA)
	if err != nil {
		return nil, err
	}
	if alg == AlgSM2 { // an SM2 chain throughout, as Chinese CAs issue them
		if caKey, err = newKey(AlgSM2); err != nil {
			return nil, err
		}
	}
	start := now.Add(-time.Hour).Truncate(time.Second)
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: hallName + " 测试根证书（仅供开发）", Organization: []string{"onewindow dev"}},
		NotBefore:             start,
		NotAfter:              start.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := smx509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, err
	}
	ca, err := smx509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	hallKey, err := newKey(alg)
	if err != nil {
		return nil, err
	}
	hallTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hallName, Organization: []string{hallName}},
		NotBefore:    start,
		NotAfter:     start.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	hallDER, err := smx509.CreateCertificate(rand.Reader, hallTmpl, ca.ToX509(), hallKey.Public(), caKey)
	if err != nil {
		return nil, err
	}
	hall, err := smx509.ParseCertificate(hallDER)
	if err != nil {
		return nil, err
	}
	tsaKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tsaTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hallName + " 测试时间戳服务（仅供开发）"},
		NotBefore:    start,
		NotAfter:     start.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	}
	tsaDER, err := smx509.CreateCertificate(rand.Reader, tsaTmpl, ca.ToX509(), tsaKey.Public(), caKey)
	if err != nil {
		return nil, err
	}
	tsaCert, err := x509.ParseCertificate(tsaDER)
	if err != nil {
		return nil, err
	}
	crl, err := smx509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: start, NextUpdate: start.AddDate(0, 0, 30),
	}, ca, caKey)
	if err != nil {
		return nil, err
	}
	s, err := NewSigner(hallKey, hall, []*smx509.Certificate{ca}, now)
	if err != nil {
		return nil, err
	}
	tsa := &LocalTSA{Key: tsaKey, Cert: tsaCert}
	s.TSA, s.Revocation = tsa, [][]byte{crl}
	return &DevPKI{CA: ca, Signer: s, TSA: tsa, CRL: crl, caKey: caKey}, nil
}

// Files of a DevPKI kept in a directory.
const (
	devCAFile      = "ca.pem"
	devHallCert    = "hall.pem" // the hall's certificate, then the CA's
	devHallKey     = "hall-key.pem"
	devTSACert     = "tsa.pem"
	devTSAKey      = "tsa-key.pem"
	devCRLFile     = "ca.crl"
	DevCAFileName  = devCAFile
	devPKIFileMode = 0o600
)

// OpenDevPKI loads the dev PKI kept in dir, or makes and keeps one there, so that a dev
// installation signs with the same CA across restarts and its filed copies stay verifiable.
func OpenDevPKI(dir, hallName string, now time.Time) (*DevPKI, error) {
	if p, err := LoadDevPKI(dir, now); err == nil {
		return p, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("dev signing keys in %s: %w", dir, err)
	}
	p, err := NewDevPKI(hallName, AlgECDSA, now)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	hallKey, err := smx509.MarshalPKCS8PrivateKey(p.Signer.key)
	if err != nil {
		return nil, err
	}
	tsaKey, err := smx509.MarshalPKCS8PrivateKey(p.TSA.Key)
	if err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
	}{
		{devCAFile, pemOf("CERTIFICATE", p.CA.Raw)},
		{devHallCert, append(pemOf("CERTIFICATE", p.Signer.cert.Raw), pemOf("CERTIFICATE", p.CA.Raw)...)},
		{devTSACert, pemOf("CERTIFICATE", p.TSA.Cert.Raw)},
		{devCRLFile, p.CRL},
		{devTSAKey, pemOf("PRIVATE KEY", tsaKey)},
		{devHallKey, pemOf("PRIVATE KEY", hallKey)}, // last: its presence marks a complete set
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, devPKIFileMode); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// LoadDevPKI loads a dev PKI OpenDevPKI keeps in dir; an error matching fs.ErrNotExist when
// there is none.
func LoadDevPKI(dir string, now time.Time) (*DevPKI, error) {
	s, err := LoadPEM(filepath.Join(dir, devHallKey), filepath.Join(dir, devHallCert), now)
	if err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, devHallKey)); errors.Is(statErr, fs.ErrNotExist) {
			return nil, statErr
		}
		return nil, err
	}
	tb, err := os.ReadFile(filepath.Join(dir, devTSAKey))
	if err != nil {
		return nil, err
	}
	tk, err := parseKey(tb)
	if err != nil {
		return nil, err
	}
	tc, err := readCertsPEM(filepath.Join(dir, devTSACert))
	if err != nil || len(tc) == 0 {
		return nil, fmt.Errorf("%s: no certificate", devTSACert)
	}
	crl, err := os.ReadFile(filepath.Join(dir, devCRLFile))
	if err != nil {
		return nil, err
	}
	tsa := &LocalTSA{Key: tk, Cert: tc[0].ToX509()}
	s.TSA, s.Revocation = tsa, [][]byte{crl}
	var ca *smx509.Certificate
	if len(s.roots) > 0 {
		ca = s.roots[0]
	}
	return &DevPKI{CA: ca, Signer: s, TSA: tsa, CRL: crl}, nil
}
