package archive

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"onewindow/internal/errs"
	"onewindow/internal/esign"
	"onewindow/storage"
)

// RenewMargin is how long before a time-stamp unit's certificate ends the evidence resting on
// it gets an archive time-stamp. A renewal must be made while the old stamp still verifies; a
// year outlasts a TSA outage, a certificate reissue and a schedule left off for months.
const RenewMargin = 365 * 24 * time.Hour

// EvidenceStamp is one time-stamp of a filed copy, in the order they were made.
type EvidenceStamp struct {
	Kind    string               `json:"kind"` // signature (inside the PDF), timestamped, archive_timestamped
	Info    *esign.TimestampInfo `json:"timestamp,omitempty"`
	Problem string               `json:"problem,omitempty"` // plain Chinese
}

// EvidenceCheck is the verdict on a filed copy's time-stamps: the one in its signature, the
// one filed later when the service was down, and the archive time-stamps that renew them.
type EvidenceCheck struct {
	Stamps        []EvidenceStamp `json:"stamps"`
	Latest        *EvidenceStamp  `json:"latest,omitempty"` // the newest that verifies
	ArchiveStamps int             `json:"archive_stamps"`
	// ChainIntact: every archive time-stamp covers the copy and all evidence before it, and
	// was made before the stamp it renews aged out.
	ChainIntact bool   `json:"chain_intact"`
	Problem     string `json:"problem,omitempty"` // plain Chinese, the first one found
}

// tokenOf is the RFC 3161 token an event carries, nil for events that carry none.
func tokenOf(e Event) []byte {
	if e.Type != EventTimestamped && e.Type != EventArchiveTimestamped {
		return nil
	}
	i := strings.LastIndex(e.Detail, tokenSep)
	if i < 0 {
		return nil
	}
	tok, err := base64.StdEncoding.DecodeString(e.Detail[i+len(tokenSep):])
	if err != nil {
		return nil
	}
	return tok
}

// evidenceData is what an archive time-stamp is over (RFC 4998's idea): the SHA-256 of the
// filed copy, then of every token filed before it, in order. Digests, not bytes, so that a
// verifier hashes the megabytes of the copy once however long the chain grows.
func evidenceData(pdf []byte, earlier [][]byte) []byte {
	d := sha256.Sum256(pdf)
	out := append(make([]byte, 0, 32*(1+len(earlier))), d[:]...)
	for _, t := range earlier {
		d := sha256.Sum256(t)
		out = append(out, d[:]...)
	}
	return out
}

// VerifyEvidence checks every time-stamp of a filed copy against it: the signature's own,
// a later "timestamped" event's (over the signature) and each archive time-stamp (over the
// copy and all evidence before it). later are the record's events, oldest first (LoadEvents).
func VerifyEvidence(v *esign.Verifier, pdf []byte, later []Event, now time.Time) *EvidenceCheck {
	c := &EvidenceCheck{Stamps: []EvidenceStamp{}, ChainIntact: true}
	problem := func(p string) {
		c.ChainIntact = false
		if c.Problem == "" {
			c.Problem = p
		}
	}
	sig, err := esign.LastSignatureValue(pdf)
	if err != nil {
		c.Problem = "文件没有可核对的签名"
		return c
	}
	add := func(kind string, info *esign.TimestampInfo, err error) {
		st := EvidenceStamp{Kind: kind, Info: info}
		switch {
		case err != nil:
			st.Problem = "时间戳无效：" + err.Error()
			problem(st.Problem)
		case c.Latest != nil && c.Latest.Info.CertNotAfter.Before(info.Time):
			st.Problem = "续期晚于上一个时间戳服务证书的到期日"
			problem(st.Problem)
		}
		c.Stamps = append(c.Stamps, st)
		if st.Problem == "" {
			c.Latest = &c.Stamps[len(c.Stamps)-1]
		}
	}
	if tok, err := esign.LastSignatureStamp(pdf); err == nil && tok != nil {
		info, err := v.CheckStamp(tok, sig)
		add("signature", info, err)
	}
	var tokens [][]byte
	for _, e := range later {
		tok := tokenOf(e)
		if tok == nil {
			continue
		}
		data := sig
		if e.Type == EventArchiveTimestamped {
			data = evidenceData(pdf, tokens)
			c.ArchiveStamps++
		}
		info, err := v.CheckStamp(tok, data)
		add(e.Type, info, err)
		tokens = append(tokens, tok)
	}
	if c.Latest != nil && !c.Latest.Info.CertNotAfter.IsZero() && c.Latest.Info.CertNotAfter.Before(now) {
		problem("最新时间戳的服务证书已于 " + c.Latest.Info.CertNotAfter.Local().Format(time.DateOnly) + " 到期，未及时续期")
	}
	return c
}

// renewOne brings one copy's evidence up to date: the time-stamp it was filed without
// (stampOne), else an archive time-stamp when its newest stamp ages out within margin. A copy
// that never had a time-stamp and gets none (unsigned, or signed before this) is left alone.
func renewOne(ctx context.Context, s Store, tsa esign.Timestamper, rec *Record, now time.Time, margin time.Duration) (stamped, renewed bool, err error) {
	const op = "archive.renewOne"
	later, err := LoadEvents(ctx, s, rec.DocumentID)
	if err != nil {
		return false, false, err
	}
	// A fresh stamp needs no renewal this run; renewing in the same second would also leave
	// two events of one time whose order the chain depends on.
	if ev, err := stampOne(ctx, s, tsa, rec, later, now); err != nil || ev != nil {
		return ev != nil, false, err
	}
	var tokens [][]byte
	for _, e := range later {
		if tok := tokenOf(e); tok != nil {
			tokens = append(tokens, tok)
		}
	}
	var pdf []byte
	newest := []byte(nil)
	if len(tokens) > 0 {
		newest = tokens[len(tokens)-1]
	} else {
		if pdf, err = readPDF(ctx, s, rec.DocumentID); err != nil {
			return false, false, err
		}
		if newest, err = esign.LastSignatureStamp(pdf); err != nil || newest == nil {
			return false, false, nil // unsigned, or never time-stamped: nothing to renew
		}
	}
	old, err := esign.StampInfo(newest)
	if err != nil {
		return false, false, fmt.Errorf("document %s: %w", rec.DocumentID, err)
	}
	if old.RenewalReason(now, margin) == "" {
		return false, false, nil
	}
	if pdf == nil {
		if pdf, err = readPDF(ctx, s, rec.DocumentID); err != nil {
			return false, false, err
		}
	}
	data := evidenceData(pdf, tokens)
	d := sha256.Sum256(data)
	token, err := tsa.Timestamp(ctx, d[:])
	if err != nil {
		return false, false, err
	}
	info, err := esign.CheckStamp(token, data)
	if err != nil {
		return false, false, err
	}
	// A unit as old as the one it replaces would be renewed again every run: refuse it.
	if why := info.RenewalReason(now, margin); why != "" {
		return false, false, errs.Errorf(op, errs.Unavailable, "tsa_ageing",
			"The time-stamp service's own certificate needs renewing (%s); its time-stamps cannot renew others.", why)
	}
	ev := Event{Type: EventArchiveTimestamped, Agent: "onewindow", Time: now.UTC(),
		Detail: fmt.Sprintf("RFC 3161 archive time-stamp at %s over the filed copy and %d earlier time-stamp(s), renewing one of %s whose unit's certificate ends %s",
			info.Time.UTC().Format(time.RFC3339), len(tokens), old.Time.UTC().Format(time.RFC3339), old.CertNotAfter.UTC().Format(time.DateOnly)) +
			tokenSep + base64.StdEncoding.EncodeToString(token)}
	lock := storage.Lock{Mode: rec.Retention.Mode, Until: rec.Retention.Until}
	if err := SaveEvent(ctx, s, rec.DocumentID, ev, storage.PutOptions{}.WithLock(lock)); err != nil {
		return false, false, err
	}
	return false, true, nil
}

// EventsOf reads the events kept as JSON files in fsys (a document's events/ folder of an
// exported bag), oldest first, for VerifyEvidence away from the archive.
func EventsOf(fsys fs.FS) ([]Event, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	var events []Event
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		var e Event
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("event %s: %w", n, err)
		}
		events = append(events, e)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	return events, nil
}
