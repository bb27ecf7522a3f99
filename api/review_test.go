package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/archive"
	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/internal/metrics"
	"onewindow/storage"
)

func TestValidateCorrection(t *testing.T) {
	// Five pages: 0-1 one document, 2 a separator, 3 a second document, 4 blank.
	b := &storage.Batch{ID: "b", Status: storage.StatusDone, PagesTotal: 5,
		Documents:    []storage.Document{{ID: "b-001", Pages: []int{0, 1}}, {ID: "b-002", Pages: []int{3}}},
		DroppedPages: []storage.DroppedPage{{Index: 2, Reason: "separator"}, {Index: 4, Reason: "blank"}}}
	known := func(t string) bool { return t == "id_card" || t == "business_license" }
	tests := []struct {
		name   string
		groups []CorrectionGroup
		code   string
	}{
		{"type change", []CorrectionGroup{{Pages: []int{0, 1}, Type: "id_card"}, {Pages: []int{3}}}, ""},
		{"merge", []CorrectionGroup{{Pages: []int{0, 1, 3}, Type: "business_license"}}, ""},
		{"split", []CorrectionGroup{{Pages: []int{0}}, {Pages: []int{1}}, {Pages: []int{3}}}, ""},
		{"move a page", []CorrectionGroup{{Pages: []int{0}}, {Pages: []int{1, 3}}}, ""},
		{"reorder pages", []CorrectionGroup{{Pages: []int{1, 0}}, {Pages: []int{3}}}, ""},
		{"dropped page back", []CorrectionGroup{{Pages: []int{0, 1}}, {Pages: []int{3, 4}}}, ""},
		{"nothing", nil, "no_documents"},
		{"empty document", []CorrectionGroup{{Pages: []int{0, 1, 3}}, {Pages: []int{}}}, "empty_document"},
		{"unknown type", []CorrectionGroup{{Pages: []int{0, 1}, Type: "passport"}, {Pages: []int{3}}}, "unknown_type"},
		{"page past the end", []CorrectionGroup{{Pages: []int{0, 1}}, {Pages: []int{3, 5}}}, "page_out_of_range"},
		{"negative page", []CorrectionGroup{{Pages: []int{-1, 0, 1}}, {Pages: []int{3}}}, "page_out_of_range"},
		{"page twice", []CorrectionGroup{{Pages: []int{0, 1}}, {Pages: []int{1, 3}}}, "duplicate_page"},
		{"page twice in one", []CorrectionGroup{{Pages: []int{0, 1, 1, 3}}}, "duplicate_page"},
		{"page missing", []CorrectionGroup{{Pages: []int{0, 1}}}, "missing_page"},
		{"turn a page", []CorrectionGroup{{Pages: []int{0, 1}, Rotations: map[int]int{1: 90}}, {Pages: []int{3}, Rotations: map[int]int{3: 0}}}, ""},
		{"turn by 45", []CorrectionGroup{{Pages: []int{0, 1}, Rotations: map[int]int{1: 45}}, {Pages: []int{3}}}, "bad_rotation"},
		{"turn by 360", []CorrectionGroup{{Pages: []int{0, 1}, Rotations: map[int]int{0: 360}}, {Pages: []int{3}}}, "bad_rotation"},
		{"turn another document's page", []CorrectionGroup{{Pages: []int{0, 1}, Rotations: map[int]int{3: 90}}, {Pages: []int{3}}},
			"rotation_page_not_in_document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateCorrection(b, tt.groups, known)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if errs.CodeOf(err) != tt.code || errs.HTTPStatus(err) != http.StatusBadRequest {
				t.Fatalf("err = %v (%d), want %s / 400", err, errs.HTTPStatus(err), tt.code)
			}
		})
	}
}

func TestReviewCalls(t *testing.T) {
	rv, st, bl, q := newTestReview(t)
	h := testHandler(t, rv)
	tests := []struct {
		name, token, method, path, body string
		status                          int
		code                            string
	}{
		{"viewer may not correct", "view", "PUT", "/api/v1/batches/b/documents", `{"documents":[{"pages":[0,1,3]}]}`, 403, "forbidden"},
		{"batch not done", "rev", "PUT", "/api/v1/batches/busy/documents", `{"documents":[{"pages":[0]}]}`, 409, "batch_not_done"},
		{"no such batch", "rev", "PUT", "/api/v1/batches/nope/documents", `{"documents":[{"pages":[0]}]}`, 404, "batch_not_found"},
		{"bad JSON", "rev", "PUT", "/api/v1/batches/b/documents", `{"documents":`, 400, "bad_json"},
		{"unknown field", "rev", "PUT", "/api/v1/batches/b/documents", `{"docs":[]}`, 400, "bad_json"},
		{"page out of range", "rev", "PUT", "/api/v1/batches/b/documents", `{"documents":[{"pages":[0,1,3,9]}]}`, 400, "page_out_of_range"},
		{"merge accepted", "rev", "PUT", "/api/v1/batches/b/documents", `{"documents":[{"pages":[0,1,3],"type":"business_license"}],"reason":"one licence"}`, 202, ""},
		{"second while pending", "rev", "PUT", "/api/v1/batches/b/documents", `{"documents":[{"pages":[0,1,3]}]}`, 409, "correction_pending"},
		{"patch unknown type", "rev", "PATCH", "/api/v1/documents/b-002", `{"type":"passport"}`, 400, "unknown_type"},
		{"patch without type", "rev", "PATCH", "/api/v1/documents/b-002", `{}`, 400, "missing_type"},
		{"superseded", "rev", "POST", "/api/v1/documents/old-001/confirm", ``, 409, "document_superseded"},
		{"confirm", "rev", "POST", "/api/v1/documents/b-002/confirm", ``, 200, ""},
		{"review list", "rev", "GET", "/api/v1/review?page=1&per_page=10", ``, 200, ""},
		{"review list bad page", "rev", "GET", "/api/v1/review?page=0", ``, 400, "bad_page"},
		{"model without examples", "rev", "GET", "/api/v1/review/model", ``, 200, ""},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, bytes.NewBufferString(tt.body))
		req.Header.Set("Authorization", "Bearer "+tt.token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var body httpx.ErrorBody
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != tt.status || body.Error.Code != tt.code {
			t.Errorf("%s: %d %s, want %d %q", tt.name, w.Code, w.Body.String(), tt.status, tt.code)
		}
	}
	var c storage.Correction
	if err := json.Unmarshal(bl.objects[storage.CorrectionKey("b", 1)], &c); err != nil {
		t.Fatalf("correction not filed: %v", err)
	}
	if c.Revision != 1 || c.By != "alice" || c.Reason != "one licence" || len(c.Documents) != 1 || !c.Documents[0].Train ||
		len(c.Replaces) != 2 {
		t.Errorf("correction record: %+v", c)
	}
	if !bl.retained[storage.CorrectionKey("b", 1)] || !bl.retained[storage.ConfirmedKey("b-002")] {
		t.Error("reviewers' notes are not filed under retention")
	}
	if got := q.ids(); len(got) != 2 || got[0] != `batch:refile {"batch_id":"b","revision":1}` ||
		got[1] != `model:train {"document_id":"b-002","type":"id_card"}` {
		t.Errorf("queued %v", got)
	}
	if d := st.docs["b-002"]; d.NeedsReview || d.ReviewedBy != "alice" {
		t.Errorf("confirmed document: %+v", d)
	}
}

// A correction states the pages it turns; a page it does not name keeps its turn, so a
// client that only regroups does not turn pages back. A bad turn files nothing.
func TestCorrectionRotations(t *testing.T) {
	rv, st, bl, _ := newTestReview(t)
	st.batches["b"].Documents[0].Rotations = map[int]int{1: 90}
	h := testHandler(t, rv)
	put := func(body string) (int, string) {
		req := httptest.NewRequest("PUT", "/api/v1/batches/b/documents", bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer rev")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var eb httpx.ErrorBody
		_ = json.Unmarshal(w.Body.Bytes(), &eb)
		return w.Code, eb.Error.Code
	}
	if status, code := put(`{"documents":[{"pages":[0,1],"rotations":{"0":45}},{"pages":[3]}]}`); status != 400 || code != "bad_rotation" {
		t.Fatalf("a turn of 45 degrees: %d %s, want 400 bad_rotation", status, code)
	}
	if len(bl.objects) != 0 {
		t.Fatalf("a refused correction filed %d objects", len(bl.objects))
	}
	if status, code := put(`{"documents":[{"pages":[0,1]},{"pages":[3],"rotations":{"3":180}}]}`); status != 202 {
		t.Fatalf("turning page 3: %d %s", status, code)
	}
	var c storage.Correction
	if err := json.Unmarshal(bl.objects[storage.CorrectionKey("b", 1)], &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Documents) != 2 || !storage.SameRotations(c.Documents[0].Rotations, map[int]int{1: 90}) ||
		!storage.SameRotations(c.Documents[1].Rotations, map[int]int{3: 180}) {
		t.Errorf("rotations filed: %+v", c.Documents)
	}
}

func newTestReview(t *testing.T) (*Review, *fakeReviewState, *fakeReviewBlobs, *fakeQueue) {
	docs := []storage.Document{{ID: "b-001", BatchID: "b", Pages: []int{0, 1}, Type: "id_card"},
		{ID: "b-002", BatchID: "b", Pages: []int{3}, Type: "id_card", NeedsReview: true}}
	st := &fakeReviewState{
		batches: map[string]*storage.Batch{
			"b":    {ID: "b", Status: storage.StatusDone, PagesTotal: 4, Documents: docs},
			"busy": {ID: "busy", Status: storage.StatusProcessing, PagesTotal: 1},
		},
		docs: map[string]*storage.Document{"b-001": &docs[0], "b-002": &docs[1],
			"old-001": {ID: "old-001", BatchID: "b", SupersededBy: []string{"b-001"}}},
	}
	bl := &fakeReviewBlobs{objects: map[string][]byte{}, retained: map[string]bool{}}
	q := &fakeQueue{}
	rv := &Review{Blobs: bl, State: st, Queue: q, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC) }}
	rv.Retention.Default = archive.RetentionRule{Years: 30, Mode: "GOVERNANCE"}
	return rv, st, bl, q
}

func testHandler(t *testing.T, rv *Review) http.Handler {
	path := filepath.Join(t.TempDir(), "tokens.json")
	data := `[{"name": "alice", "role": "reviewer", "sha256": "` + auth.HashToken("rev") + `"},
	          {"name": "dept", "role": "viewer", "sha256": "` + auth.HashToken("view") + `"}]`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := auth.LoadTokens(path, "")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Tokens: tok, Log: rv.Log, Metrics: metrics.New()}
	mux := http.NewServeMux()
	rv.Routes(mux, s.auth)
	return mux
}

type fakeReviewState struct {
	batches map[string]*storage.Batch
	docs    map[string]*storage.Document
}

func (f *fakeReviewState) GetBatch(_ context.Context, id string) (*storage.Batch, error) {
	b, ok := f.batches[id]
	if !ok {
		return nil, errs.E("fake", errs.NotFound, "batch_not_found", "No batch has that ID.", nil)
	}
	c := *b
	return &c, nil
}

func (f *fakeReviewState) GetDocument(_ context.Context, id string) (*storage.Document, error) {
	d, ok := f.docs[id]
	if !ok {
		return nil, errs.E("fake", errs.NotFound, "document_not_found", "No document has that ID.", nil)
	}
	c := *d
	return &c, nil
}

func (f *fakeReviewState) PutDocument(_ context.Context, d *storage.Document) error {
	f.docs[d.ID] = d
	return nil
}

func (f *fakeReviewState) ReviewQueue(context.Context, int, int) ([]storage.Document, int, error) {
	return nil, 0, nil
}

type fakeReviewBlobs struct {
	objects  map[string][]byte
	retained map[string]bool
}

func (f *fakeReviewBlobs) PutBytes(_ context.Context, _ storage.Bucket, key string, data []byte, o storage.PutOptions) (storage.ObjectInfo, error) {
	if _, ok := f.objects[key]; ok && o.IfAbsent {
		return storage.ObjectInfo{}, storage.ErrExists
	}
	f.objects[key] = data
	f.retained[key] = !o.RetainUntil.IsZero() && o.RetentionMode != ""
	return storage.ObjectInfo{Key: key}, nil
}

func (f *fakeReviewBlobs) Open(_ context.Context, _ storage.Bucket, key string) (io.ReadCloser, storage.ObjectInfo, error) {
	data, ok := f.objects[key]
	if !ok {
		return nil, storage.ObjectInfo{}, errs.E("fake", errs.NotFound, "not_found", "No such object.", nil)
	}
	return io.NopCloser(bytes.NewReader(data)), storage.ObjectInfo{Key: key}, nil
}

type fakeQueue struct{ tasks []string }

func (f *fakeQueue) EnqueueOnce(_ context.Context, t *asynq.Task, _ ...asynq.Option) error {
	// Task options are private to asynq; type and payload stand in for the task ID here.
	id := t.Type() + " " + string(t.Payload())
	for _, have := range f.tasks {
		if have == id {
			return nil
		}
	}
	f.tasks = append(f.tasks, id)
	return nil
}

func (f *fakeQueue) ids() []string { return f.tasks }
