package delivery

import (
	"context"
	"sort"
	"sync"

	"onewindow/internal/errs"
)

// MemTracker keeps deliveries in memory: for tests, benchmarks and `dev` without storage.
type MemTracker struct {
	mu sync.Mutex
	m  map[string]Delivery
}

var _ Tracker = (*MemTracker)(nil)

// NewMemTracker returns an empty tracker.
func NewMemTracker() *MemTracker { return &MemTracker{m: map[string]Delivery{}} }

// Get implements Tracker.
func (t *MemTracker) Get(ctx context.Context, key string) (Delivery, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, ok := t.m[key]
	if !ok {
		return Delivery{}, errs.E("delivery.MemTracker.Get", errs.NotFound, "delivery_not_found", "There is no such delivery.", nil)
	}
	return d, nil
}

// Update implements Tracker.
func (t *MemTracker) Update(ctx context.Context, key string, fn func(*Delivery) error) (Delivery, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.m[key]
	if err := fn(&d); err != nil {
		return t.m[key], err
	}
	t.m[key] = d
	return d, nil
}

// OfCase returns a case's deliveries, for its timeline.
func (t *MemTracker) OfCase(ctx context.Context, caseNo string) ([]Delivery, error) {
	return t.Select(func(d Delivery) bool { return d.CaseNo == caseNo }), nil
}

// DeadLetters returns the deliveries that failed for good and were not re-pushed.
func (t *MemTracker) DeadLetters(ctx context.Context) ([]Delivery, error) {
	return t.Select(func(d Delivery) bool { return d.Dead }), nil
}

// Select returns the deliveries keep accepts, oldest first: a case's (by CaseNo) or the
// dead-letter list (by Dead).
func (t *MemTracker) Select(keep func(Delivery) bool) []Delivery {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Delivery
	for _, d := range t.m {
		if keep(d) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].Key < out[j].Key
	})
	return out
}
