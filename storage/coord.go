package storage

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Coordination of several processes through Redis: the audit chain's lock and head, the
// stream that announces filed documents, and the lock that lets one process run each
// scheduled fixity period. The archive holds the logic; these are its keys and scripts.

// The audit chain's lock and head are read and written together by one script, so on a
// Redis Cluster they share the hash tag {audit}. Before the tag they were ow:audit:lock and
// ow:audit:head: an installation that still has the old head loses nothing by the rename,
// for a missing head is found again in MinIO (archive.FindAuditHead), as after a flush.
// Processes of the old and new release take different locks, though: upgrade every API
// process of a hall together, or `onewindow audit verify` will name the fork.
const (
	auditLockKey = keyPrefix + "{audit}:lock"
	auditHeadKey = keyPrefix + "{audit}:head"
)

// filedStream tells every API process of a filed document, so each keeps its own search
// index current although workers run elsewhere. Always used alone: no hash tag.
const filedStream = keyPrefix + "filed"

// filedStreamMax bounds the stream; a process that falls further behind should reindex.
const filedStreamMax = 100_000

func fixityRunKey(slot int64) string { return keyPrefix + "fixity:run:" + strconv.FormatInt(slot, 10) }
func resumeRunKey(slot int64) string { return keyPrefix + "resume:run:" + strconv.FormatInt(slot, 10) }
func healRunKey(slot int64) string   { return keyPrefix + "heal:run:" + strconv.FormatInt(slot, 10) }

// StateFrom wraps a client that is already open, for callers given the shared client rather
// than the State; closing it is the owner's business.
func StateFrom(rdb redis.UniversalClient) *State { return &State{rdb: rdb} }

// AuditHead is the audit chain's last entry as Redis remembers it.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	Key  string `json:"key"`
}

// LockAudit takes the audit chain's lock for token unless another writer holds it; ttl
// bounds how long a crashed writer blocks the others.
func (s *State) LockAudit(ctx context.Context, token string, ttl time.Duration) (bool, error) {
	return s.claim(ctx, "storage.LockAudit", auditLockKey, token, ttl)
}

// claim sets key to holder for ttl unless someone holds it, and says whether holder got it:
// the one mechanism behind the audit lock, the reconcile lock and the per-period run claims.
func (s *State) claim(ctx context.Context, op, key, holder string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, key, holder, ttl).Result()
	if err != nil {
		return false, unavailable(op, err)
	}
	return ok, nil
}

// releaseAudit deletes the lock only if this writer still holds it.
var releaseAudit = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// UnlockAudit releases the lock if token still holds it.
func (s *State) UnlockAudit(ctx context.Context, token string) error {
	if err := releaseAudit.Run(ctx, s.rdb, []string{auditLockKey}, token).Err(); err != nil {
		return unavailable("storage.UnlockAudit", err)
	}
	return nil
}

// moveAuditHead moves the head only while the lock is still this writer's: a writer whose
// lock expired must not move it back.
var moveAuditHead = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then
redis.call("HSET", KEYS[2], "seq", ARGV[2], "hash", ARGV[3], "key", ARGV[4]) return 1 end return 0`)

// MoveAuditHead records h as the head if token still holds the lock, and says whether it did.
func (s *State) MoveAuditHead(ctx context.Context, token string, h AuditHead) (bool, error) {
	moved, err := moveAuditHead.Run(ctx, s.rdb, []string{auditLockKey, auditHeadKey}, token, h.Seq, h.Hash, h.Key).Int()
	if err != nil {
		return false, unavailable("storage.MoveAuditHead", err)
	}
	return moved == 1, nil
}

// AuditHead is the head Redis holds; ok is false when it holds none (new, flushed or lost).
func (s *State) AuditHead(ctx context.Context) (h AuditHead, ok bool, err error) {
	m, err := s.rdb.HGetAll(ctx, auditHeadKey).Result()
	if err != nil {
		return h, false, unavailable("storage.AuditHead", err)
	}
	if m["hash"] == "" {
		return h, false, nil
	}
	seq, _ := strconv.ParseInt(m["seq"], 10, 64)
	return AuditHead{Seq: seq, Hash: m["hash"], Key: m["key"]}, true, nil
}

// FiledNotice is one entry of the filed stream: a filed document, or a request from the
// process Reindex to rebuild every other process's index.
type FiledNotice struct {
	ID      string // the stream position of this notice
	Doc     string
	Reindex string
}

// AnnounceFiled tells the API processes that a document was filed.
func (s *State) AnnounceFiled(ctx context.Context, docID string) error {
	return s.announce(ctx, "storage.AnnounceFiled", "doc", docID)
}

// AnnounceReindex tells the API processes other than origin to rebuild their search index.
func (s *State) AnnounceReindex(ctx context.Context, origin string) error {
	return s.announce(ctx, "storage.AnnounceReindex", "reindex", origin)
}

func (s *State) announce(ctx context.Context, op, field, value string) error {
	err := s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: filedStream, MaxLen: filedStreamMax, Approx: true,
		Values: map[string]any{field: value}}).Err()
	if err != nil {
		return unavailable(op, err)
	}
	return nil
}

// ReadFiled waits up to block for notices after position after ("0" for the beginning) and
// returns at most count of them; none when block passed without news.
func (s *State) ReadFiled(ctx context.Context, after string, count int64, block time.Duration) ([]FiledNotice, error) {
	res, err := s.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{filedStream, after}, Count: count, Block: block}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable("storage.ReadFiled", err)
	}
	var out []FiledNotice
	for _, st := range res {
		for _, m := range st.Messages {
			n := FiledNotice{ID: m.ID}
			n.Doc, _ = m.Values["doc"].(string)
			n.Reindex, _ = m.Values["reindex"].(string)
			out = append(out, n)
		}
	}
	return out, nil
}

// LastFiled is the position of the newest notice, or "" when the stream is empty.
func (s *State) LastFiled(ctx context.Context) (string, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, filedStream, "+", "-", 1).Result()
	if err != nil {
		return "", unavailable("storage.LastFiled", err)
	}
	if len(msgs) == 0 {
		return "", nil
	}
	return msgs[0].ID, nil
}

// ClaimFixityRun lets one of several processes run the scheduled fixity check of a period:
// the first to claim slot (the period's start, in Unix seconds) gets true. The claim lasts
// ttl, one period, so it never needs releasing.
func (s *State) ClaimFixityRun(ctx context.Context, slot int64, origin string, ttl time.Duration) (bool, error) {
	return s.claim(ctx, "storage.ClaimFixityRun", fixityRunKey(slot), origin, ttl)
}

// ClaimResumeRun lets one of several processes resume transiently failed batches in a period,
// as ClaimFixityRun does for fixity.
func (s *State) ClaimResumeRun(ctx context.Context, slot int64, origin string, ttl time.Duration) (bool, error) {
	return s.claim(ctx, "storage.ClaimResumeRun", resumeRunKey(slot), origin, ttl)
}

// ClaimHealRun lets one of several processes compare MinIO with the Redis indexes in a
// period and repair them, as ClaimFixityRun does for fixity. (Each process still compares
// its own search index: that one is not shared.)
func (s *State) ClaimHealRun(ctx context.Context, slot int64, origin string, ttl time.Duration) (bool, error) {
	return s.claim(ctx, "storage.ClaimHealRun", healRunKey(slot), origin, ttl)
}

// epochKey marks a Redis that holds onewindow's indexes: written after they were built or
// rebuilt. A Redis without it was lost (restarted without persistence, flushed, replaced) or
// is new, and its indexes must be rebuilt from MinIO. rebuildKey names the rebuild under way,
// so that a Redis lost again in the middle of one (which takes the note with it) is never
// marked whole over a partial index. reconcileLockKey lets one process do it. The two epoch
// keys share a hash tag, so one script on a Redis Cluster can check one and set the other.
const (
	epochKey         = keyPrefix + "{epoch}"
	rebuildKey       = keyPrefix + "{epoch}:rebuilding"
	reconcileLockKey = keyPrefix + "reconcile:lock"
)

// Epoch answers the epoch mark, and whether Redis has one.
func (s *State) Epoch(ctx context.Context) (string, bool, error) {
	v, err := s.rdb.Get(ctx, epochKey).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, unavailable("storage.Epoch", err)
	}
	return v, true, nil
}

// BeginRebuild notes that run is rebuilding the indexes; a later run takes the note over.
func (s *State) BeginRebuild(ctx context.Context, run string) error {
	if err := s.rdb.Set(ctx, rebuildKey, run, 0).Err(); err != nil {
		return unavailable("storage.BeginRebuild", err)
	}
	return nil
}

var finishRebuild = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then
redis.call("SET", KEYS[2], ARGV[2]) redis.call("DEL", KEYS[1]) return 1 end return 0`)

// FinishRebuild writes the epoch mark epoch if run's note is still there, and says whether it
// did: when it is not, Redis was lost (or another rebuild began) while run was rebuilding.
func (s *State) FinishRebuild(ctx context.Context, run, epoch string) (bool, error) {
	done, err := finishRebuild.Run(ctx, s.rdb, []string{rebuildKey, epochKey}, run, epoch).Int()
	if err != nil {
		return false, unavailable("storage.FinishRebuild", err)
	}
	return done == 1, nil
}

// ClaimReconcile lets origin rebuild the indexes for ttl unless another process does.
func (s *State) ClaimReconcile(ctx context.Context, origin string, ttl time.Duration) (bool, error) {
	return s.claim(ctx, "storage.ClaimReconcile", reconcileLockKey, origin, ttl)
}
