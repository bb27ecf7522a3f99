// Package esign signs what the hall issues so that anyone, outside onewindow and decades
// later, can tell who issued it and that it is unchanged: PAdES signatures (ETSI EN 319 142)
// in PDFs, detached CMS signatures over bag and package manifests, RFC 3161 time-stamps, the
// hall's keys (PKCS#12, PEM; RSA, ECDSA P-256, SM2 with SM3) and, for dev mode, a local test
// CA and time-stamp service so that all of it works without a network.
package esign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"slices"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The CMS is written here rather than by gmsm's pkcs7: that one always adds the
// signing-time attribute, which PAdES forbids (the time is the dictionary's /M), and cannot
// add signing-certificate-v2 before it signs.
var (
	oidData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningCertV2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidTimeStampToken    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidSHA256            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSM3               = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 401}
	oidRSA               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA256WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSM2WithSM3        = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 501}
	oidTSTInfo           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	errNotSignedData     = errors.New("not a CMS SignedData")
	errUnsupportedKey    = errors.New("unsupported key: use RSA, ECDSA P-256 or SM2")
	errNoSignerCert      = errors.New("the signer's certificate is not in the signature")
	errDigestMismatch    = errors.New("the signed bytes do not match the signature's digest")
	errSignatureMismatch = errors.New("the signature value does not match the certificate's key")
)

// digestOf returns the digest a key signs with: SM3 for SM2 keys, SHA-256 otherwise.
func digestOf(pub crypto.PublicKey) (asn1.ObjectIdentifier, func() hash.Hash) {
	if k, ok := pub.(*ecdsa.PublicKey); ok && k.Curve == sm2.P256() {
		return oidSM3, sm3.New
	}
	return oidSHA256, sha256.New
}

func newHash(oid asn1.ObjectIdentifier) (func() hash.Hash, error) {
	switch {
	case oid.Equal(oidSHA256):
		return sha256.New, nil
	case oid.Equal(oidSM3):
		return sm3.New, nil
	}
	return nil, fmt.Errorf("digest algorithm %v is not supported", oid)
}

// cmsSigner is what a CMS signature needs from a key: the key and its certificate chain.
type cmsSigner struct {
	key   crypto.Signer
	cert  *smx509.Certificate
	chain []*smx509.Certificate // issuers, not the signer's own certificate
}

func addAlgID(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, nullParams bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if nullParams {
			b.AddASN1NULL()
		}
	})
}

func attribute(oid asn1.ObjectIdentifier, value []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(value) })
	})
	return b.BytesOrPanic()
}

// setOf encodes attributes as a DER SET OF, sorted as DER requires, under tag.
func setOf(tag cbasn1.Tag, attrs [][]byte) []byte {
	sorted := slices.Clone(attrs)
	slices.SortFunc(sorted, bytes.Compare)
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, a := range sorted {
			b.AddBytes(a)
		}
	})
	return b.BytesOrPanic()
}

// signingCertV2 is the ESS signing-certificate-v2 attribute value that binds the signer's
// certificate to the signature (PAdES baseline requires it).
func signingCertV2(cert *smx509.Certificate, digestOID asn1.ObjectIdentifier) ([]byte, error) {
	h, err := newHash(digestOID)
	if err != nil {
		return nil, err
	}
	d := h()
	d.Write(cert.Raw)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
				if !digestOID.Equal(oidSHA256) { // SHA-256 is the DEFAULT, which DER leaves out
					addAlgID(b, digestOID, false)
				}
				b.AddASN1OctetString(d.Sum(nil))
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
						b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddBytes(cert.RawIssuer)
						})
					})
					b.AddASN1BigInt(cert.SerialNumber)
				})
			})
		})
	})
	return b.Bytes()
}

// signedInfo is a signer's signed attributes and signature, before the unsigned ones.
type signedInfo struct {
	digestOID asn1.ObjectIdentifier
	sigOID    asn1.ObjectIdentifier
	attrs     []byte // the signed attributes as SET OF (tag 0x31), as signed
	signature []byte
}

// sign signs a content digest: the signed attributes carry content type, message digest and
// signing-certificate-v2.
func (s *cmsSigner) sign(contentDigest []byte, digestOID asn1.ObjectIdentifier) (*signedInfo, error) {
	certAttr, err := signingCertV2(s.cert, digestOID)
	if err != nil {
		return nil, err
	}
	ct, _ := asn1.Marshal(oidData)
	md, _ := asn1.Marshal(contentDigest)
	attrs := setOf(cbasn1.SET, [][]byte{
		attribute(oidContentType, ct),
		attribute(oidMessageDigest, md),
		attribute(oidSigningCertV2, certAttr),
	})
	si := &signedInfo{digestOID: digestOID, attrs: attrs}
	switch pub := s.key.Public().(type) {
	case *rsa.PublicKey:
		si.sigOID = oidRSA
	case *ecdsa.PublicKey:
		si.sigOID = oidECDSAWithSHA256
		if pub.Curve == sm2.P256() {
			si.sigOID = oidSM2WithSM3
		}
	default:
		return nil, errUnsupportedKey
	}
	if si.sigOID.Equal(oidSM2WithSM3) {
		// SM2 hashes Z_A with the message itself: it is given the attributes, not a digest.
		si.signature, err = s.key.Sign(rand.Reader, attrs, sm2.DefaultSM2SignerOpts)
	} else {
		d := sha256.Sum256(attrs)
		si.signature, err = s.key.Sign(rand.Reader, d[:], crypto.SHA256)
	}
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return si, nil
}

// marshal writes the detached SignedData with the signer's chain and, when token is not
// nil, the time-stamp token as the signature-time-stamp unsigned attribute.
func (s *cmsSigner) marshal(si *signedInfo, token []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgID(b, si.digestOID, false) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddBytes(s.cert.Raw)
					for _, c := range s.chain {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { // SignerInfos
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
							b.AddBytes(s.cert.RawIssuer)
							b.AddASN1BigInt(s.cert.SerialNumber)
						})
						addAlgID(b, si.digestOID, false)
						// The signed attributes as signed, but under [0] IMPLICIT.
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							var inner cryptobyte.String
							in := cryptobyte.String(si.attrs)
							in.ReadASN1(&inner, cbasn1.SET)
							b.AddBytes(inner)
						})
						addAlgID(b, si.sigOID, si.sigOID.Equal(oidRSA))
						b.AddASN1OctetString(si.signature)
						if token != nil {
							b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(attribute(oidTimeStampToken, token))
							})
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}
