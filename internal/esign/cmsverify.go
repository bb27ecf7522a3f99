package esign

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"time"

	"github.com/digitorus/timestamp"
	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parsedCMS is one signer's detached SignedData, read back.
type parsedCMS struct {
	certs       []*smx509.Certificate
	signer      *smx509.Certificate
	digestOID   asn1.ObjectIdentifier
	sigOID      asn1.ObjectIdentifier
	attrs       []byte // signed attributes re-tagged as SET OF, as they were signed
	signature   []byte
	msgDigest   []byte
	certDigest  []byte // from signing-certificate-v2, nil when absent
	certHashOID asn1.ObjectIdentifier
	token       []byte // signature-time-stamp, nil when absent
}

func readAlgID(s *cryptobyte.String) (asn1.ObjectIdentifier, bool) {
	var seq cryptobyte.String
	var oid asn1.ObjectIdentifier
	return oid, s.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.ReadASN1ObjectIdentifier(&oid)
}

// parseCMS reads a detached SignedData with one signer. der may carry trailing zero bytes:
// a PDF's /Contents is padded to its reserved size.
func parseCMS(der []byte) (*parsedCMS, error) {
	in := cryptobyte.String(der)
	var ci, content, sd, set cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidSignedData) ||
		!ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !content.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, errNotSignedData
	}
	var version int64
	var encap cryptobyte.String
	if !sd.ReadASN1Integer(&version) || !sd.ReadASN1(&set, cbasn1.SET) || !sd.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return nil, errNotSignedData
	}
	p := &parsedCMS{}
	var certs cryptobyte.String
	var hasCerts bool
	if !sd.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errNotSignedData
	}
	for !certs.Empty() {
		var raw cryptobyte.String
		if !certs.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
			return nil, errNotSignedData
		}
		c, err := smx509.ParseCertificate(raw)
		if err != nil {
			return nil, fmt.Errorf("a certificate in the signature: %w", err)
		}
		p.certs = append(p.certs, c)
	}
	sd.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) // CRLs
	var infos, si cryptobyte.String
	if !sd.ReadASN1(&infos, cbasn1.SET) || !infos.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, errNotSignedData
	}
	if !infos.Empty() {
		return nil, errors.New("the signature has more than one signer")
	}
	var sid, issuer cryptobyte.String
	serial := new(big.Int)
	if !si.ReadASN1Integer(&version) || !si.ReadASN1(&sid, cbasn1.SEQUENCE) ||
		!sid.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !sid.ReadASN1Integer(serial) {
		return nil, errors.New("the signer is not named by issuer and serial number")
	}
	var ok bool
	if p.digestOID, ok = readAlgID(&si); !ok {
		return nil, errNotSignedData
	}
	var attrs cryptobyte.String
	if !si.ReadASN1(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("the signature has no signed attributes")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(attrs) })
	p.attrs = b.BytesOrPanic()
	if p.sigOID, ok = readAlgID(&si); !ok || !si.ReadASN1Bytes(&p.signature, cbasn1.OCTET_STRING) {
		return nil, errNotSignedData
	}
	var unsigned cryptobyte.String
	var hasUnsigned bool
	si.ReadOptionalASN1(&unsigned, &hasUnsigned, cbasn1.Tag(1).Constructed().ContextSpecific())
	if err := readAttrs(attrs, func(oid asn1.ObjectIdentifier, v cryptobyte.String) error {
		switch {
		case oid.Equal(oidMessageDigest):
			if !v.ReadASN1Bytes(&p.msgDigest, cbasn1.OCTET_STRING) {
				return errors.New("bad message-digest attribute")
			}
		case oid.Equal(oidSigningCertV2):
			var outer, ids, id cryptobyte.String
			if !v.ReadASN1(&outer, cbasn1.SEQUENCE) || !outer.ReadASN1(&ids, cbasn1.SEQUENCE) || !ids.ReadASN1(&id, cbasn1.SEQUENCE) {
				return errors.New("bad signing-certificate-v2 attribute")
			}
			p.certHashOID = oidSHA256
			if id.PeekASN1Tag(cbasn1.SEQUENCE) {
				if p.certHashOID, ok = readAlgID(&id); !ok {
					return errors.New("bad signing-certificate-v2 attribute")
				}
			}
			if !id.ReadASN1Bytes(&p.certDigest, cbasn1.OCTET_STRING) {
				return errors.New("bad signing-certificate-v2 attribute")
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if hasUnsigned {
		if err := readAttrs(unsigned, func(oid asn1.ObjectIdentifier, v cryptobyte.String) error {
			if oid.Equal(oidTimeStampToken) {
				p.token = v
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	for _, c := range p.certs {
		if c.SerialNumber.Cmp(serial) == 0 && bytes.Equal(c.RawIssuer, issuer) {
			p.signer = c
		}
	}
	if p.signer == nil {
		return nil, errNoSignerCert
	}
	return p, nil
}

// readAttrs calls fn with each attribute's type and its first value.
func readAttrs(s cryptobyte.String, fn func(asn1.ObjectIdentifier, cryptobyte.String) error) error {
	for !s.Empty() {
		var a, vals, v cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !s.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) || !a.ReadASN1(&vals, cbasn1.SET) ||
			!vals.ReadAnyASN1Element(&v, nil) {
			return errors.New("bad attribute in the signature")
		}
		if err := fn(oid, v); err != nil {
			return err
		}
	}
	return nil
}

// check verifies the signature over content digest d: the digest attribute, the
// certificate binding and the signature value.
func (p *parsedCMS) check(d []byte) error {
	if !bytes.Equal(d, p.msgDigest) {
		return errDigestMismatch
	}
	if p.certDigest != nil {
		h, err := newHash(p.certHashOID)
		if err != nil {
			return err
		}
		c := h()
		c.Write(p.signer.Raw)
		if !bytes.Equal(c.Sum(nil), p.certDigest) {
			return errors.New("signing-certificate-v2 names another certificate than the signer's")
		}
	}
	var alg smx509.SignatureAlgorithm
	switch {
	case p.sigOID.Equal(oidSM2WithSM3):
		alg = smx509.SM2WithSM3
	case p.sigOID.Equal(oidECDSAWithSHA256):
		alg = x509.ECDSAWithSHA256
	case (p.sigOID.Equal(oidRSA) || p.sigOID.Equal(oidSHA256WithRSA)) && p.digestOID.Equal(oidSHA256):
		alg = x509.SHA256WithRSA
	default:
		return fmt.Errorf("signature algorithm %v is not supported", p.sigOID)
	}
	if err := p.signer.CheckSignature(alg, p.attrs, p.signature); err != nil {
		return errSignatureMismatch
	}
	return nil
}

func (p *parsedCMS) hasher() (func() hash.Hash, error) { return newHash(p.digestOID) }

// TimestampInfo is what a verified RFC 3161 token says.
type TimestampInfo struct {
	Time time.Time `json:"time"`
	TSA  string    `json:"tsa"` // the time-stamp unit's certificate subject
	// Trusted: the unit's certificate chains to a certificate the verifier trusts, for
	// time-stamping, at the time it attests. An untrusted unit's time is shown, not relied on.
	Trusted bool `json:"trusted"`
	// CertNotAfter is when the unit's certificate ends: evidence must be renewed before then.
	CertNotAfter time.Time `json:"cert_not_after,omitzero"`
	Digest       string    `json:"digest,omitempty"` // the imprint's algorithm, e.g. SHA-256
	WeakDigest   bool      `json:"weak_digest,omitempty"`

	certs []*x509.Certificate
}

// trust checks the time-stamp unit's certificate against roots.
func (t *TimestampInfo) trust(roots []*smx509.Certificate) {
	if len(t.certs) == 0 || len(roots) == 0 {
		return
	}
	pool, inter := smx509.NewCertPool(), smx509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	var leaf *smx509.Certificate
	for i, c := range t.certs {
		sc, err := smx509.ParseCertificate(c.Raw)
		if err != nil {
			return
		}
		if i == 0 {
			leaf = sc
		} else {
			inter.AddCert(sc)
		}
	}
	_, err := leaf.Verify(smx509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: t.Time,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	t.Trusted = err == nil
}

// checkToken verifies a time-stamp token over the signature value: its own signature (by the
// certificate it carries) and its message imprint.
func checkToken(token, signature []byte) (*TimestampInfo, error) {
	ts, err := timestamp.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("the time-stamp is not valid: %w", err)
	}
	if !ts.HashAlgorithm.Available() {
		return nil, errors.New("the time-stamp uses an unknown digest")
	}
	h := ts.HashAlgorithm.New()
	h.Write(signature)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		return nil, errors.New("the time-stamp is over other bytes than this signature")
	}
	return infoOf(ts), nil
}

// withToken returns der with the signature-time-stamp attribute set to token, the signed
// part untouched.
func withToken(p *parsedCMS, token []byte) ([]byte, error) {
	s := &cmsSigner{cert: p.signer}
	for _, c := range p.certs {
		if c != p.signer {
			s.chain = append(s.chain, c)
		}
	}
	return s.marshal(&signedInfo{digestOID: p.digestOID, sigOID: p.sigOID, attrs: p.attrs, signature: p.signature}, token)
}
