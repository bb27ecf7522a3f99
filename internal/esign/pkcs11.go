package esign

import (
	"crypto"
	"time"

	"github.com/ThalesGroup/crypto11"
	"github.com/emmansun/gmsm/smx509"

	"onewindow/internal/errs"
)

// PKCS11 names the hall's key in a PKCS#11 token (an HSM, a USB key): the key never leaves
// it, signatures are made inside.
type PKCS11 struct {
	Module     string // the vendor's PKCS#11 library (.so)
	TokenLabel string
	KeyLabel   string
	PIN        string // from a file or the environment, never the command line (internal/config)
	// CertFile is the PEM certificate of the key followed by its issuers; empty: the
	// token's certificate object with the key's label (no chain).
	CertFile string
}

// LoadPKCS11 opens the token and finds the key and its certificate. close ends the session;
// a daemon keeps it open for its lifetime.
func LoadPKCS11(o PKCS11, now time.Time) (s *Signer, close func() error, err error) {
	const op = "esign.LoadPKCS11"
	ctx, err := crypto11.Configure(&crypto11.Config{Path: o.Module, TokenLabel: o.TokenLabel, Pin: o.PIN})
	if err != nil {
		// The cause names the module or the token, never the PIN.
		return nil, nil, errs.E(op, errs.Invalid, "token_unavailable", "The PKCS#11 token cannot be opened: check the module, the token label and the PIN.", err)
	}
	fail := func(e error) (*Signer, func() error, error) { ctx.Close(); return nil, nil, e }
	key, err := ctx.FindKeyPair(nil, []byte(o.KeyLabel))
	if err != nil || key == nil {
		return fail(errs.E(op, errs.Invalid, "key_not_found", "The PKCS#11 token holds no key pair with that label.", err))
	}
	var chain []*smx509.Certificate
	if o.CertFile != "" {
		if chain, err = readCertsPEM(o.CertFile); err != nil || len(chain) == 0 {
			return fail(errs.E(op, errs.Invalid, "bad_certificate", "The signing certificate file holds no PEM certificate; check --sign-cert.", err))
		}
	} else {
		c, err := ctx.FindCertificate(nil, []byte(o.KeyLabel), nil)
		if err != nil || c == nil {
			return fail(errs.E(op, errs.Invalid, "bad_certificate", "The token holds no certificate with the key's label; give --sign-cert.", err))
		}
		sc, err := smx509.ParseCertificate(c.Raw)
		if err != nil {
			return fail(errs.E(op, errs.Invalid, "bad_certificate", "The token's certificate cannot be read.", err))
		}
		chain = []*smx509.Certificate{sc}
	}
	s, err = NewSigner(crypto.Signer(key), chain[0], chain[1:], now)
	if err != nil {
		return fail(err)
	}
	return s, ctx.Close, nil
}
