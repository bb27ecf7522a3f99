package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"onewindow/internal/testenv"
	"onewindow/storage"
)

// On a real Redis and MinIO: a retried key after Redis lost everything finds the first batch
// through the durable claim; the receiving mark expires; Range requests read from MinIO.
func TestIntakeOnRealStorage(t *testing.T) {
	svc := testenv.Services(t)
	blobs, state := testenv.Blobs(t, svc), testenv.State(t, svc)
	e := newEdgeEnv(t)
	e.srv.Blobs, e.srv.State = blobs, state
	e.h = e.srv.Handler()
	ctx := context.Background()
	img := tinyPNG(t)

	w, first, _ := e.upload(t, "scanner", "real-1", field("case_no", "JL-R"), filePart("a.png", img))
	if w.Code != 202 {
		t.Fatalf("first: %d %s", w.Code, w.Body.String())
	}
	if err := state.Redis().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	w, again, _ := e.upload(t, "scanner", "real-1", field("case_no", "JL-R"), filePart("a.png", img))
	if w.Code != 202 || again["id"] != first["id"] {
		t.Fatalf("retry after Redis loss: %d %s, want %s", w.Code, w.Body.String(), first["id"])
	}
	w, _, bad := e.upload(t, "scanner", "real-1", field("case_no", "JL-other"), filePart("a.png", img))
	if w.Code != 422 || bad.Error.Code != "idempotency_key_reused" {
		t.Fatalf("reuse: %d %s", w.Code, w.Body.String())
	}

	holder, mine, err := state.MarkReceiving(ctx, "busy", "b1", time.Second)
	if err != nil || !mine || holder != "b1" {
		t.Fatalf("mark: %s %v %v", holder, mine, err)
	}
	if holder, mine, _ := state.MarkReceiving(ctx, "busy", "b2", time.Second); mine || holder != "b1" {
		t.Fatalf("second mark: %s %v", holder, mine)
	}
	if err := state.ExtendReceiving(ctx, "busy", "b1", 2*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, mine, _ := state.MarkReceiving(ctx, "busy", "b2", time.Second); mine {
		t.Fatal("the renewed mark expired")
	}
	time.Sleep(1000 * time.Millisecond)
	if _, mine, _ := state.MarkReceiving(ctx, "busy", "b2", time.Second); !mine {
		t.Fatal("the mark did not expire")
	}

	pdf := []byte("%PDF-1.7 0123456789 filed bytes %%EOF")
	if _, err := blobs.PutBytes(ctx, storage.Archive, storage.DocumentPDFKey("r-001"), pdf, storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	if err := state.PutDocument(ctx, &storage.Document{ID: "r-001", BatchID: "r", SHA256: hex.EncodeToString(sum[:])}); err != nil {
		t.Fatal(err)
	}
	rec := e.do(t, "GET", "/api/v1/documents/r-001/pdf", "archivist", "Range", "bytes=9-18")
	if rec.Code != 206 || rec.Body.String() != "0123456789" {
		t.Fatalf("range from MinIO: %d %q", rec.Code, rec.Body.String())
	}
}
