package main

import (
	"context"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
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

// A partial loss: one filed document's Redis entries and its search entry vanish (as the last
// second of an AOF, or writes a failover did not replicate, take them) while the epoch mark
// stays. The reconciler's comparison with MinIO puts both back within its interval and counts
// the repairs; the installation, new when the test began, started without a warning.
func TestPartialLossIsHealed(t *testing.T) {
	every := "ONEWINDOW_RECONCILE_EVERY=1s"
	d, env, _, state := archiveDaemon(t, every)
	ctx := context.Background()
	const caseNo = "JL-HEAL-1"
	filed := d.uploadDone(map[string]string{"case_no": caseNo}, 3*time.Minute, stackPages(t)...)
	docs := filed["documents"].([]any)
	docID := docs[0].(map[string]any)["id"].(string)
	d.search(url.Values{"case_no": {caseNo}}, len(docs))
	if log := d.log.String(); strings.Contains(log, "lost its indexes") || !strings.Contains(log, "new installation") {
		t.Errorf("a new installation should start quietly, noting only that it is new:\n%s", log)
	}
	if n := indexRepairs(t, d, "documents") + indexRepairs(t, d, "search"); n != 0 {
		t.Errorf("filing counted %v repairs; nothing was lost", n)
	}

	// The search index lives in the API process: stop it to take the document out.
	d.stop()
	rdb := state.Redis()
	for _, err := range []error{rdb.Del(ctx, "ow:doc:"+docID).Err(), rdb.SRem(ctx, "ow:docs", docID).Err(),
		rdb.SRem(ctx, "ow:case:"+caseNo, docID).Err()} {
		if err != nil {
			t.Fatal(err)
		}
	}
	idx, err := archive.OpenIndex(filepath.Join(d.dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Remove(docID); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}

	d = startDaemon(t, d.dir, append(env, every)...)
	start := time.Now()
	for {
		code, _ := d.get("/api/v1/documents/" + docID)
		_, body := d.get("/api/v1/search?" + url.Values{"case_no": {caseNo}}.Encode())
		if code == 200 && int(body["total"].(float64)) == len(docs) {
			break
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("the lost entries of %s did not come back within a minute: document %d, search %v", docID, code, body["total"])
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("Redis entry and search entry back %v after the restart (interval 1 s)", time.Since(start).Round(100*time.Millisecond))
	ids, err := state.DocumentsOfCase(ctx, caseNo)
	if err != nil || len(ids) != len(docs) {
		t.Errorf("the case's set in Redis: %v %v, want %d documents", ids, err, len(docs))
	}
	for index, want := range map[string]float64{"documents": 1, "search": 1, "batches": 0, "cases": 0, "deliveries": 0, "audit": 0} {
		if n := indexRepairs(t, d, index); n != want {
			t.Errorf("onewindow_index_repairs_total{index=%q} = %v, want %v", index, n, want)
		}
	}
	if log := d.log.String(); !strings.Contains(log, "repaired") || !strings.Contains(log, docID) {
		t.Errorf("the repair should be reported once, naming what was repaired:\n%s", log)
	}
}

// indexRepairs reads onewindow_index_repairs_total{index} from the daemon's /metrics.
func indexRepairs(t *testing.T, d *daemon, index string) float64 {
	t.Helper()
	_, text := d.getRaw("/metrics")
	prefix := `onewindow_index_repairs_total{index="` + index + `"} `
	for _, line := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /metrics", prefix)
	return 0
}
