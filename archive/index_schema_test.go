package archive

import (
	"testing"
	"time"
)

// An index is rebuilt for a new schema once: the rebuild marks it current only when it is
// complete, so one cut short is done again at the next start, and one completed is not.
func TestIndexSchemaMigratesOnce(t *testing.T) {
	dir := t.TempDir()
	reopen := func(x *Index) *Index {
		t.Helper()
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
		x, err := OpenIndex(dir)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	x, err := OpenIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if x.Stale() {
		t.Fatal("a new index is stale")
	}
	// As a release with an older mapping left it.
	if err := x.idx.SetInternal(schemaKey, []byte("1")); err != nil {
		t.Fatal(err)
	}
	if x = reopen(x); !x.Stale() {
		t.Fatal("an index of an older schema is not stale")
	}

	// A rebuild that stops after Reset (the process killed): still stale, now and next start.
	if err := x.Reset(); err != nil {
		t.Fatal(err)
	}
	if !x.Stale() {
		t.Error("an index being rebuilt counts as current")
	}
	if x = reopen(x); !x.Stale() {
		t.Fatal("a rebuild cut short left the index marked current")
	}

	// A whole rebuild: Reset, every record, Persist.
	if err := x.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := x.Add(&Record{DocumentID: "b-001", CaseNo: "JL-1", Title: "授权委托书", FiledAt: time.Now()}, "授权委托书"); err != nil {
		t.Fatal(err)
	}
	if err := x.Persist(); err != nil {
		t.Fatal(err)
	}
	if x.Stale() {
		t.Error("a rebuilt index is stale")
	}
	x = reopen(x)
	defer x.Close()
	if x.Stale() {
		t.Error("a rebuilt index is stale after a restart: it would be rebuilt again")
	}
	if n, err := x.Count(); err != nil || n != 1 {
		t.Errorf("count %d, %v; want the rebuilt document", n, err)
	}
	// Persist outside a rebuild keeps what it found.
	if err := x.Persist(); err != nil || x.Stale() {
		t.Errorf("persist: %v, stale %v", err, x.Stale())
	}
}
