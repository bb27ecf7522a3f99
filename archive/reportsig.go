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
//
// Its time-stamp is the newest that verifies of the signature's own, a later "timestamped"
// event's and the archive time-stamps renewing them (VerifyEvidence over later, the record's
// events): a copy stamped after filing counts as stamped, and a broken chain fails.
func checkSignature(pdf []byte, obj string, roots []*smx509.Certificate, later []Event, now time.Time, add func(prop, check, object, status, detail string)) {
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
	ev := VerifyEvidence(v, pdf, later, now)
	if l := ev.Latest; l != nil {
		detail += ", time-stamped " + l.Info.Time.UTC().Format(time.RFC3339)
		if l.Kind != "signature" {
			detail += " (" + l.Kind + " event)"
		}
	} else {
		detail += ", no time-stamp yet"
	}
	if ev.ArchiveStamps > 0 && ev.ChainIntact {
		detail += fmt.Sprintf(", %d archive time-stamp(s), chain intact", ev.ArchiveStamps)
	}
	broken := false
	for _, st := range ev.Stamps {
		broken = broken || st.Problem != ""
	}
	switch {
	case broken:
		add(Authenticity, "signature", obj, Fail, detail+"; "+ev.Problem)
	case !ev.ChainIntact:
		add(Authenticity, "signature", obj, Warn, detail+"; "+ev.Problem)
	case len(roots) > 0 && !last.Trusted:
		add(Authenticity, "signature", obj, Warn, detail+"; "+last.Problem)
	case last.Problem != "":
		add(Authenticity, "signature", obj, Fail, detail+"; "+last.Problem)
	default:
		add(Authenticity, "signature", obj, Pass, detail+", intact, covers the whole file")
	}
}
