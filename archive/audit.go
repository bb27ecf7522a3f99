package archive

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sort"
	"strings"
	"sync"
	"time"

	"onewindow/storage"
)

// The access audit is one hash chain for the whole installation: every entry is an object
// audit/YYYY/MM/DD/<seq>.json in the archive bucket, written once under retention, and carries
// the SHA-256 of the previous entry's bytes. Several API processes append to the same chain,
// serialised by a Redis lock; the head (last seq and hash) is kept in Redis and recovered from
// MinIO when Redis was lost. One chain rather than one per process: a single sequence makes a
// missing entry anywhere visible as a gap, and an auditor walks one line instead of asking
// which processes ever existed (a whole per-process chain could vanish without a trace).

// AuditEntry is one access: who (token name and role), what, when and why.
type AuditEntry struct {
	Seq     int64     `json:"seq"`
	Time    time.Time `json:"time"`
	Who     string    `json:"who"`
	Role    string    `json:"role"`
	Action  string    `json:"action"` // search, view, view_pdf, view_text, link, export, report, legal_hold
	Object  string    `json:"object,omitempty"`
	Query   string    `json:"query,omitempty"`
	Purpose string    `json:"purpose,omitempty"`
	Remote  string    `json:"remote,omitempty"`
	Origin  string    `json:"origin,omitempty"` // the process that wrote it
	// An outcome entry completes the access entry Ref names, once the answer is sent: the
	// HTTP status, the body bytes sent, and the error code if it failed.
	Ref    int64  `json:"ref,omitempty"`
	Status int    `json:"status,omitempty"`
	Bytes  int64  `json:"bytes,omitempty"`
	Code   string `json:"code,omitempty"`
	Prev   string `json:"prev"` // SHA-256 of the previous entry's stored bytes
}

// AuditGenesis is the Prev of the first entry.
var AuditGenesis = strings.Repeat("0", 64)

// AuditStore is what the audit log needs of object storage.
type AuditStore interface {
	Get(ctx context.Context, bk storage.Bucket, key string) ([]byte, error)
	PutBytes(ctx context.Context, bk storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error)
	List(ctx context.Context, bk storage.Bucket, prefix string) iter.Seq2[storage.ObjectInfo, error]
	ListLevel(ctx context.Context, bk storage.Bucket, prefix string) ([]string, error)
}

// ErrAuditBusy is returned when the chain's lock could not be had in time.
var ErrAuditBusy = errors.New("audit log busy")

// AuditCoord serialises the appends of several processes and remembers the chain's head
// (storage.State). The head is only a cache: MinIO holds the chain.
type AuditCoord interface {
	LockAudit(ctx context.Context, token string, ttl time.Duration) (bool, error)
	UnlockAudit(ctx context.Context, token string) error
	// MoveAuditHead records h only while token still holds the lock.
	MoveAuditHead(ctx context.Context, token string, h AuditHead) (bool, error)
	AuditHeadReader
}

// AuditHeadReader reads the head Redis remembers; ok is false when it has none.
type AuditHeadReader interface {
	AuditHead(ctx context.Context) (h AuditHead, ok bool, err error)
}

// AuditLog appends to the chain.
type AuditLog struct {
	Store AuditStore
	// Coord serialises appends from several API processes and remembers the head (*storage.State).
	Coord          AuditCoord
	Origin         string
	RetentionMode  string // GOVERNANCE or COMPLIANCE
	RetentionYears int
	// LockTTL bounds how long a crashed writer blocks the others (default 10 s).
	LockTTL time.Duration
	// Clock stamps entries that carry no time.
	Clock Clock
}

// AuditHead is the chain's last entry.
type AuditHead = storage.AuditHead

func (l *AuditLog) coord() AuditCoord { return l.Coord }

// Lock is the object lock of an audit entry made at t: the audit's own period, a year at the
// least.
func (l *AuditLog) Lock(t time.Time) storage.Lock {
	return RetentionRule{Years: max(l.RetentionYears, 1), Mode: l.RetentionMode}.Lock(t)
}

// Append writes e as the chain's next entry and returns it as written. It fails rather than
// skip: an access that cannot be logged should not happen.
func (l *AuditLog) Append(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	ttl := l.LockTTL
	if ttl == 0 {
		ttl = 10 * time.Second
	}
	coord := l.coord()
	token := randomToken()
	// The wait is measured on the monotonic clock, not Now: it bounds a lock, not a record.
	deadline := time.Now().Add(ttl)
	for {
		ok, err := coord.LockAudit(ctx, token, ttl)
		if err != nil {
			return e, fmt.Errorf("audit lock: %w", err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return e, ErrAuditBusy
		}
		sleep(ctx, 5*time.Millisecond)
		if ctx.Err() != nil {
			return e, ctx.Err()
		}
	}
	defer func() { _ = coord.UnlockAudit(context.WithoutCancel(ctx), token) }()

	for attempt := 0; ; attempt++ {
		head, err := l.head(ctx, coord, attempt > 0)
		if err != nil {
			return e, err
		}
		if e.Time.IsZero() {
			e.Time = l.Clock.Now()
		}
		e.Time = e.Time.UTC()
		e.Seq, e.Prev, e.Origin = head.Seq+1, head.Hash, l.Origin
		data, err := json.Marshal(e)
		if err != nil {
			return e, err
		}
		key := storage.AuditKey(e.Time, e.Seq)
		_, err = l.Store.PutBytes(ctx, storage.Archive, key, data, storage.PutOptions{ContentType: "application/json",
			IfAbsent: true}.WithLock(l.Lock(e.Time)))
		if errors.Is(err, storage.ErrExists) && attempt == 0 {
			continue // Redis's head was stale (restored or flushed): read it from MinIO again
		}
		if err != nil {
			return e, fmt.Errorf("audit entry %d: %w", e.Seq, err)
		}
		sum := sha256.Sum256(data)
		moved, err := coord.MoveAuditHead(ctx, token, AuditHead{Seq: e.Seq, Hash: hex.EncodeToString(sum[:]), Key: key})
		if err != nil {
			return e, fmt.Errorf("audit head: %w", err)
		}
		if !moved {
			return e, fmt.Errorf("audit entry %d written after its lock expired; run `onewindow audit verify`", e.Seq)
		}
		return e, nil
	}
}

// head reads the chain's head from Redis, or from MinIO when Redis has none (or fresh is set).
func (l *AuditLog) head(ctx context.Context, coord AuditHeadReader, fresh bool) (AuditHead, error) {
	if !fresh {
		h, ok, err := coord.AuditHead(ctx)
		if err != nil {
			return AuditHead{}, fmt.Errorf("audit head: %w", err)
		}
		if ok {
			return h, nil
		}
	}
	return FindAuditHead(ctx, l.Store)
}

// ReadAuditHead is the head Redis holds, if any.
func ReadAuditHead(ctx context.Context, r AuditHeadReader) (*AuditHead, error) {
	h, ok, err := r.AuditHead(ctx)
	if err != nil || !ok {
		return nil, err
	}
	return &h, nil
}

// FindAuditHead finds the last entry in MinIO by walking down the newest year, month and day
// (and the day before, in case a writer's clock lagged), so it costs a few listings, not a
// listing of the whole log. An empty log has the genesis head.
func FindAuditHead(ctx context.Context, s AuditStore) (AuditHead, error) {
	head := AuditHead{Hash: AuditGenesis}
	var days []string
	var walk func(prefix string, depth int) error
	walk = func(prefix string, depth int) error {
		names, err := s.ListLevel(ctx, storage.Archive, prefix)
		if err != nil {
			return err
		}
		var dirs []string
		for _, n := range names {
			if strings.HasSuffix(n, "/") {
				dirs = append(dirs, n)
			}
		}
		sort.Strings(dirs)
		if depth == 2 {
			days = append(days, dirs[max(len(dirs)-2, 0):]...)
			return nil
		}
		for i := len(dirs) - 1; i >= 0 && i >= len(dirs)-2; i-- {
			if err := walk(dirs[i], depth+1); err != nil {
				return err
			}
			if len(days) >= 2 {
				break
			}
		}
		return nil
	}
	if err := walk(storage.AuditPrefix, 0); err != nil {
		return head, err
	}
	for _, day := range days {
		names, err := s.ListLevel(ctx, storage.Archive, day)
		if err != nil {
			return head, err
		}
		for _, n := range names {
			if seq, ok := storage.AuditSeqOfKey(n); ok && seq > head.Seq {
				head.Seq, head.Key = seq, n
			}
		}
	}
	if head.Key == "" {
		return head, nil
	}
	data, err := s.Get(ctx, storage.Archive, head.Key)
	if err != nil {
		return head, err
	}
	sum := sha256.Sum256(data)
	head.Hash = hex.EncodeToString(sum[:])
	return head, nil
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// AuditBreak is the first bad link of the chain.
type AuditBreak struct {
	Seq     int64  `json:"seq"`
	Key     string `json:"key,omitempty"`
	Problem string `json:"problem"`
}

// AuditVerification is what VerifyAudit found.
type AuditVerification struct {
	Entries  int         `json:"entries"`
	LastSeq  int64       `json:"last_seq"`
	OK       bool        `json:"ok"`
	FirstBad *AuditBreak `json:"first_bad,omitempty"`
}

type auditLink struct {
	key  string
	seq  int64 // from the key
	hash string
	body *AuditEntry // nil: unreadable
	err  string
}

// VerifyAudit walks the whole chain in seq order and names the first bad link: a missing or
// duplicated seq, an unreadable entry, an entry whose seq is not its key's, or an entry whose
// bytes are not what the next one recorded. An altered entry breaks the link to its successor;
// if the successor's own link holds, the altered one is named, otherwise the successor (whose
// prev field was changed). head, if known (from Redis), also vouches for the last entry.
func VerifyAudit(ctx context.Context, s AuditStore, head *AuditHead, parallel int) (*AuditVerification, error) {
	var links []*auditLink
	for o, err := range s.List(ctx, storage.Archive, storage.AuditPrefix) {
		if err != nil {
			return nil, err
		}
		seq, ok := storage.AuditSeqOfKey(o.Key)
		if !ok {
			links = append(links, &auditLink{key: o.Key, err: "not an audit entry name"})
			continue
		}
		links = append(links, &auditLink{key: o.Key, seq: seq})
	}
	jobs := make(chan *auditLink)
	var wg sync.WaitGroup
	for range max(parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range jobs {
				data, err := s.Get(ctx, storage.Archive, l.key)
				if err != nil {
					l.err = "unreadable: " + err.Error()
					continue
				}
				sum := sha256.Sum256(data)
				l.hash = hex.EncodeToString(sum[:])
				var e AuditEntry
				if err := json.Unmarshal(data, &e); err != nil {
					l.err = "not valid JSON: " + err.Error()
					continue
				}
				l.body = &e
			}
		}()
	}
	for _, l := range links {
		if l.err == "" {
			jobs <- l
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(links, func(i, j int) bool { return links[i].seq < links[j].seq })
	v := &AuditVerification{Entries: len(links)}
	bad := func(seq int64, key, problem string) (*AuditVerification, error) {
		v.FirstBad = &AuditBreak{Seq: seq, Key: key, Problem: problem}
		return v, nil
	}
	prevHash := AuditGenesis
	for i, l := range links {
		want := int64(i + 1)
		switch {
		case l.err != "" && l.seq == 0:
			return bad(0, l.key, l.err)
		case l.seq < want:
			return bad(l.seq, l.key, fmt.Sprintf("a second entry with seq %d (the chain forked, or an entry was copied in)", l.seq))
		case l.seq > want:
			return bad(want, "", fmt.Sprintf("entry %d is missing (the next present is %d)", want, l.seq))
		case l.err != "":
			return bad(l.seq, l.key, l.err)
		case l.body.Seq != l.seq:
			return bad(l.seq, l.key, fmt.Sprintf("the entry says seq %d: moved or replaced", l.body.Seq))
		case l.body.Prev != prevHash:
			// The link from i-1 to i is broken: either i-1's bytes changed, or i's prev field.
			if i == 0 {
				return bad(l.seq, l.key, "the first entry does not start from the genesis hash: altered")
			}
			if i+1 < len(links) && links[i+1].body != nil && links[i+1].body.Prev != l.hash {
				return bad(l.seq, l.key, fmt.Sprintf("altered: its prev field is not entry %d's SHA-256, and entry %d does not vouch for it",
					l.seq-1, l.seq+1))
			}
			return bad(links[i-1].seq, links[i-1].key, fmt.Sprintf("altered: its SHA-256 is not the one entry %d recorded", l.seq))
		}
		prevHash = l.hash
		v.LastSeq = l.seq
	}
	if head != nil && head.Seq > 0 {
		switch {
		case head.Seq > v.LastSeq:
			return bad(v.LastSeq+1, head.Key, fmt.Sprintf("entries %d to %d are missing (the head in Redis is %d)", v.LastSeq+1, head.Seq, head.Seq))
		case head.Seq == v.LastSeq && head.Hash != prevHash:
			l := links[len(links)-1]
			return bad(l.seq, l.key, "altered: its SHA-256 is not the head's recorded in Redis")
		}
	}
	v.OK = true
	return v, nil
}
