package api

import (
	"context"
	"net/http"

	"onewindow/internal/auth"
	"onewindow/internal/httpx"
)

// BatchRetrier runs a failed batch's failed steps again (workers.Retrier).
type BatchRetrier interface {
	RetryBatch(ctx context.Context, id string) (int, error)
}

// Retry is the operators' "run it again" for a batch that failed for a passing reason.
type Retry struct {
	Batches BatchRetrier
}

// Routes adds POST /api/v1/batches/{id}/retry.
func (rt *Retry) Routes(mux *http.ServeMux, authz httpx.Authorizer) {
	mux.Handle("POST /api/v1/batches/{id}/retry", authz(auth.CapOps, rt.retry))
}

func (rt *Retry) retry(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	id := r.PathValue("id")
	n, err := rt.Batches.RetryBatch(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"id": id, "status": "processing", "tasks": n})
	return nil
}
