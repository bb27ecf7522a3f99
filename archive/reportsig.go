package archive

import (
	"fmt"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"onewindow/internal/esign"
)

// checkSignature adds the filed copy's PAdES signature to its authenticity: intact and
// covering the whole file passes; a copy changed after signing fails; an unsigned copy (filed
// before the hall signed, or without a key) or a signer no trusted CA issued warns.
func checkSignature(pdf []byte, obj string, roots []*smx509.Certificate, add func(prop, check, object, status, detail string)) {
	v := &esign.Verifier{Roots: roots}
	c := v.VerifyPDF(pdf)
	last := c.Last()
	if last == nil {
		add(Authenticity, "signature", obj, Warn, "not signed")
		return
	}
	if !last.Intact || !last.CoversWholeFile {
		add(Authenticity, "signature", obj, Fail, c.Reason)
		return
	}
	detail := fmt.Sprintf("PAdES %s by %s, signed %s", last.Level, last.Signer, last.SignedAt.UTC().Format(time.RFC3339))
	if last.Stamp != nil {
		detail += ", time-stamped " + last.Stamp.Time.UTC().Format(time.RFC3339)
	} else {
		detail += ", no time-stamp yet"
	}
	switch {
	case len(roots) > 0 && !last.Trusted:
		add(Authenticity, "signature", obj, Warn, detail+"; "+last.Problem)
	case last.Problem != "":
		add(Authenticity, "signature", obj, Fail, detail+"; "+last.Problem)
	default:
		add(Authenticity, "signature", obj, Pass, detail+", intact, covers the whole file")
	}
}
