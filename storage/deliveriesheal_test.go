package storage_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"onewindow/internal/testenv"
	"onewindow/storage"
)

// A partial loss of Redis: one delivery's last update and another's entry are gone. Healing a
// delivery at a time, once round, indexes both again from MinIO; a second round finds nothing.
func TestHealDeliveryIndex(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	st := testenv.State(t, svc)
	ds := storage.NewDeliveryStore(testenv.Blobs(t, svc), st)
	put := func(key, state string) []byte {
		t.Helper()
		data, err := ds.UpdateDelivery(ctx, key, func([]byte) ([]byte, storage.DeliveryIndex, error) {
			r := rec{Key: key, CaseNo: "C9", Department: "market", State: state, Updated: time.Now()}
			data, _ := json.Marshal(r)
			return data, r.index(), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	parse := func(data []byte) (storage.DeliveryIndex, error) {
		var r rec
		err := json.Unmarshal(data, &r)
		return r.index(), err
	}
	heal := func(limit int) int {
		t.Helper()
		total, after := 0, ""
		for range 10 {
			next, n, err := ds.HealDeliveryIndex(ctx, after, limit, time.Now().Add(time.Minute), parse)
			if err != nil {
				t.Fatal(err)
			}
			if total += n; next == "" {
				return total
			}
			after = next
		}
		t.Fatal("healing never went round")
		return 0
	}
	put("h1", "pending")
	older := put("h2", "pending")
	put("h2", "delivered")
	put("h3", "pending")
	if n := heal(1); n != 0 {
		t.Fatalf("whole lists: %d repaired", n)
	}
	rdb := st.Redis()
	rdb.HSet(ctx, "ow:{case:C9}:deliveries", "h2", older)
	rdb.ZRem(ctx, "ow:deliveries:state:delivered", "C9 h2")
	rdb.ZAdd(ctx, "ow:deliveries:state:pending", redis.Z{Score: 1, Member: "C9 h2"})
	rdb.HDel(ctx, "ow:{case:C9}:deliveries", "h3")
	if n := heal(1); n != 2 {
		t.Errorf("repaired %d deliveries, want 2", n)
	}
	raws, err := ds.ListDeliveries(ctx, storage.DeliveryQuery{State: "delivered"})
	if err != nil || len(raws) != 1 {
		t.Errorf("delivered: %d %v, want h2", len(raws), err)
	}
	if raws, err := ds.CaseDeliveries(ctx, "C9"); err != nil || len(raws) != 3 {
		t.Errorf("the case's deliveries: %d %v, want 3", len(raws), err)
	}
	if n := heal(2); n != 0 {
		t.Errorf("after the repair: %d repaired again", n)
	}
}
