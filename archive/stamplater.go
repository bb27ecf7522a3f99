package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"onewindow/internal/esign"
	"onewindow/storage"
)

// Events that carry a time-stamp token filed after the copy, and how their detail ends.
const (
	EventTimestamped        = "timestamped"         // a copy signed without one got its time-stamp later
	EventArchiveTimestamped = "archive_timestamped" // evidence renewed before its time-stamp aged out
	tokenSep                = "; token "
)

// noStampYet is how the "signed" event of a copy signed without a time-stamp ends (signedEvent).
const noStampYet = "no time-stamp yet"

// StampLater gives the filed copies that were signed while the time-stamp service was down
// the time-stamp they lack: an RFC 3161 token over the signature value, filed write-once as a
// "timestamped" event beside the record, under the record's retention. The filed PDF is
// write-once and keeps its signature; the token proves that signature existed by then. It
// returns how many copies it stamped; a copy stamped before is skipped.
func StampLater(ctx context.Context, s Store, tsa esign.Timestamper, recs []*Record, now time.Time) (int, error) {
	stamped := 0
	for _, rec := range recs {
		if !needsStamp(rec) {
			continue
		}
		later, err := LoadEvents(ctx, s, rec.DocumentID)
		if err != nil {
			return stamped, err
		}
		ev, err := stampOne(ctx, s, tsa, rec, later, now)
		if err != nil {
			return stamped, err
		}
		if ev != nil {
			stamped++
		}
	}
	return stamped, nil
}

// stampOne files rec's later time-stamp unless later already holds one; it returns the event
// filed, nil when none was needed. The scheduled evidence run (RenewEvidence) asks it too.
func stampOne(ctx context.Context, s Store, tsa esign.Timestamper, rec *Record, later []Event, now time.Time) (*Event, error) {
	if !needsStamp(rec) || hasEvent(later, EventTimestamped) {
		return nil, nil
	}
	pdf, err := readPDF(ctx, s, rec.DocumentID)
	if err != nil {
		return nil, err
	}
	sig, err := esign.LastSignatureValue(pdf)
	if err != nil {
		return nil, fmt.Errorf("document %s: %w", rec.DocumentID, err)
	}
	d := sha256.Sum256(sig)
	token, err := tsa.Timestamp(ctx, d[:])
	if err != nil {
		return nil, err // the service is still down: try again next time
	}
	info, err := esign.CheckStamp(token, sig)
	if err != nil {
		return nil, err
	}
	ev := Event{Type: EventTimestamped, Agent: "onewindow", Time: now.UTC(),
		Detail: "RFC 3161 time-stamp of the signature at " + info.Time.UTC().Format(time.RFC3339) + tokenSep + base64.StdEncoding.EncodeToString(token)}
	lock := storage.Lock{Mode: rec.Retention.Mode, Until: rec.Retention.Until}
	if err := SaveEvent(ctx, s, rec.DocumentID, ev, storage.PutOptions{}.WithLock(lock)); err != nil {
		return nil, err
	}
	return &ev, nil
}

// readPDF reads a filed copy whole: its signature and its time-stamps are over all of it.
func readPDF(ctx context.Context, s Store, docID string) ([]byte, error) {
	rc, _, err := s.Open(ctx, storage.Archive, storage.DocumentPDFKey(docID))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var pdf bytes.Buffer
	if _, err := io.Copy(&pdf, rc); err != nil {
		return nil, err
	}
	return pdf.Bytes(), nil
}

func needsStamp(rec *Record) bool {
	for _, e := range rec.Events {
		if e.Type == "signed" && strings.Contains(e.Detail, noStampYet) {
			return true
		}
	}
	return false
}

func hasEvent(evs []Event, typ string) bool {
	for _, e := range evs {
		if e.Type == typ {
			return true
		}
	}
	return false
}
