package main

import (
	"context"
	"testing"
	"time"
)

// Redis lost without persistence, with one batch filed and one in flight: nobody calls
// reindex, yet the API processes notice the missing epoch mark, one of them rebuilds Redis
// from MinIO, the filed documents answer again and the batch whose tasks vanished finishes.
func TestRedisLossIsReconciled(t *testing.T) {
	d, _, _, state := archiveDaemon(t, "ONEWINDOW_RECONCILE_EVERY=1s")
	ctx := context.Background()
	fields := map[string]string{"case_no": "JL-RECON-1"}
	code, body := d.upload(testToken, nil, fields, stackPages(t)...)
	if code != 202 {
		t.Fatalf("upload: %d %v", code, body)
	}
	filed := d.waitBatch(body["id"].(string), 3*time.Minute)
	docID := filed["documents"].([]any)[0].(map[string]any)["id"].(string)

	code, body = d.upload(testToken, nil, map[string]string{"case_no": "JL-RECON-2"}, stackPages(t)...)
	if code != 202 {
		t.Fatalf("upload: %d %v", code, body)
	}
	inFlight := body["id"].(string)
	if err := state.Redis().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		if code, _ := d.get("/api/v1/documents/" + docID); code == 200 {
			break
		}
		if time.Since(start) > time.Minute {
			t.Fatal("the filed document did not answer again within a minute of Redis being lost")
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("indexes back %v after Redis was lost", time.Since(start).Round(100*time.Millisecond))
	if b := d.waitBatch(inFlight, 3*time.Minute); b["status"] != "done" {
		t.Errorf("the batch in flight when Redis was lost: %v %v", b["status"], b["error"])
	}
}
