package main

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"onewindow/internal/testfixtures"
)

// A daemon killed with SIGKILL in the middle of a batch (workers, Redis and MinIO with it)
// finishes the batch after a restart on the same data, with every page exactly once.
func TestBatchSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	d := startDaemon(t, dir)
	var pages []file
	for i := range 8 {
		img := testfixtures.TextPage(t, fmt.Sprintf("申请表 第%d份", i+1), "申请人：王芳", "Application form")
		pages = append(pages, file{fmt.Sprintf("p%d.jpg", i), testfixtures.JPEG(t, img)})
	}
	code, body := d.upload(testToken, nil, map[string]string{"case_no": "JL-KILL"}, pages...)
	if code != 202 {
		t.Fatalf("upload: %d %v", code, body)
	}
	id := body["id"].(string)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		_, b := d.get("/api/v1/batches/" + id)
		if done, _ := b["pages_done"].(float64); done >= 1 && b["status"] == "processing" {
			break
		}
		if b["status"] == "done" || time.Now().After(deadline) {
			t.Fatalf("could not catch the batch mid-way: %v", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.kill()

	d = startDaemon(t, dir)
	b := d.waitBatch(id, 4*time.Minute)
	if b["status"] != "done" {
		t.Fatalf("after restart: %v", b)
	}
	var seen []int
	for _, doc := range b["documents"].([]any) {
		for _, p := range doc.(map[string]any)["pages"].([]any) {
			seen = append(seen, int(p.(float64)))
		}
	}
	for _, dp := range b["dropped_pages"].([]any) {
		seen = append(seen, int(dp.(map[string]any)["index"].(float64)))
	}
	sort.Ints(seen)
	if fmt.Sprint(seen) != "[0 1 2 3 4 5 6 7]" {
		t.Errorf("pages after restart: %v, want each of 0..7 once", seen)
	}
}
