package esign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"

	"onewindow/internal/errs"
)

// HTTPTSA asks an RFC 3161 time-stamp service over HTTP (the hall's TSA, --tsa-url).
type HTTPTSA struct {
	URL    string
	Client *http.Client // nil: a client with a 20 s timeout
}

// maxTSAResponse bounds what a time-stamp service may send back.
const maxTSAResponse = 1 << 20

// Timestamp sends a request for a SHA-256 digest with a nonce, and checks that the answer is
// a granted, validly signed token over that digest and nonce.
func (t *HTTPTSA) Timestamp(ctx context.Context, digest []byte) ([]byte, error) {
	const op = "esign.Timestamp"
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	req, err := (&timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest, Certificates: true, Nonce: nonce}).Marshal()
	if err != nil {
		return nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(req))
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "bad_tsa_url", "The time-stamp service URL is not valid; check --tsa-url.", err)
	}
	hr.Header.Set("Content-Type", "application/timestamp-query")
	c := t.Client
	if c == nil {
		c = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := c.Do(hr)
	if err != nil {
		return nil, errs.E(op, errs.Unavailable, "tsa_unavailable", "The time-stamp service cannot be reached.", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTSAResponse))
	if err != nil {
		return nil, errs.E(op, errs.Unavailable, "tsa_unavailable", "The time-stamp service's answer was cut off.", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errs.Errorf(op, errs.Unavailable, "tsa_unavailable", "The time-stamp service answered HTTP %d.", resp.StatusCode)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, errs.E(op, errs.Unavailable, "tsa_bad_answer", "The time-stamp service answered something that is not a valid RFC 3161 time-stamp.", err)
	}
	if !bytes.Equal(ts.HashedMessage, digest) || ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, errs.E(op, errs.Unavailable, "tsa_bad_answer", "The time-stamp service answered for another request (digest or nonce differ).", nil)
	}
	return ts.RawToken, nil
}

// LocalTSA is an in-process RFC 3161 time-stamp unit for dev mode and tests, so that
// signatures are time-stamped without a network.
type LocalTSA struct {
	Key  crypto.Signer
	Cert *x509.Certificate
	Now  func() time.Time // nil: time.Now
}

// policyDev is the policy OID of the local time-stamp unit (under the private enterprise
// arc reserved for examples, 32473).
var policyDev = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 1, 1}

// Timestamp answers as a TSA would, without a network.
func (t *LocalTSA) Timestamp(_ context.Context, digest []byte) ([]byte, error) {
	resp, err := t.respond(digest, nil)
	if err != nil {
		return nil, err
	}
	ts, err := timestamp.ParseResponse(resp)
	if err != nil {
		return nil, err
	}
	return ts.RawToken, nil
}

func (t *LocalTSA) respond(digest []byte, nonce *big.Int) ([]byte, error) {
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	ts := &timestamp.Timestamp{
		HashAlgorithm:     crypto.SHA256,
		HashedMessage:     digest,
		Time:              now.UTC(),
		Policy:            policyDev,
		Nonce:             nonce,
		Accuracy:          time.Second,
		AddTSACertificate: true,
	}
	return ts.CreateResponseWithOpts(t.Cert, t.Key, crypto.SHA256)
}

// ServeHTTP answers RFC 3161 requests (application/timestamp-query), so that dev mode can
// offer the local unit at a loopback URL like a hall's TSA.
func (t *LocalTSA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil || req.HashAlgorithm != crypto.SHA256 {
		http.Error(w, fmt.Sprintf("not an RFC 3161 SHA-256 request: %v", err), http.StatusBadRequest)
		return
	}
	resp, err := t.respond(req.HashedMessage, req.Nonce)
	if err != nil {
		http.Error(w, "time-stamping failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}
