package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/httpx"
	"onewindow/storage"
)

// BatchSummary is one batch in a listing: what a station needs to find its batch again.
type BatchSummary struct {
	ID         string              `json:"id"`
	Status     string              `json:"status"`
	CaseNo     string              `json:"case_no,omitempty"`
	Station    string              `json:"station,omitempty"`
	Source     string              `json:"source,omitempty"`
	PagesTotal int                 `json:"pages_total"`
	PagesDone  int                 `json:"pages_done"`
	Documents  int                 `json:"documents"`
	Error      *storage.BatchError `json:"error"`
	CreatedAt  time.Time           `json:"created_at"`
	UpdatedAt  time.Time           `json:"updated_at"`
}

// BatchList is a page of batches, newest first.
type BatchList struct {
	Total   int            `json:"total"`
	Page    int            `json:"page"`
	PerPage int            `json:"per_page"`
	Batches []BatchSummary `json:"batches"`
}

var batchStatuses = []string{storage.StatusQueued, storage.StatusProcessing, storage.StatusDone, storage.StatusFailed}

// listBatches: GET /api/v1/batches?station=&case_no=&status=&since=RFC3339&page=&per_page=.
// The manifests in MinIO are the list (Redis may have lost some); batch IDs are UUIDv7, so
// they sort by time and `since` is applied before any batch is read.
func (s *Server) listBatches(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	const op = "api.listBatches"
	q := r.URL.Query()
	if err := httpx.CheckQuery(op, q, "station", "case_no", "status", "since", "page", "per_page"); err != nil {
		return err
	}
	page, perPage, err := pageParams(op, q)
	if err != nil {
		return err
	}
	station, caseNo, status := q.Get("station"), q.Get("case_no"), q.Get("status")
	if status != "" && !slices.Contains(batchStatuses, status) {
		return errs.Errorf(op, errs.Invalid, "bad_status", "status must be one of %v.", batchStatuses)
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		if since, err = time.Parse(time.RFC3339, v); err != nil {
			return errs.E(op, errs.Invalid, "bad_since", "since must be an RFC 3339 time, e.g. 2026-03-01T00:00:00Z.", err)
		}
	}
	station, ok := p.StationFor(station)
	if !ok {
		return errs.E(op, errs.Forbidden, "wrong_station", "This token sees its own station's batches only.", nil)
	}
	ids, err := s.batchIDs(r.Context(), since)
	if err != nil {
		return err
	}
	out := BatchList{Page: page, PerPage: perPage, Batches: []BatchSummary{}}
	first := (page - 1) * perPage
	for _, id := range ids {
		b, err := s.batch(r.Context(), id)
		if errs.KindOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return err
		}
		if (station != "" && b.Station != station) || (caseNo != "" && b.CaseNo != caseNo) ||
			(status != "" && b.Status != status) || b.CreatedAt.Before(since) {
			continue
		}
		if out.Total >= first && len(out.Batches) < perPage {
			out.Batches = append(out.Batches, BatchSummary{ID: b.ID, Status: b.Status, CaseNo: b.CaseNo,
				Station: b.Station, Source: b.Source, PagesTotal: b.PagesTotal, PagesDone: b.PagesDone,
				Documents: len(b.Documents), Error: b.Error, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt})
		}
		out.Total++
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// batchIDs lists recorded batches, newest first, created at or after since (by their UUIDv7).
func (s *Server) batchIDs(ctx context.Context, since time.Time) ([]string, error) {
	var ids []string
	for info, err := range s.Blobs.List(ctx, storage.Inbox, storage.BatchesPrefix) {
		if err != nil {
			return nil, err
		}
		id, ok := storage.BatchOfManifestKey(info.Key)
		if !ok {
			continue
		}
		if u, err := uuid.Parse(id); err == nil && u.Version() == 7 && !since.IsZero() {
			sec, nsec := u.Time().UnixTime()
			if time.Unix(sec, nsec).Before(since.Add(-time.Millisecond)) {
				continue
			}
		}
		ids = append(ids, id)
	}
	slices.Reverse(ids)
	return ids, nil
}

// pageParams reads page (from 1) and per_page (1 to 500, default 50).
func pageParams(op string, q url.Values) (page, perPage int, err error) {
	page, perPage = 1, 50
	for name, dst := range map[string]*int{"page": &page, "per_page": &perPage} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || (name == "per_page" && n > 500) {
			return 0, 0, errs.Errorf(op, errs.Invalid, "bad_"+name, "%s must be a whole number from 1 (per_page: up to 500).", name)
		}
		*dst = n
	}
	return page, perPage, nil
}
