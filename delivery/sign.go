package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"onewindow/internal/errs"
)

// Headers of a webhook delivery (the contract fixes them).
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderTimestamp      = "X-Onewindow-Timestamp"
	HeaderSignature      = "X-Onewindow-Signature"
	HeaderDelivery       = "X-Onewindow-Delivery" // the package ID, for the receiver's logs
	HeaderEvent          = "X-Onewindow-Event"    // the kind of an event (handout), on events only
	// HeaderOrigin is the hall's detached CMS signature (DER, base64) over the body, when the
	// hall signs: checked with the hall's CA certificate alone, no shared secret.
	HeaderOrigin = "X-Onewindow-Origin-Signature"
)

// SignatureWindow is how far a timestamp may be from the receiver's clock.
const SignatureWindow = 5 * time.Minute

func hashOf(alg string) func() hash.Hash {
	switch alg {
	case AlgSHA256, "":
		return sha256.New
	case AlgSM3:
		return sm3.New
	}
	return nil
}

// Sign returns the signature header value for body sent at ts (Unix seconds): "sha256=HEX"
// or "sm3=HEX", HEX being the HMAC with secret over TIMESTAMP + "." + BODY. An unknown
// algorithm signs with SHA-256, the registry having refused it already.
func Sign(alg string, secret []byte, ts int64, body []byte) string {
	h := hashOf(alg)
	if h == nil {
		alg = AlgSHA256
		h = sha256.New
	}
	if alg == "" {
		alg = AlgSHA256
	}
	return alg + "=" + hex.EncodeToString(mac(h, secret, ts, body))
}

func mac(h func() hash.Hash, secret []byte, ts int64, body []byte) []byte {
	m := hmac.New(h, secret)
	m.Write(strconv.AppendInt(nil, ts, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery's signature the way a receiver should: the timestamp is within
// window of now (SignatureWindow when window is 0), the header names alg (any known one when
// alg is ""), and the MAC matches, compared in constant time. It fails with errs.Unauthorized.
func Verify(alg string, secret []byte, tsHeader, sigHeader string, body []byte, now time.Time, window time.Duration) error {
	const op = "delivery.Verify"
	if window <= 0 {
		window = SignatureWindow
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(tsHeader), 10, 64)
	if err != nil {
		return errs.E(op, errs.Unauthorized, "bad_timestamp", "The timestamp header is not Unix seconds.", err)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > window || d < -window {
		return errs.Errorf(op, errs.Unauthorized, "stale_timestamp", "The timestamp is %s away from now, more than %s.", d.Round(time.Second), window)
	}
	got, sum, ok := strings.Cut(strings.TrimSpace(sigHeader), "=")
	if !ok {
		return errs.E(op, errs.Unauthorized, "bad_signature", "The signature header is not ALG=HEX.", nil)
	}
	h := hashOf(got)
	if h == nil || got == "" || (alg != "" && got != alg) {
		return errs.Errorf(op, errs.Unauthorized, "bad_signature", "The signature uses algorithm %q, not the one agreed.", got)
	}
	want := mac(h, secret, ts, body)
	have, err := hex.DecodeString(sum)
	if err != nil || !hmac.Equal(have, want) {
		return errs.E(op, errs.Unauthorized, "bad_signature", "The signature does not match the body.", err)
	}
	return nil
}
