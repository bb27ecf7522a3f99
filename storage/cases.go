package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"onewindow/internal/errs"
)

// Cases (the front desk). Every change of a case is an event filed write-once in the archive
// bucket under cases/{case_no}/events/{seq:06}.json; a second writer of the same seq fails,
// which is how two desks changing one case at once resolve. Redis holds the case view (a
// cache rebuilt from the events) and the list indexes. Mail items and notices live in the
// archive bucket too.

// CaseEventsPrefix is where a case's events live.
func CaseEventsPrefix(caseNo string) string { return "cases/" + caseNo + "/events/" }

// CaseEventKey is one event of a case.
func CaseEventKey(caseNo string, seq int) string {
	return fmt.Sprintf("%s%06d.json", CaseEventsPrefix(caseNo), seq)
}

// CaseNoticeKey is a notice filed for a case.
func CaseNoticeKey(caseNo, noticeID string) string {
	return "cases/" + caseNo + "/notices/" + noticeID + ".pdf"
}

var mailIDRe = regexp.MustCompile(`^([0-9]{4})([0-9]{2})([0-9]{2})-[0-9a-z]{4,32}$`)

// MailKey is a mail item's record; its ID starts with its arrival day (YYYYMMDD-...).
func MailKey(id string) (string, bool) {
	m := mailIDRe.FindStringSubmatch(id)
	if m == nil {
		return "", false
	}
	return "mail/" + m[1] + "/" + m[2] + "/" + m[3] + "/" + id + ".json", true
}

// MailDayPrefix is where the mail items that arrived on day are kept.
func MailDayPrefix(day time.Time) string { return day.Format("mail/2006/01/02/") }

// Case keys in Redis. The view carries the case number as a hash tag, so that in a Redis
// Cluster it and any later per-case key share a slot; the indexes are sorted sets scored by
// the due date (Unix seconds of its midnight, UTC).
func caseViewKey(caseNo string) string        { return keyPrefix + "{case:" + caseNo + "}:view" }
func caseStateIndex(state string) string      { return keyPrefix + "cases:state:" + state }
func caseMatterIndex(matter string) string    { return keyPrefix + "cases:matter:" + matter }
func caseSMIndex(state, matter string) string { return keyPrefix + "cases:sm:" + state + ":" + matter }
func caseDeptIndex(dept string) string        { return keyPrefix + "cases:dept:" + dept }
func caseSeqKey(day string) string            { return keyPrefix + "cases:seq:" + day }

const (
	caseAllIndex         = keyPrefix + "cases:all"         // every case
	caseOpenIndex        = keyPrefix + "cases:open"        // cases whose time limit runs
	caseSupplementsIndex = keyPrefix + "cases:supplements" // scored by the earliest owed supplement
)

// CaseStore keeps cases: events in MinIO, view and indexes in Redis.
type CaseStore struct {
	b   *Blobs
	rdb redis.UniversalClient
	// Retention of events, notices and mail records, which are the acceptance's legal trail.
	retain Retainer
	now    func() time.Time
}

// NewCaseStore uses the buckets of b and the Redis of s. Its objects are kept without
// object-lock retention until Retain says otherwise.
func NewCaseStore(b *Blobs, s *State) *CaseStore {
	return &CaseStore{b: b, rdb: s.rdb, now: time.Now}
}

// Retain returns a store that puts case events, notices and mail records under the object-lock
// retention the hall's schedule gives what is not a document, like filed documents.
func (s *CaseStore) Retain(r Retainer) *CaseStore {
	c := *s
	c.retain = r
	return &c
}

// put writes an archive object, write-once when create, under the store's retention.
func (s *CaseStore) put(ctx context.Context, key, contentType string, data []byte, create bool) error {
	o := PutOptions{ContentType: contentType, IfAbsent: create}
	if s.retain != nil {
		o = o.WithLock(s.retain.Until("", "", s.now()))
	}
	_, err := s.b.PutBytes(ctx, Archive, key, data, o)
	return err
}

// ErrVersionConflict wraps the error of an event whose sequence number another desk took.
var ErrVersionConflict = errors.New("case version taken")

// AppendEvent files event seq of a case write-once. If that seq is taken, the answer is a
// Conflict with code version_conflict: the caller's view was stale.
func (s *CaseStore) AppendEvent(ctx context.Context, caseNo string, seq int, data []byte) error {
	const op = "storage.AppendEvent"
	err := s.put(ctx, CaseEventKey(caseNo, seq), "application/json", data, true)
	if errors.Is(err, ErrExists) {
		return errs.E(op, errs.Conflict, "version_conflict",
			fmt.Sprintf("Case %s changed meanwhile (version %d is taken); reload it and try again.", caseNo, seq), ErrVersionConflict)
	}
	if err == nil {
		s.countEvent(ctx)
	}
	return err
}

// Events reads a case's events in order; a case without any is NotFound (case_not_found).
func (s *CaseStore) Events(ctx context.Context, caseNo string) ([][]byte, error) {
	var keys []string
	for o, err := range s.b.List(ctx, Archive, CaseEventsPrefix(caseNo)) {
		if err != nil {
			return nil, err
		}
		keys = append(keys, o.Key)
	}
	if len(keys) == 0 {
		return nil, errs.Errorf("storage.Events", errs.NotFound, "case_not_found", "There is no case %s.", caseNo)
	}
	slices.Sort(keys)
	// Every change of a case replays it: read its events eight at a time, not one by one.
	out := make([][]byte, len(keys))
	fails := make([]error, len(keys))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, k := range keys {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i], fails[i] = s.b.Get(ctx, Archive, k)
		})
	}
	wg.Wait()
	for _, err := range fails {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CaseNos lists every case that has events in the archive, for reindexing.
func (s *CaseStore) CaseNos(ctx context.Context) ([]string, error) {
	var out []string
	for o, err := range s.b.List(ctx, Archive, "cases/") {
		if err != nil {
			return nil, err
		}
		rest := strings.TrimPrefix(o.Key, "cases/")
		no, tail, ok := strings.Cut(rest, "/")
		if ok && tail == "events/000001.json" {
			out = append(out, no)
		}
	}
	return out, nil
}

// CaseIndex is what the list indexes know of a case.
type CaseIndex struct {
	CaseNo  string
	Version int
	State   string
	Matter  string
	Due     time.Time // the due date; zero sorts first
	// Open marks a case whose time limit runs (accepted, with deficiencies, in review).
	Open bool
	// SupplementDue is the earliest due date of an owed supplement; zero when none is owed.
	SupplementDue time.Time
	// Departments are those of the case's matter, fixed for its life.
	Departments []string
}

func dayScore(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix())
}

// putView stores a view unless a newer one is there; it answers the state and matter the
// stored view had before ("" when none), or 0 when it kept the newer one.
var putView = redis.NewScript(`
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v >= tonumber(ARGV[1]) then return 0 end
local old = redis.call('HMGET', KEYS[1], 'state', 'matter')
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'json', ARGV[2], 'state', ARGV[3], 'matter', ARGV[4])
return {old[1] or '', old[2] or ''}
`)

// PutView caches a case's view and moves it in the list indexes, unless the cache already
// holds the same or a later version (two desks, or a desk and reindex, racing). It reports
// whether it wrote.
func (s *CaseStore) PutView(ctx context.Context, ix CaseIndex, view []byte) (bool, error) {
	const op = "storage.PutView"
	res, err := putView.Run(ctx, s.rdb, []string{caseViewKey(ix.CaseNo)}, ix.Version, view, ix.State, ix.Matter).Result()
	if err != nil {
		return false, unavailable(op, err)
	}
	old, ok := res.([]any)
	if !ok {
		return false, nil
	}
	oldState, _ := old[0].(string)
	oldMatter, _ := old[1].(string)
	score := dayScore(ix.Due)
	z := redis.Z{Score: score, Member: ix.CaseNo}
	// The indexes live on other slots than the view, so they are kept by plain commands; a
	// crash between them leaves an index that reindex rebuilds.
	pipe := s.rdb.Pipeline()
	if oldState != "" && (oldState != ix.State || oldMatter != ix.Matter) {
		pipe.ZRem(ctx, caseStateIndex(oldState), ix.CaseNo)
		pipe.ZRem(ctx, caseSMIndex(oldState, oldMatter), ix.CaseNo)
		pipe.ZRem(ctx, caseMatterIndex(oldMatter), ix.CaseNo)
	}
	pipe.ZAdd(ctx, caseAllIndex, z)
	pipe.ZAdd(ctx, caseStateIndex(ix.State), z)
	pipe.ZAdd(ctx, caseMatterIndex(ix.Matter), z)
	for _, d := range ix.Departments {
		pipe.ZAdd(ctx, caseDeptIndex(d), z)
	}
	pipe.ZAdd(ctx, caseSMIndex(ix.State, ix.Matter), z)
	if ix.Open {
		pipe.ZAdd(ctx, caseOpenIndex, z)
	} else {
		pipe.ZRem(ctx, caseOpenIndex, ix.CaseNo)
	}
	if ix.SupplementDue.IsZero() {
		pipe.ZRem(ctx, caseSupplementsIndex, ix.CaseNo)
	} else {
		pipe.ZAdd(ctx, caseSupplementsIndex, redis.Z{Score: dayScore(ix.SupplementDue), Member: ix.CaseNo})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return true, unavailable(op, err)
	}
	return true, nil
}

// View returns a case's cached view and its version; nil and 0 when Redis does not have it
// (the caller rebuilds it from the events).
func (s *CaseStore) View(ctx context.Context, caseNo string) ([]byte, int, error) {
	vals, err := s.rdb.HMGet(ctx, caseViewKey(caseNo), "v", "json").Result()
	if err != nil {
		return nil, 0, unavailable("storage.View", err)
	}
	vs, _ := vals[0].(string)
	js, _ := vals[1].(string)
	if js == "" {
		return nil, 0, nil
	}
	v, _ := strconv.Atoi(vs)
	return []byte(js), v, nil
}

// Views returns the cached views of several cases in one round trip; a missing one is nil.
func (s *CaseStore) Views(ctx context.Context, caseNos []string) ([][]byte, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(caseNos))
	for i, no := range caseNos {
		cmds[i] = pipe.HGet(ctx, caseViewKey(no), "json")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, unavailable("storage.Views", err)
	}
	out := make([][]byte, len(caseNos))
	for i, c := range cmds {
		if js, err := c.Result(); err == nil {
			out[i] = []byte(js)
		}
	}
	return out, nil
}

// CaseQuery selects cases from the indexes, ordered by due date.
type CaseQuery struct {
	State  string
	Matter string
	// Open keeps only cases whose time limit runs (for "overdue" and "due within").
	Open bool
	// Supplements lists cases by their earliest owed supplement instead of their due date.
	Supplements bool
	// Department lists one department's cases (State, Matter and Open are then the
	// caller's to filter).
	Department     string
	DueFrom, DueTo time.Time // inclusive days; zero: unbounded
	Offset, Limit  int
}

// ListCases answers the case numbers of one page of q and how many match in all.
func (s *CaseStore) ListCases(ctx context.Context, q CaseQuery) ([]string, int64, error) {
	const op = "storage.ListCases"
	key := caseAllIndex
	switch {
	case q.Supplements:
		key = caseSupplementsIndex
	case q.Department != "":
		key = caseDeptIndex(q.Department)
	case q.Open:
		key = caseOpenIndex
	case q.State != "" && q.Matter != "":
		key = caseSMIndex(q.State, q.Matter)
	case q.State != "":
		key = caseStateIndex(q.State)
	case q.Matter != "":
		key = caseMatterIndex(q.Matter)
	}
	lo, hi := "-inf", "+inf"
	if !q.DueFrom.IsZero() {
		lo = strconv.FormatFloat(dayScore(q.DueFrom), 'f', 0, 64)
	}
	if !q.DueTo.IsZero() {
		hi = strconv.FormatFloat(dayScore(q.DueTo), 'f', 0, 64)
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	pipe := s.rdb.Pipeline()
	count := pipe.ZCount(ctx, key, lo, hi)
	page := pipe.ZRangeByScore(ctx, key, &redis.ZRangeBy{Min: lo, Max: hi, Offset: int64(q.Offset), Count: int64(q.Limit)})
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, unavailable(op, err)
	}
	return page.Val(), count.Val(), nil
}

// NextCaseSeq hands out the next number of a day's (or any period's) case sequence. After a
// Redis loss the sequence starts again; opening a case files its first event write-once, so
// a number already used is refused there and the caller takes the next one.
func (s *CaseStore) NextCaseSeq(ctx context.Context, period string) (int64, error) {
	key := caseSeqKey(period)
	pipe := s.rdb.TxPipeline()
	n := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 400*24*time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, unavailable("storage.NextCaseSeq", err)
	}
	return n.Val(), nil
}

// PutNotice files a notice's PDF write-once. Filing the same notice again is not an error:
// a notice's ID comes from the event that ordered it.
func (s *CaseStore) PutNotice(ctx context.Context, caseNo, id string, pdf []byte) error {
	err := s.put(ctx, CaseNoticeKey(caseNo, id), "application/pdf", pdf, true)
	if errors.Is(err, ErrExists) {
		return nil
	}
	return err
}

// Notice reads a notice's PDF (NotFound, notice_not_found, when there is none).
func (s *CaseStore) Notice(ctx context.Context, caseNo, id string) ([]byte, error) {
	data, err := s.b.Get(ctx, Archive, CaseNoticeKey(caseNo, id))
	if errs.KindOf(err) == errs.NotFound {
		return nil, errs.Errorf("storage.Notice", errs.NotFound, "notice_not_found", "There is no notice %s.", id)
	}
	return data, err
}

// PutMail stores a mail item's record. create files it write-once (an ID already used is a
// Conflict); otherwise it writes a new version (the archive bucket keeps the old ones).
func (s *CaseStore) PutMail(ctx context.Context, id string, data []byte, create bool) error {
	const op = "storage.PutMail"
	key, ok := MailKey(id)
	if !ok {
		return errs.Errorf(op, errs.Invalid, "bad_mail_id", "%q is not a mail item ID.", id)
	}
	err := s.put(ctx, key, "application/json", data, create)
	if errors.Is(err, ErrExists) {
		return errs.Errorf(op, errs.Conflict, "mail_exists", "Mail item %s is already logged.", id)
	}
	return err
}

// Mail reads a mail item's record (NotFound, mail_not_found, when there is none).
func (s *CaseStore) Mail(ctx context.Context, id string) ([]byte, error) {
	key, ok := MailKey(id)
	if !ok {
		return nil, errs.Errorf("storage.Mail", errs.NotFound, "mail_not_found", "There is no mail item %s.", id)
	}
	data, err := s.b.Get(ctx, Archive, key)
	if errs.KindOf(err) == errs.NotFound {
		return nil, errs.Errorf("storage.Mail", errs.NotFound, "mail_not_found", "There is no mail item %s.", id)
	}
	return data, err
}

// MailOfDay reads the records of the mail items that arrived on day, in ID order.
func (s *CaseStore) MailOfDay(ctx context.Context, day time.Time) ([][]byte, error) {
	var out [][]byte
	for o, err := range s.b.List(ctx, Archive, MailDayPrefix(day)) {
		if err != nil {
			return nil, err
		}
		data, err := s.b.Get(ctx, Archive, o.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}
