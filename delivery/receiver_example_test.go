package delivery_test

// The receiver published in docs/DELIVERY.md, compiled and run here so it cannot rot: the
// text between the markers must appear in the document verbatim (TestDocShowsTheReceiver).

// receiver:begin
import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Package is the part of a onewindow manifest this receiver reads.
type Package struct {
	PackageID string `json:"package_id"`
	CaseNo    string `json:"case_no"`
	Version   int    `json:"version"`
	Documents []struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		SHA256 string `json:"sha256"`
		URL    string `json:"url"`
	} `json:"documents"`
}

// Receiver takes onewindow deliveries: it checks the signature and the timestamp, and hands
// each package to Handle once, however often it is delivered.
type Receiver struct {
	Secret []byte
	Handle func(Package) error

	mu   sync.Mutex
	done map[string]bool // idempotency keys handled; keep these in your database
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := verify(rc.Secret, r.Header.Get("X-Onewindow-Timestamp"),
		r.Header.Get("X-Onewindow-Signature"), body, time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized) // 4xx: onewindow stops retrying
		return
	}
	if r.Header.Get("X-Onewindow-Event") != "" {
		w.WriteHeader(http.StatusOK) // a case event (handout); this receiver takes packages only
		return
	}
	key := r.Header.Get("Idempotency-Key")
	rc.mu.Lock()
	defer rc.mu.Unlock() // one at a time keeps the example short
	if rc.done[key] {
		w.WriteHeader(http.StatusOK) // a repeat: already handled
		return
	}
	var p Package
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "not a manifest", http.StatusBadRequest)
		return
	}
	if err := rc.Handle(p); err != nil {
		http.Error(w, "try again later", http.StatusServiceUnavailable) // 5xx: retried
		return
	}
	if rc.done == nil {
		rc.done = map[string]bool{}
	}
	rc.done[key] = true
	w.WriteHeader(http.StatusOK)
}

// verify checks "sha256=HEX", HEX = HMAC-SHA256(secret, TIMESTAMP + "." + BODY), and that
// the timestamp is within five minutes of now.
func verify(secret []byte, ts, sig string, body []byte, now time.Time) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside the 5-minute window")
	}
	hexSum, ok := strings.CutPrefix(sig, "sha256=")
	got, err := hex.DecodeString(hexSum)
	if !ok || err != nil {
		return errors.New("bad signature header")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("signature does not match")
	}
	return nil
}

// receiver:end
