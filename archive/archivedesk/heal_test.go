package archivedesk_test

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"onewindow/archive"
	"onewindow/archive/archivedesk"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// batchIDAt is a UUIDv7 made at t, as intake makes them.
func batchIDAt(t time.Time) string {
	var u uuid.UUID
	_, _ = rand.Read(u[:])
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(u[:6], ms[2:])
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u.String()
}

// synthetic is a hall's archive made without the pipeline: a batch and one document a time
// given, filed in MinIO (record, text, manifest) and indexed in Redis and the search index.
type synthetic struct {
	blobs *storage.Blobs
	st    *storage.State
	idx   *archive.Index
	docs  []string // document IDs, in the order of the times given
	// noText files records without their text: enough for passes that repair nothing.
	noText bool
}

func newSynthetic(t testing.TB) *synthetic {
	svc := testenv.Services(t)
	idx, err := archive.OpenIndex(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close() })
	return &synthetic{blobs: testenv.Blobs(t, svc), st: testenv.State(t, svc), idx: idx}
}

// file files one document a time in times, 32 at once.
func (s *synthetic) file(t testing.TB, times []time.Time) {
	ctx := context.Background()
	ids := make([]string, len(times))
	recs := make([]*archive.Record, len(times))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	var mu sync.Mutex
	var firstErr error
	for i, at := range times {
		b := &storage.Batch{ID: batchIDAt(at), Status: storage.StatusDone, CreatedAt: at, UpdatedAt: at, CaseNo: fmt.Sprintf("JL-SYN-%d", i%50)}
		rec := &archive.Record{DocumentID: b.ID + "-001", BatchID: b.ID, CaseNo: b.CaseNo, Type: "application_form",
			Title: "申请表", FiledAt: at}
		ids[i], recs[i] = rec.DocumentID, rec
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			data, _ := json.Marshal(rec)
			err := storage.SaveManifest(ctx, s.blobs, b)
			if err == nil && !s.noText {
				_, err = s.blobs.PutBytes(ctx, storage.Archive, storage.DocumentTextKey(rec.DocumentID), []byte("申请表 营业执照"), storage.PutOptions{ContentType: "text/plain"})
			}
			if err == nil {
				_, err = s.blobs.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey(rec.DocumentID), data, storage.PutOptions{ContentType: "application/json"})
			}
			if err == nil {
				err = s.st.PutBatch(ctx, b)
			}
			if err == nil {
				err = s.st.PutDocument(ctx, archive.DocumentFromRecord(rec))
			}
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	batch := s.idx.NewBatch()
	for _, rec := range recs {
		if err := batch.Add(rec, "申请表 营业执照"); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Flush(); err != nil {
		t.Fatal(err)
	}
	s.docs = append(s.docs, ids...)
}

func (s *synthetic) desk(chunk int) *archivedesk.Desk {
	return &archivedesk.Desk{Blobs: s.blobs, State: s.st, Index: s.idx, Log: slog.New(slog.DiscardHandler), Origin: "test", HealChunk: chunk}
}

// spread is n times from from back to to ago, evenly.
func spread(n int, from, to time.Duration) []time.Time {
	now := time.Now()
	out := make([]time.Time, n)
	for i := range out {
		out[i] = now.Add(-from - time.Duration(i)*(to-from)/time.Duration(max(n, 1)))
	}
	return out
}

// heal runs one pass as a new period (the claim is per period) and fails the test on error.
func heal(t testing.TB, d *archivedesk.Desk) *archivedesk.HealResult {
	t.Helper()
	time.Sleep(2 * time.Millisecond)
	res, err := d.Heal(context.Background(), time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A partial loss of Redis and of a search feed: entries of documents taken in over the last
// hours, days and months, a batch and a batch's last status go. The first pass brings back
// the fresh ones, the two round robins the others within the passes their chunks take (any
// three passes cover the three chunks of the older documents), and a pass over whole indexes
// repairs nothing.
func TestHealRepairsWhatAPartialLossTook(t *testing.T) {
	s := newSynthetic(t)
	s.file(t, spread(10, time.Minute, 110*time.Minute))     // fresh: compared every pass
	s.file(t, spread(20, 3*time.Hour, 70*time.Hour))        // recent: two chunks
	s.file(t, spread(30, 30*24*time.Hour, 90*24*time.Hour)) // older: three chunks
	d := s.desk(10)
	ctx := context.Background()
	for range 3 {
		if res := heal(t, d); len(res.Repaired) != 0 {
			t.Fatalf("whole indexes: repaired %v", res.Repaired)
		}
	}

	rdb := s.st.Redis()
	freshGone, searchGone, recentGone, oldGone := s.docs[3], s.docs[7], s.docs[15], s.docs[30]
	lostBatch := s.docs[1][:36]
	for _, id := range []string{freshGone, recentGone, oldGone} {
		rec, _ := archive.ReadRecord(ctx, s.blobs, id)
		rdb.Del(ctx, "ow:doc:"+id)
		rdb.SRem(ctx, "ow:docs", id)
		rdb.SRem(ctx, "ow:case:"+rec.CaseNo, id)
	}
	if err := s.idx.Remove(searchGone); err != nil {
		t.Fatal(err)
	}
	rdb.Del(ctx, "ow:{batch:"+lostBatch+"}")
	stale, _ := storage.LoadManifest(ctx, s.blobs, s.docs[2][:36]) // its "done" lost: Redis says processing
	stale.Status, stale.UpdatedAt = storage.StatusProcessing, stale.UpdatedAt.Add(-time.Minute)
	if err := s.st.PutBatch(ctx, stale); err != nil {
		t.Fatal(err)
	}

	res := heal(t, d)
	if res.Repaired["documents"] < 1 || res.Repaired["search"] != 1 || res.Repaired["batches"] != 2 {
		t.Errorf("first pass repaired %v, want the fresh document, the search entry and both batches", res.Repaired)
	}
	if _, err := s.st.GetDocument(ctx, freshGone); err != nil {
		t.Errorf("the fresh document is not back after one pass: %v", err)
	}
	total := res.Repaired["documents"]
	for range 2 {
		total += heal(t, d).Repaired["documents"]
	}
	if total != 3 {
		t.Errorf("three passes repaired %d documents, want 3", total)
	}
	for _, id := range []string{recentGone, oldGone} {
		if doc, err := s.st.GetDocument(ctx, id); err != nil || doc.ID != id {
			t.Errorf("%s: %v %v", id, doc, err)
		}
	}
	if held, _ := s.idx.Holding([]string{searchGone}); !held[searchGone] {
		t.Errorf("%s is not searchable again", searchGone)
	}
	if b, err := s.st.GetBatch(ctx, stale.ID); err != nil || b.Status != storage.StatusDone {
		t.Errorf("the batch whose last status Redis lost: %v %v", b, err)
	}
	if _, err := s.st.GetBatch(ctx, lostBatch); err != nil {
		t.Errorf("the lost batch: %v", err)
	}
	for range 3 {
		if res := heal(t, d); len(res.Repaired) != 0 {
			t.Errorf("healed indexes: repaired %v again", res.Repaired)
		}
	}
}

// The audit chain's head loses its last move (a partial loss of Redis) after an entry written
// yesterday: the next append, today, would find its key free and fork the chain. The pass
// finds the entry after the head and puts the head back from MinIO; once, and only then.
func TestHealPutsBackTheAuditHead(t *testing.T) {
	s := newSynthetic(t)
	ctx := context.Background()
	log := &archive.AuditLog{Store: s.blobs, Coord: s.st, Origin: "test", RetentionMode: "GOVERNANCE", RetentionYears: 1}
	yesterday := time.Now().Add(-24 * time.Hour)
	var heads []storage.AuditHead
	for i := range 2 {
		if _, err := log.Append(ctx, archive.AuditEntry{Time: yesterday.Add(time.Duration(i) * time.Minute), Who: "a", Role: "archivist", Action: "search"}); err != nil {
			t.Fatal(err)
		}
		h, _, err := s.st.AuditHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		heads = append(heads, h)
	}
	d := s.desk(0)
	if res := heal(t, d); len(res.Repaired) != 0 {
		t.Fatalf("a current head: repaired %v", res.Repaired)
	}
	old := heads[0]
	if err := s.st.Redis().HSet(ctx, "ow:{audit}:head", "seq", old.Seq, "hash", old.Hash, "key", old.Key).Err(); err != nil {
		t.Fatal(err)
	}
	if res := heal(t, d); res.Repaired["audit"] != 1 {
		t.Errorf("a head one entry behind: repaired %v", res.Repaired)
	}
	if h, _, err := s.st.AuditHead(ctx); err != nil || h != heads[1] {
		t.Errorf("head %+v %v, want %+v", h, err, heads[1])
	}
	if res := heal(t, d); len(res.Repaired) != 0 {
		t.Errorf("after the repair: repaired %v", res.Repaired)
	}
}

// A reviewer's correction superseded a document, but Redis lost the write that said so and
// the feed the notice: the document stays searchable and its entry says it is in force. The
// pass sees the corrected batch's new document, reads the note beside the old one and
// repairs both indexes.
func TestHealFindsALostSupersession(t *testing.T) {
	s := newSynthetic(t)
	s.file(t, spread(3, time.Minute, time.Hour))
	ctx := context.Background()
	old := s.docs[1]
	batch := old[:36]
	rec := &archive.Record{DocumentID: batch + "-r1-001", BatchID: batch, CaseNo: "JL-SYN-1", Type: "id_card", Title: "身份证", FiledAt: time.Now()}
	data, _ := json.Marshal(rec)
	note, _ := json.Marshal(storage.Supersession{DocumentID: old, SupersededBy: []string{rec.DocumentID}, BatchID: batch, Revision: 1, At: time.Now()})
	for key, body := range map[string][]byte{storage.DocumentTextKey(rec.DocumentID): []byte("身份证"),
		storage.DocumentRecordKey(rec.DocumentID): data, storage.SupersededKey(old): note} {
		if _, err := s.blobs.PutBytes(ctx, storage.Archive, key, body, storage.PutOptions{ContentType: "application/json"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.st.PutDocument(ctx, archive.DocumentFromRecord(rec)); err != nil {
		t.Fatal(err)
	}
	if err := s.idx.Add(rec, "身份证"); err != nil {
		t.Fatal(err)
	}
	d := s.desk(0)
	if res := heal(t, d); res.Repaired["documents"] != 1 || res.Repaired["search"] != 1 {
		t.Errorf("repaired %v, want the old document's entry and its search entry", res.Repaired)
	}
	if doc, err := s.st.GetDocument(ctx, old); err != nil || len(doc.SupersededBy) != 1 {
		t.Errorf("the superseded document's entry: %+v %v", doc, err)
	}
	if held, _ := s.idx.Holding([]string{old, rec.DocumentID}); held[old] || !held[rec.DocumentID] {
		t.Errorf("search holds %v; want the new document only", held)
	}
	if res := heal(t, d); len(res.Repaired) != 0 {
		t.Errorf("after the repair: repaired %v", res.Repaired)
	}
}
