package archive_test

import (
	"context"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/clock"
	"onewindow/storage"
)

// memAudit is an in-memory archive bucket and Redis for the audit chain: enough to show what
// the log does with the time, without servers.
type memAudit struct {
	mu      sync.Mutex
	objects map[string][]byte
	retain  map[string]time.Time
	lock    string
	head    *storage.AuditHead
}

func newMemAudit() *memAudit {
	return &memAudit{objects: map[string][]byte{}, retain: map[string]time.Time{}}
}

func (m *memAudit) Get(_ context.Context, _ storage.Bucket, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.objects[key], nil
}

func (m *memAudit) PutBytes(_ context.Context, _ storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[key]; ok && o.IfAbsent {
		return storage.ObjectInfo{}, storage.ErrExists
	}
	m.objects[key], m.retain[key] = data, o.RetainUntil
	return storage.ObjectInfo{Key: key}, nil
}

func (m *memAudit) List(_ context.Context, _ storage.Bucket, prefix string) iter.Seq2[storage.ObjectInfo, error] {
	return func(yield func(storage.ObjectInfo, error) bool) {
		for _, k := range m.keys() {
			if strings.HasPrefix(k, prefix) && !yield(storage.ObjectInfo{Key: k}, nil) {
				return
			}
		}
	}
}

func (m *memAudit) ListLevel(_ context.Context, _ storage.Bucket, prefix string) ([]string, error) {
	var names []string
	for _, k := range m.keys() {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			if dir, _, nested := strings.Cut(rest, "/"); nested {
				k = prefix + dir + "/"
			}
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	return names, nil
}

func (m *memAudit) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ks := make([]string, 0, len(m.objects))
	for k := range m.objects {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (m *memAudit) LockAudit(_ context.Context, token string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lock != "" {
		return false, nil
	}
	m.lock = token
	return true, nil
}

func (m *memAudit) UnlockAudit(_ context.Context, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lock == token {
		m.lock = ""
	}
	return nil
}

func (m *memAudit) MoveAuditHead(_ context.Context, token string, h storage.AuditHead) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lock != token {
		return false, nil
	}
	m.head = &h
	return true, nil
}

func (m *memAudit) AuditHead(context.Context) (storage.AuditHead, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.head == nil {
		return storage.AuditHead{}, false, nil
	}
	return *m.head, true, nil
}

// TestAuditEntriesTakeTheClocksTime: an entry without a time is dated by the log's clock, which
// decides its key (the day it is filed under) and how long it is retained.
func TestAuditEntriesTakeTheClocksTime(t *testing.T) {
	ctx := context.Background()
	mem := newMemAudit()
	now := time.Date(2031, 2, 28, 23, 59, 30, 0, clock.Clock{}.Location()) // the hall's; keys keep UTC
	l := &archive.AuditLog{Store: mem, Coord: mem, Origin: "api-1", RetentionMode: "GOVERNANCE", RetentionYears: 3,
		Clock: func() time.Time { return now }}
	var got []archive.AuditEntry
	for _, who := range []string{"clerk-1", "clerk-2"} {
		e, err := l.Append(ctx, archive.AuditEntry{Who: who, Role: "archivist", Action: "view"})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
		now = now.Add(time.Minute) // past midnight in UTC+8, still the 28th in UTC
	}
	wantKeys := []string{"audit/2031/02/28/000000000001.json", "audit/2031/02/28/000000000002.json"}
	if keys := mem.keys(); !slices.Equal(keys, wantKeys) {
		t.Fatalf("keys %q, want %q", keys, wantKeys)
	}
	if !got[0].Time.Equal(time.Date(2031, 2, 28, 15, 59, 30, 0, time.UTC)) || got[0].Time.Location() != time.UTC {
		t.Errorf("entry time %v, want the clock's, in UTC", got[0].Time)
	}
	if until := mem.retain[wantKeys[0]]; !until.Equal(got[0].Time.AddDate(3, 0, 0)) {
		t.Errorf("retained until %v, want three years after %v", until, got[0].Time)
	}
	if mem.head == nil || mem.head.Seq != 2 || mem.head.Key != wantKeys[1] {
		t.Errorf("head %+v", mem.head)
	}
	v, err := archive.VerifyAudit(ctx, mem, mem.head, 2)
	if err != nil || !v.OK || v.LastSeq != 2 {
		t.Fatalf("verify %+v %v", v, err)
	}
}
