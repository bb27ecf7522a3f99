package watch

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI stands in for POST /api/v1/batches: the watcher's own logic is under test here; the
// end-to-end test in cmd/onewindow sends to a real onewindow dev.
type fakeAPI struct {
	mu      sync.Mutex
	status  int
	uploads []map[string]string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	got := map[string]string{"key": r.Header.Get("Idempotency-Key")}
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p)
		if p.FormName() == "file" {
			got["filename"], got["file"] = p.FileName(), string(b)
		} else {
			got[p.FormName()] = string(b)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads = append(f.uploads, got)
	switch {
	case f.status != 0:
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, `{"error":{"code":"unavailable","message":"down"}}`)
	case strings.HasPrefix(got["file"], "bad"):
		w.WriteHeader(415)
		_, _ = io.WriteString(w, `{"error":{"code":"unsupported_media_type","message":"The file is not a PDF."}}`)
	default:
		w.WriteHeader(202)
		_, _ = io.WriteString(w, `{"id":"b-`+got["filename"]+`","status":"queued"}`)
	}
}

func newWatcher(t *testing.T, api *fakeAPI, now *time.Time) (*Watcher, string) {
	dir := t.TempDir()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	w, err := New(Options{Dir: dir, Client: srv.Client(), URL: srv.URL, Station: "share-1", StableFor: 3 * time.Second,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return w, dir
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFinishedFilesAreUploadedAndMoved(t *testing.T) {
	api := &fakeAPI{}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	w, dir := newWatcher(t, api, &now)
	ctx := context.Background()

	write(t, filepath.Join(dir, "JL2026-0001", "a.pdf"), "%PDF a")           // case from its folder
	write(t, filepath.Join(dir, "room-2", "JL2026-0002", "b.pdf"), "%PDF b") // station and case
	write(t, filepath.Join(dir, "c.pdf"), "%PDF c")                          // sidecar says
	write(t, filepath.Join(dir, "c.pdf.json"), `{"case_no": "JL2026-0003", "source": "mail"}`)
	write(t, filepath.Join(dir, "d.pdf"), "%PDF d") // .done: at once
	write(t, filepath.Join(dir, "d.pdf.done"), "")
	write(t, filepath.Join(dir, "e.pdf.part"), "%PDF still copying") // never taken

	if n := w.Scan(ctx); n != 1 {
		t.Fatalf("first look took %d files; want only the one with a .done sidecar", n)
	}
	now = now.Add(time.Second)
	write(t, filepath.Join(dir, "JL2026-0001", "a.pdf"), "%PDF a, still being written")
	now = now.Add(3 * time.Second)
	if n := w.Scan(ctx); n != 2 {
		t.Fatalf("after 4 s took %d files; want b and c (a grew meanwhile)", n)
	}
	now = now.Add(3 * time.Second)
	if n := w.Scan(ctx); n != 1 {
		t.Fatalf("a was not taken once it held still (%d)", n)
	}
	want := map[string][3]string{
		"a.pdf": {"JL2026-0001", "share-1", ""},
		"b.pdf": {"JL2026-0002", "room-2", ""},
		"c.pdf": {"JL2026-0003", "share-1", "mail"},
		"d.pdf": {"", "share-1", ""},
	}
	if len(api.uploads) != len(want) {
		t.Fatalf("%d uploads; want %d", len(api.uploads), len(want))
	}
	for _, u := range api.uploads {
		wv := want[u["filename"]]
		if u["case_no"] != wv[0] || u["station"] != wv[1] || u["source"] != wv[2] || !strings.HasPrefix(u["key"], "watch-") {
			t.Errorf("%s uploaded with %v", u["filename"], u)
		}
		note, err := os.ReadFile(filepath.Join(dir, DoneDir, "2026-11-30", u["filename"]+".batch.json"))
		var got struct {
			BatchID string `json:"batch_id"`
		}
		if err != nil || json.Unmarshal(note, &got) != nil || got.BatchID != "b-"+u["filename"] {
			t.Errorf("%s: no batch note in done/ (%v, %s)", u["filename"], err, note)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, DoneDir, "2026-11-30", "c.pdf.json")); err != nil {
		t.Error("the sidecar did not travel with its file")
	}
	if _, err := os.Stat(filepath.Join(dir, "e.pdf.part")); err != nil {
		t.Error("a partial file was touched")
	}
	if d, waiting, recent := w.Status(); d != dir || waiting != 0 || len(recent) != 4 || recent[0].Name != "a.pdf" || recent[0].BatchID != "b-a.pdf" {
		t.Errorf("status: %s, %d waiting, %+v", d, waiting, recent)
	}
}

func TestRefusedFilesGoToFailedWithTheReasonAndOutagesWait(t *testing.T) {
	api := &fakeAPI{status: 503}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	w, dir := newWatcher(t, api, &now)
	ctx := context.Background()
	write(t, filepath.Join(dir, "scan.pdf"), "%PDF good")
	write(t, filepath.Join(dir, "scan.pdf.done"), "")
	write(t, filepath.Join(dir, "photo.heic"), "bad bytes")
	write(t, filepath.Join(dir, "photo.heic.done"), "")

	if n := w.Scan(ctx); n != 0 {
		t.Fatalf("moved %d files while the API was down", n)
	}
	for _, f := range []string{"scan.pdf", "photo.heic"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("%s left its place while the API was down", f)
		}
	}
	api.status = 0
	if n := w.Scan(ctx); n != 2 {
		t.Fatalf("moved %d files once the API was back; want 2", n)
	}
	reason, err := os.ReadFile(filepath.Join(dir, FailedDir, "2026-11-30", "photo.heic.reason.txt"))
	if err != nil || !strings.Contains(string(reason), "unsupported_media_type") {
		t.Errorf("reason file: %q, %v", reason, err)
	}
	// The same name again the same day is kept beside the first, never over it.
	write(t, filepath.Join(dir, "scan.pdf"), "%PDF good")
	write(t, filepath.Join(dir, "scan.pdf.done"), "")
	if n := w.Scan(ctx); n != 1 {
		t.Fatal("the second scan.pdf was not taken")
	}
	if _, err := os.Stat(filepath.Join(dir, DoneDir, "2026-11-30", "scan.1.pdf")); err != nil {
		t.Error("the second scan.pdf overwrote the first")
	}
	if api.uploads[len(api.uploads)-1]["key"] != api.uploads[1]["key"] || api.uploads[1]["filename"] != "scan.pdf" {
		t.Error("the same content was sent under another Idempotency-Key")
	}
}
