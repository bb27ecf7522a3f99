package esign

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"io"

	"github.com/emmansun/gmsm/smx509"

	"onewindow/internal/errs"
)

// SignDetached returns a DER CMS SignedData over the bytes read from r, detached (the
// content is not inside), with the signer's chain and, when the TSA answers, a time-stamp:
// what another archive checks with
//
//	openssl cms -verify -binary -inform DER -content FILE -in FILE.p7s -CAfile ca.pem
func (s *Signer) SignDetached(ctx context.Context, r io.Reader) ([]byte, error) {
	const op = "esign.SignDetached"
	digestOID, newH := digestOf(s.key.Public())
	h := newH()
	if _, err := io.Copy(h, r); err != nil {
		return nil, errs.E(op, errs.Internal, "sign_failed", "The bytes to sign could not be read.", err)
	}
	cs := &cmsSigner{key: s.key, cert: s.cert, chain: s.chain}
	si, err := cs.sign(h.Sum(nil), digestOID)
	if err != nil {
		return nil, errs.E(op, errs.Internal, "sign_failed", "The signing key refused to sign.", err)
	}
	var token []byte
	if s.TSA != nil {
		d := sha256.Sum256(si.signature)
		// A manifest's signature without a time-stamp is still a signature: the TSA's
		// failure costs the time-stamp, not the export.
		if t, err := s.TSA.Timestamp(ctx, d[:]); err == nil {
			token = t
		}
	}
	return cs.marshal(si, token)
}

// DetachedCheck is what VerifyDetached found.
type DetachedCheck struct {
	Signer string
	Stamp  *TimestampInfo
}

// VerifyDetached checks a detached CMS signature sig over content, and that its signer
// chains to one of roots (when roots is not empty).
func VerifyDetached(content io.Reader, sig []byte, roots []*smx509.Certificate) (*DetachedCheck, error) {
	const op = "esign.VerifyDetached"
	p, err := parseCMS(sig)
	if err != nil {
		return nil, errs.E(op, errs.Unprocessable, "bad_signature", "The signature file is not a CMS signature this program reads.", err)
	}
	newH, err := p.hasher()
	if err != nil {
		return nil, errs.E(op, errs.Unsupported, "bad_signature", "The signature uses a digest this program does not know.", err)
	}
	h := newH()
	if _, err := io.Copy(h, content); err != nil {
		return nil, errs.E(op, errs.Internal, "read_failed", "The signed file could not be read.", err)
	}
	if err := p.check(h.Sum(nil)); err != nil {
		return nil, errs.E(op, errs.Unprocessable, "signature_invalid", "The signature does not match the file: the file was changed after signing, or the signature is another file's.", err)
	}
	out := &DetachedCheck{Signer: p.signer.Subject.CommonName}
	if p.token != nil {
		if out.Stamp, err = checkToken(p.token, p.signature); err != nil {
			return nil, errs.E(op, errs.Unprocessable, "timestamp_invalid", "The signature's time-stamp is not valid.", err)
		}
	}
	if len(roots) > 0 {
		pool, inter := smx509.NewCertPool(), smx509.NewCertPool()
		for _, r := range roots {
			pool.AddCert(r)
		}
		for _, c := range p.certs {
			inter.AddCert(c)
		}
		if _, err := p.signer.Verify(smx509.VerifyOptions{Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return nil, errs.E(op, errs.Unprocessable, "signer_untrusted", "The signer's certificate is not issued by a trusted CA.", err)
		}
	}
	return out, nil
}
