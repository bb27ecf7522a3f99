package api

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"
)

func TestListBatches(t *testing.T) {
	e := newEdgeEnv(t)
	img := tinyPNG(t)
	ids := map[string]string{}
	for _, up := range []struct{ token, station, caseNo string }{
		{"scanner", "room-1", "JL-1"}, {"scanner", "room-2", "JL-2"}, {"scan-3", "", "JL-3"}, {"scanner", "room-1", "JL-4"},
	} {
		parts := []part{field("case_no", up.caseNo), filePart("a.png", img)}
		if up.station != "" {
			parts = append(parts, field("station", up.station))
		}
		w, ok, _ := e.upload(t, up.token, "", parts...)
		if w.Code != 202 {
			t.Fatalf("upload: %d %s", w.Code, w.Body.String())
		}
		ids[up.caseNo] = ok["id"]
		time.Sleep(2 * time.Millisecond) // distinct UUIDv7 times
	}
	tests := []struct {
		name, token, query string
		status             int
		want               []string // case numbers, newest first
		total              int
	}{
		{"all", "archivist", "", 200, []string{"JL-4", "JL-3", "JL-2", "JL-1"}, 4},
		{"by station", "archivist", "?station=room-1", 200, []string{"JL-4", "JL-1"}, 2},
		{"by case", "viewer", "?case_no=JL-2", 200, []string{"JL-2"}, 1},
		{"by status", "archivist", "?status=queued&per_page=2&page=2", 200, []string{"JL-2", "JL-1"}, 4},
		{"since the future", "archivist", "?since=2999-01-01T00:00:00Z", 200, []string{}, 0},
		{"station-bound scanner sees its own", "scan-3", "", 200, []string{"JL-3"}, 1},
		{"station-bound scanner asks for another", "scan-3", "?station=room-1", 403, nil, 0},
		{"unknown parameter", "archivist", "?stat=done", 400, nil, 0},
		{"bad status", "archivist", "?status=lost", 400, nil, 0},
		{"bad since", "archivist", "?since=yesterday", 400, nil, 0},
		{"bad per_page", "archivist", "?per_page=1000", 400, nil, 0},
		{"department may not", "department", "", 403, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/v1/batches"+tt.query, nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("%d %s", w.Code, w.Body.String())
			}
			if tt.status != 200 {
				return
			}
			var l BatchList
			if err := json.Unmarshal(w.Body.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range l.Batches {
				got = append(got, b.CaseNo)
				if b.ID != ids[b.CaseNo] {
					t.Errorf("%s has id %s, want %s", b.CaseNo, b.ID, ids[b.CaseNo])
				}
			}
			if len(got) != len(tt.want) || l.Total != tt.total {
				t.Fatalf("got %v (total %d), want %v (total %d)", got, l.Total, tt.want, tt.total)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
	// A station-bound scanner cannot read another station's batch by its ID either.
	req := httptest.NewRequest("GET", "/api/v1/batches/"+ids["JL-1"], nil)
	req.Header.Set("Authorization", "Bearer scan-3")
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != 404 {
		t.Fatalf("another station's batch: %d", w.Code)
	}
	// Redis lost: the list and the batch still answer from the manifests.
	e.state.lose()
	req = httptest.NewRequest("GET", "/api/v1/batches/"+ids["JL-1"], nil)
	req.Header.Set("Authorization", "Bearer archivist")
	w = httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("batch after Redis loss: %d %s", w.Code, w.Body.String())
	}
}
