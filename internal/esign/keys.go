package esign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"onewindow/internal/errs"
)

// Timestamper gets an RFC 3161 time-stamp token over a digest of the signature value.
type Timestamper interface {
	Timestamp(ctx context.Context, digest []byte) (token []byte, err error)
}

// Signer is the hall's signing key with its certificate chain and, optionally, the hall's
// time-stamp service.
type Signer struct {
	key   crypto.Signer
	cert  *smx509.Certificate
	chain []*smx509.Certificate
	roots []*smx509.Certificate // for verifiers; the chain's self-signed end, if any
	// TSA time-stamps signatures (PAdES B-T); nil signs B-B.
	TSA Timestamper
	// Now is the claimed signing time; nil: time.Now.
	Now func() time.Time
	// Revocation is DER CRLs embedded in each PDF's DSS (B-LT); the hall's CA publishes them.
	Revocation [][]byte
}

// Certificate returns the signer's certificate.
func (s *Signer) Certificate() *smx509.Certificate { return s.cert }

// Chain returns the signer's certificate followed by its issuers.
func (s *Signer) Chain() []*smx509.Certificate {
	return append([]*smx509.Certificate{s.cert}, s.chain...)
}

func (s *Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// NewSigner checks that key belongs to cert, that cert is valid now and is not a CA, and
// that the key is of a kind signatures here support.
func NewSigner(key crypto.Signer, cert *smx509.Certificate, chain []*smx509.Certificate, now time.Time) (*Signer, error) {
	const op = "esign.NewSigner"
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, errs.Errorf(op, errs.Invalid, "weak_key", "The signing key has %d bits; use an RSA key of at least 2048 bits.", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != sm2.P256() {
			return nil, errs.E(op, errs.Invalid, "unsupported_key", "The signing key is on an unsupported curve; use ECDSA P-256 or SM2.", nil)
		}
	default:
		return nil, errs.E(op, errs.Invalid, "unsupported_key", "The signing key is of an unsupported kind; use RSA, ECDSA P-256 or SM2.", nil)
	}
	if !publicKeysEqual(key.Public(), cert.PublicKey) {
		return nil, errs.E(op, errs.Invalid, "key_mismatch", "The signing key does not belong to the signing certificate; give the key and certificate issued together.", nil)
	}
	if now.Before(cert.NotBefore) {
		return nil, errs.Errorf(op, errs.Invalid, "cert_not_yet_valid", "The signing certificate is valid only from %s; wait for it or use a current certificate.", cert.NotBefore.UTC().Format(time.RFC3339))
	}
	if now.After(cert.NotAfter) {
		return nil, errs.Errorf(op, errs.Invalid, "cert_expired", "The signing certificate expired on %s; renew it with the hall's CA.", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	s := &Signer{key: key, cert: cert}
	for _, c := range chain {
		if bytes.Equal(c.Raw, cert.Raw) {
			continue
		}
		s.chain = append(s.chain, c)
		if bytes.Equal(c.RawIssuer, c.RawSubject) {
			s.roots = append(s.roots, c)
		}
	}
	return s, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	ea, ok := a.(equaler)
	if !ok {
		return false
	}
	if ecb, ok := b.(*ecdsa.PublicKey); ok {
		if eca, ok := a.(*ecdsa.PublicKey); ok { // SM2 keys: compare points, curves by name
			return eca.Curve.Params().Name == ecb.Curve.Params().Name && eca.X.Cmp(ecb.X) == 0 && eca.Y.Cmp(ecb.Y) == 0
		}
	}
	return ea.Equal(b)
}

// LoadPKCS12 reads a PKCS#12 file (RSA or ECDSA key, its certificate and chain); the
// password comes from a file or the environment, never the command line (internal/config).
func LoadPKCS12(path, password string, now time.Time) (*Signer, error) {
	const op = "esign.LoadPKCS12"
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "sign_key_unreadable", "The signing key file cannot be read; check --sign-p12.", err)
	}
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		// The cause never carries the password; it says "decryption password incorrect" or the like.
		return nil, errs.E(op, errs.Invalid, "sign_key_unreadable", "The PKCS#12 file cannot be opened: a wrong password or not a PKCS#12 file.", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errs.E(op, errs.Invalid, "unsupported_key", "The PKCS#12 key cannot sign.", nil)
	}
	return newSignerFromX509(signer, cert, chain, now)
}

func newSignerFromX509(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, now time.Time) (*Signer, error) {
	sc, err := smx509.ParseCertificate(cert.Raw)
	if err != nil {
		return nil, errs.E("esign.NewSigner", errs.Invalid, "bad_certificate", "The signing certificate cannot be read.", err)
	}
	var sch []*smx509.Certificate
	for _, c := range chain {
		if p, err := smx509.ParseCertificate(c.Raw); err == nil {
			sch = append(sch, p)
		}
	}
	return NewSigner(key, sc, sch, now)
}

// LoadPEM reads a private key (PKCS#8, PKCS#1 or SEC 1; RSA, ECDSA or SM2) and a
// certificate file holding the signer's certificate followed by its issuers.
func LoadPEM(keyPath, certPath string, now time.Time) (*Signer, error) {
	const op = "esign.LoadPEM"
	kb, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "sign_key_unreadable", "The signing key file cannot be read; check --sign-key.", err)
	}
	key, err := parseKey(kb)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "sign_key_unreadable", "The signing key file holds no key this program reads: give a PEM PKCS#8, PKCS#1 or EC key without a password.", err)
	}
	certs, err := readCertsPEM(certPath)
	if err != nil || len(certs) == 0 {
		return nil, errs.E(op, errs.Invalid, "bad_certificate", "The signing certificate file holds no PEM certificate; check --sign-cert.", err)
	}
	return NewSigner(key, certs[0], certs[1:], now)
}

func parseKey(pemBytes []byte) (crypto.Signer, error) {
	for {
		var b *pem.Block
		b, pemBytes = pem.Decode(pemBytes)
		if b == nil {
			return nil, errors.New("no private key block")
		}
		if !strings.Contains(b.Type, "PRIVATE KEY") {
			continue
		}
		var k any
		var err error
		switch b.Type {
		case "RSA PRIVATE KEY":
			k, err = smx509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = smx509.ParseTypedECPrivateKey(b.Bytes)
		default:
			k, err = smx509.ParsePKCS8PrivateKey(b.Bytes)
		}
		if err != nil {
			return nil, err
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%T cannot sign", k)
		}
		return s, nil
	}
}

// readCertsPEM reads every certificate of a PEM file, in order.
func readCertsPEM(path string) ([]*smx509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*smx509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out, nil
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := smx509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
}

// LoadTrust reads the certificates verifiers trust (the hall's CA, PEM).
func LoadTrust(path string) ([]*smx509.Certificate, error) {
	certs, err := readCertsPEM(path)
	if err != nil {
		return nil, errs.E("esign.LoadTrust", errs.Invalid, "bad_trust_file", "The trusted certificates file cannot be read as PEM certificates.", err)
	}
	return certs, nil
}

// Roots returns the self-signed certificates of the signer's chain: what verifiers of this
// installation's own signatures trust when nothing else is configured.
func (s *Signer) Roots() []*smx509.Certificate { return s.roots }
