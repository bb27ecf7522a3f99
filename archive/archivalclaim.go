package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"onewindow/internal/errs"
	"onewindow/storage"
)

// Archival codes are claimed in the archive bucket, not counted in Redis. A code's claim is a
// write-once object (If-None-Match) under retention as long as its document's, so two workers
// filing two batches of one case at once cannot both take a number: the second write is
// refused and that worker moves on to the next. The next number is read from the claims
// themselves, so losing Redis loses nothing and there is no counter to re-seed; the price is a
// listing of the claims that share the code's beginning (a case's few documents) per filing.

// CodeClaims is what assigning an archival code needs of the archive bucket.
type CodeClaims interface {
	Get(ctx context.Context, bk storage.Bucket, key string) ([]byte, error)
	PutBytes(ctx context.Context, bk storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error)
	List(ctx context.Context, bk storage.Bucket, prefix string) iter.Seq2[storage.ObjectInfo, error]
}

// CodeClaim is the object that holds an archival code for a document.
type CodeClaim struct {
	ArchivalCode string    `json:"archival_code"`
	DocumentID   string    `json:"document_id"`
	CaseNo       string    `json:"case_no,omitempty"`
	ClaimedAt    time.Time `json:"claimed_at"`
}

// maxCodeTries bounds the walk past numbers others claimed first.
const maxCodeTries = 10000

// seqMark stands for {seq} while the rest of a code is filled in; no field can contain it.
const seqMark = "\x00"

// AssignArchivalCode gives document docID its archival code, once and for good: a document
// that already has one (an earlier run of the same filing) keeps it; otherwise it takes the
// lowest number above every code claimed with the same beginning (f.Seq is ignored). keep
// sets the claims' retention, which should be the document's.
func AssignArchivalCode(ctx context.Context, s CodeClaims, pattern string, f ArchivalCodeFields, docID string,
	keep storage.PutOptions) (string, error) {
	const op = "archive.AssignArchivalCode"
	if pattern == "" {
		return "", nil
	}
	if c, err := readClaim(ctx, s, storage.DocumentArchivalCodeKey(docID)); err == nil {
		return c.ArchivalCode, nil
	} else if errs.KindOf(err) != errs.NotFound {
		return "", err
	}
	keep.ContentType, keep.IfAbsent = "application/json", true
	before, after, _ := strings.Cut(fillCode(pattern, f, seqMark), seqMark)
	seq, err := highestSeq(ctx, s, before, after)
	if err != nil {
		return "", err
	}
	claim := CodeClaim{DocumentID: docID, CaseNo: f.CaseNo, ClaimedAt: time.Now().UTC()}
	for tries := 0; ; tries++ {
		if tries == maxCodeTries {
			return "", errs.E(op, errs.Internal, "archival_code_exhausted", "No archival code is free for this document.", nil)
		}
		seq++
		f.Seq = seq
		base := fillCode(pattern, f, fmt.Sprintf("%04d", seq))
		claim.ArchivalCode = base + revisionSuffix(f.Revision)
		data, _ := json.Marshal(claim)
		_, err := s.PutBytes(ctx, storage.Archive, storage.ArchivalCodeClaimKey(base), data, keep)
		if err == nil {
			break
		}
		if !errors.Is(err, storage.ErrExists) {
			return "", err
		}
		// Taken: by another document, or by this one in a run that died before it said so.
		held, err := readClaim(ctx, s, storage.ArchivalCodeClaimKey(base))
		if err != nil {
			return "", err
		}
		if held.DocumentID == docID {
			claim = held
			break
		}
	}
	data, _ := json.Marshal(claim)
	if _, err := s.PutBytes(ctx, storage.Archive, storage.DocumentArchivalCodeKey(docID), data, keep); errors.Is(err, storage.ErrExists) {
		// A concurrent run of the same filing said first; its code stands, ours stays unused.
		c, err := readClaim(ctx, s, storage.DocumentArchivalCodeKey(docID))
		return c.ArchivalCode, err
	} else if err != nil {
		return "", err
	}
	return claim.ArchivalCode, nil
}

// ClaimFiledCode claims the code of a record filed before codes were claimed, so that no
// later document is numbered onto it. It answers the document already holding the code when
// that is another one: a duplicate from before, which the four-properties report shows.
func ClaimFiledCode(ctx context.Context, s CodeClaims, rec *Record) (heldBy string, err error) {
	if rec.ArchivalCode == "" {
		return "", nil
	}
	if _, err := readClaim(ctx, s, storage.DocumentArchivalCodeKey(rec.DocumentID)); err == nil {
		return "", nil
	} else if errs.KindOf(err) != errs.NotFound {
		return "", err
	}
	keep := storage.PutOptions{ContentType: "application/json", IfAbsent: true, RetentionMode: rec.Retention.Mode, RetainUntil: rec.Retention.Until}
	base := strings.TrimSuffix(rec.ArchivalCode, revisionSuffix(storage.RevisionOf(rec.BatchID, rec.DocumentID)))
	data, _ := json.Marshal(CodeClaim{ArchivalCode: rec.ArchivalCode, DocumentID: rec.DocumentID, CaseNo: rec.CaseNo, ClaimedAt: time.Now().UTC()})
	_, err = s.PutBytes(ctx, storage.Archive, storage.ArchivalCodeClaimKey(base), data, keep)
	if errors.Is(err, storage.ErrExists) {
		held, err := readClaim(ctx, s, storage.ArchivalCodeClaimKey(base))
		if err != nil {
			return "", err
		}
		if held.DocumentID != rec.DocumentID {
			heldBy = held.DocumentID
		}
	} else if err != nil {
		return "", err
	}
	// The document's own entry even when another holds the code: it is what the record says.
	if _, err := s.PutBytes(ctx, storage.Archive, storage.DocumentArchivalCodeKey(rec.DocumentID), data, keep); err != nil && !errors.Is(err, storage.ErrExists) {
		return "", err
	}
	return heldBy, nil
}

// highestSeq is the highest number claimed among codes before+number+after (0: none).
func highestSeq(ctx context.Context, s CodeClaims, before, after string) (int, error) {
	high := 0
	for o, err := range s.List(ctx, storage.Archive, storage.ArchivalCodeClaimKey(before)) {
		if err != nil {
			return 0, err
		}
		code, ok := storage.ArchivalCodeOfClaimKey(o.Key)
		if !ok {
			continue
		}
		rest := strings.TrimPrefix(code, before)
		digits := rest[:len(rest)-len(strings.TrimLeft(rest, "0123456789"))]
		n, err := strconv.Atoi(digits)
		if err != nil || rest[len(digits):] != strings.ReplaceAll(after, seqMark, digits) {
			continue // another code that only begins the same way
		}
		high = max(high, n)
	}
	return high, nil
}

func readClaim(ctx context.Context, s CodeClaims, key string) (CodeClaim, error) {
	var c CodeClaim
	data, err := s.Get(ctx, storage.Archive, key)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, errs.E("archive.readClaim", errs.Internal, "bad_object", "A stored object is not valid JSON: "+key, err)
	}
	return c, nil
}

// checkCodeClaim checks that the archive's claims give rec's archival code to rec alone, which
// keeps it unique across the hall, not just among the documents of one report.
func checkCodeClaim(ctx context.Context, s CodeClaims, rec *Record, add func(prop, check, object, status, detail string)) (related []string) {
	if rec.ArchivalCode == "" {
		return
	}
	mine, err := readClaim(ctx, s, storage.DocumentArchivalCodeKey(rec.DocumentID))
	switch {
	case errs.KindOf(err) == errs.NotFound:
		add(Authenticity, "archival_code_claim", rec.ArchivalCode, Warn, "no claim in the archive: filed before codes were claimed")
		return
	case err != nil:
		add(Authenticity, "archival_code_claim", rec.ArchivalCode, Fail, "unreadable: "+err.Error())
		return
	case mine.ArchivalCode != rec.ArchivalCode:
		add(Authenticity, "archival_code_claim", rec.ArchivalCode, Fail, "the document was given "+mine.ArchivalCode+", the record says otherwise")
		return
	}
	base := strings.TrimSuffix(rec.ArchivalCode, revisionSuffix(storage.RevisionOf(rec.BatchID, rec.DocumentID)))
	held, err := readClaim(ctx, s, storage.ArchivalCodeClaimKey(base))
	switch {
	case err != nil:
		add(Authenticity, "archival_code_claim", rec.ArchivalCode, Fail, "the code's claim is unreadable: "+err.Error())
	case held.DocumentID != rec.DocumentID:
		add(Authenticity, "archival_code_claim", rec.ArchivalCode, Fail, "the code is claimed by "+held.DocumentID)
		related = []string{held.DocumentID}
	default:
		add(Authenticity, "archival_code_claim", rec.ArchivalCode, Pass, "claimed for this document alone")
	}
	return related
}
