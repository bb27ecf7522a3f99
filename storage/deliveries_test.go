package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"onewindow/internal/errs"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// rec is a stand-in for delivery.Delivery: storage sees only bytes and the index. Like a
// delivery it carries the time of its last change, which a rebuild of the index reads back.
type rec struct {
	Key, CaseNo, Department, State string
	Dead                           bool
	Attempts                       int
	Updated                        time.Time
}

func (r rec) index() storage.DeliveryIndex {
	return storage.DeliveryIndex{Key: r.Key, CaseNo: r.CaseNo, Department: r.Department, State: r.State, Dead: r.Dead, Updated: r.Updated}
}

// changeClock gives each change a time a millisecond after the last, so that "newest change
// first" never rests on two changes falling in the same millisecond.
type changeClock struct {
	mu   sync.Mutex
	last time.Time
}

func (c *changeClock) next() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = c.last.Add(time.Millisecond)
	return c.last
}

func TestDeliveryStore(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	st := testenv.State(t, svc)
	ds := storage.NewDeliveryStore(testenv.Blobs(t, svc), st)
	clock := &changeClock{last: time.Now()}

	bump := func(key, caseNo, dept, state string, dead bool) func(old []byte) ([]byte, storage.DeliveryIndex, error) {
		return func(old []byte) ([]byte, storage.DeliveryIndex, error) {
			r := rec{Key: key, CaseNo: caseNo, Department: dept}
			if old != nil {
				if err := json.Unmarshal(old, &r); err != nil {
					return nil, storage.DeliveryIndex{}, err
				}
			}
			r.Attempts++
			r.State, r.Dead, r.Updated = state, dead, clock.next()
			data, _ := json.Marshal(r)
			return data, r.index(), nil
		}
	}

	t.Run("concurrent updates of one delivery lose nothing", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := ds.UpdateDelivery(ctx, "k1", bump("k1", "C1", "market", "pending", false)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		data, err := ds.Delivery(ctx, "k1")
		if err != nil {
			t.Fatal(err)
		}
		var r rec
		_ = json.Unmarshal(data, &r)
		if r.Attempts != 8 {
			t.Fatalf("attempts = %d, want 8 (an update was lost)", r.Attempts)
		}
	})

	t.Run("an error from fn stores nothing; a missing one is delivery_not_found", func(t *testing.T) {
		_, err := ds.UpdateDelivery(ctx, "k2", func([]byte) ([]byte, storage.DeliveryIndex, error) {
			return nil, storage.DeliveryIndex{}, errs.E("t", errs.Conflict, "nope", "", nil)
		})
		if errs.CodeOf(err) != "nope" {
			t.Fatalf("err = %v", err)
		}
		if _, err := ds.Delivery(ctx, "k2"); errs.CodeOf(err) != "delivery_not_found" {
			t.Fatalf("Delivery of a key never stored: %v", err)
		}
	})

	t.Run("lists follow state changes and are rebuilt from MinIO", func(t *testing.T) {
		mustUpdate := func(key, caseNo, dept, state string, dead bool) {
			t.Helper()
			if _, err := ds.UpdateDelivery(ctx, key, bump(key, caseNo, dept, state, dead)); err != nil {
				t.Fatal(err)
			}
		}
		mustUpdate("k3", "C2", "market", "pending", false)
		mustUpdate("k4", "C2", "tax", "pending", false)
		mustUpdate("k3", "C2", "market", "delivered", false)
		mustUpdate("k4", "C2", "tax", "failed", true)
		check := func(when string) {
			t.Helper()
			for _, tc := range []struct {
				q    storage.DeliveryQuery
				want []string
			}{
				{storage.DeliveryQuery{State: "delivered"}, []string{"k3"}},
				{storage.DeliveryQuery{State: "failed"}, []string{"k4"}},
				{storage.DeliveryQuery{Dead: true}, []string{"k4"}},
				{storage.DeliveryQuery{State: "pending"}, []string{"k1"}},
				{storage.DeliveryQuery{Department: "tax"}, []string{"k4"}},
				{storage.DeliveryQuery{}, []string{"k4", "k3", "k1"}}, // every state, newest change first
			} {
				raws, err := ds.ListDeliveries(ctx, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, raw := range raws {
					var r rec
					_ = json.Unmarshal(raw, &r)
					got = append(got, r.Key)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("%s: %+v lists %v, want %v", when, tc.q, got, tc.want)
				}
			}
			raws, err := ds.CaseDeliveries(ctx, "C2")
			if err != nil || len(raws) != 2 {
				t.Errorf("%s: case C2 has %d deliveries (%v), want 2", when, len(raws), err)
			}
		}
		check("live")
		if err := st.Redis().FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		n, err := ds.RebuildDeliveryIndex(ctx, func(data []byte) (storage.DeliveryIndex, error) {
			var r rec
			err := json.Unmarshal(data, &r)
			return r.index(), err
		})
		if err != nil || n != 3 {
			t.Fatalf("rebuild: %d, %v; want 3", n, err)
		}
		check("after Redis was lost")
	})

	t.Run("case records are write-once", func(t *testing.T) {
		key := storage.PackageVersionKey("C3", 1)
		if err := ds.PutOnce(ctx, key, []byte(`{"version":1}`)); err != nil {
			t.Fatal(err)
		}
		if err := ds.PutOnce(ctx, key, []byte(`{"version":1,"x":2}`)); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second PutOnce: %v, want a conflict", err)
		}
		_ = ds.PutOnce(ctx, storage.PackageVersionKey("C3", 2), []byte(`{"version":2}`))
		vs, err := ds.PackageVersions(ctx, "C3")
		if err != nil || len(vs) != 2 || string(vs[0]) != `{"version":1}` {
			t.Fatalf("versions = %q, %v", vs, err)
		}
	})
}
