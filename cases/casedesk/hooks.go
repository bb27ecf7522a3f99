package casedesk

import (
	"context"
	"encoding/json"

	"onewindow/cases"
)

// AfterEvent is told of every case event once it is filed. It runs inside the change that
// filed it, before the case's view is cached, so it should only hand the event on (enqueue
// a task); it cannot fail the change.
type AfterEvent func(ctx context.Context, caseNo string, e cases.Event)

// WithAfterEvent wraps a Store so that fn sees each event the desk files: the one seam other
// desks (delivery) hang their work on without the case desk knowing them.
func WithAfterEvent(s Store, fn AfterEvent) Store { return hooked{Store: s, after: fn} }

type hooked struct {
	Store
	after AfterEvent
}

func (h hooked) AppendEvent(ctx context.Context, caseNo string, seq int, data []byte) error {
	if err := h.Store.AppendEvent(ctx, caseNo, seq, data); err != nil {
		return err
	}
	var e cases.Event
	if json.Unmarshal(data, &e) == nil {
		h.after(ctx, caseNo, e)
	}
	return nil
}
