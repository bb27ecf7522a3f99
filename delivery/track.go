package delivery

import (
	"context"
	"log/slog"
	"time"

	"onewindow/internal/errs"
)

// State is where a delivery stands.
type State string

const (
	StatePending      State = "pending"      // queued, being retried, or waiting to be pulled
	StateDelivered    State = "delivered"    // the department answered 2xx, or the bag is in its bucket
	StateAcknowledged State = "acknowledged" // the department confirmed through the API
	StateFailed       State = "failed"       // given up: refused for good or retries used up
)

// Delivery is the tracking record of one package: one (case, department, version).
type Delivery struct {
	Key        string `json:"key"` // the idempotency key
	PackageID  string `json:"package_id"`
	CaseNo     string `json:"case_no"`
	Department string `json:"department"`
	Version    int    `json:"version"`
	Kind       Kind   `json:"kind,omitempty"`
	State      State  `json:"state"`
	Attempts   int    `json:"attempts"`
	DueDate    string `json:"due_date,omitempty"` // when the department's result is due (the manifest's)
	// Overdue is set in a case's deliveries when DueDate has passed without the department's
	// result; it is worked out when they are read, never stored.
	Overdue bool `json:"overdue,omitempty"`
	// Answered is set, like Overdue, when the department has sent the case its result: the
	// delivery's work is done whatever state its package was left in.
	Answered bool `json:"answered,omitempty"`
	// LastError is the last failure's code and client message; never a cause, which could
	// carry an address or a body.
	LastError  string `json:"last_error,omitempty"`
	LastStatus int    `json:"last_status,omitempty"`
	// Dead marks a failed delivery as in the dead-letter list, until it is re-pushed.
	Dead bool `json:"dead,omitempty"`
	// Announced is set once OnDelivered has run for this delivery.
	Announced      bool       `json:"announced,omitempty"`
	Repushes       int        `json:"repushes,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"`
	DeliveredAt    *time.Time `json:"delivered_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	FailedAt       *time.Time `json:"failed_at,omitempty"`
}

// NewDelivery is the pending record of p, made when its task is queued.
func NewDelivery(p Package, now time.Time) Delivery {
	m := p.Manifest
	return Delivery{Key: p.Key(), PackageID: m.PackageID, CaseNo: m.CaseNo, Department: p.Department,
		Version: m.Version, DueDate: m.DueDate, State: StatePending, CreatedAt: now, UpdatedAt: now}
}

func illegal(op string, d Delivery, to State) error {
	return errs.Errorf(op, errs.Conflict, "illegal_transition", "A %s delivery cannot become %s.", d.State, to)
}

// Succeeded records an attempt that delivered (or, for a pull department, made the package
// ready). A redelivered task after success changes nothing but the attempt count.
func (d Delivery) Succeeded(now time.Time, r Result) Delivery {
	d.Attempts++
	d.UpdatedAt = now
	d.Kind = r.Kind
	d.LastStatus = r.Status
	d.NextAttemptAt = nil
	if r.State == StatePending || d.State == StateDelivered || d.State == StateAcknowledged {
		return d
	}
	d.State, d.DeliveredAt, d.Dead, d.LastError, d.FailedAt = StateDelivered, &now, false, "", nil
	return d
}

// FailedAttempt records an attempt that failed; final (see Final) makes it failed and dead,
// otherwise it stays pending until next.
func (d Delivery) FailedAttempt(now time.Time, r Result, err error, final bool, next time.Duration) Delivery {
	d.Attempts++
	d.UpdatedAt = now
	if r.Kind != "" {
		d.Kind = r.Kind
	}
	d.LastStatus = r.Status
	d.LastError = errs.CodeOf(err) + ": " + errs.MessageOf(err)
	if d.State == StateDelivered || d.State == StateAcknowledged {
		return d // an earlier attempt got through; this one was a duplicate
	}
	if final {
		d.State, d.Dead, d.FailedAt, d.NextAttemptAt = StateFailed, true, &now, nil
		return d
	}
	at := now.Add(next)
	d.State, d.NextAttemptAt = StatePending, &at
	return d
}

// Fetched records a pull department reading its package through the API.
func (d Delivery) Fetched(now time.Time) (Delivery, error) {
	switch d.State {
	case StatePending:
		d.State, d.DeliveredAt, d.UpdatedAt = StateDelivered, &now, now
		return d, nil
	case StateDelivered, StateAcknowledged:
		return d, nil
	}
	return d, illegal("delivery.Fetched", d, StateDelivered)
}

// Acknowledge records the department confirming the package. A pending one is acknowledged
// too (the department got it although our attempt's answer was lost); a failed one is not:
// it has to be re-pushed first.
func (d Delivery) Acknowledge(now time.Time) (Delivery, error) {
	switch d.State {
	case StateAcknowledged:
		return d, nil
	case StatePending, StateDelivered:
		if d.DeliveredAt == nil {
			d.DeliveredAt = &now
		}
		d.State, d.AcknowledgedAt, d.UpdatedAt, d.NextAttemptAt = StateAcknowledged, &now, now, nil
		return d, nil
	}
	return d, illegal("delivery.Acknowledge", d, StateAcknowledged)
}

// Repush takes a delivery out of the dead-letter list to be sent again with the same
// idempotency key. Delivered ones may be re-pushed too (the department lost it).
func (d Delivery) Repush(now time.Time) (Delivery, error) {
	if d.State == StatePending {
		return d, illegal("delivery.Repush", d, StatePending)
	}
	d.State, d.Dead, d.FailedAt, d.NextAttemptAt, d.UpdatedAt = StatePending, false, nil, nil, now
	d.AcknowledgedAt = nil
	d.Repushes++
	return d, nil
}

// Tracker stores deliveries. Get answers errs.NotFound for a key it does not have. Update
// must apply fn atomically (no other Update of key in between) and store what it leaves; a
// missing key reaches fn as the zero Delivery; an error from fn stores nothing.
type Tracker interface {
	Get(ctx context.Context, key string) (Delivery, error)
	Update(ctx context.Context, key string, fn func(*Delivery) error) (Delivery, error)
}

// Deliverer runs one delivery attempt and records it: what a worker's task handler calls.
type Deliverer struct {
	Sender  Sender
	Tracker Tracker
	Log     *slog.Logger
	Now     func() time.Time
	// Delay is the backoff recorded as the next attempt's time (default RetryDelayFor); it
	// should be the one the queue uses.
	Delay func(n int, err error) time.Duration
	// OnDelivered, when set, runs once a package is delivered, e.g. to file a `delivered`
	// event on each of its documents. If it fails, Deliver returns its error and the task's
	// retry runs it again without sending the package again.
	OnDelivered func(ctx context.Context, d Delivery, p Package) error
}

// Queued records p as pending (when its task is enqueued). A package already tracked keeps
// its record.
func (dl *Deliverer) Queued(ctx context.Context, p Package) (Delivery, error) {
	now := dl.now()
	return dl.Tracker.Update(ctx, p.Key(), func(d *Delivery) error {
		if d.Key == "" {
			*d = NewDelivery(p, now)
		}
		return nil
	})
}

// Deliver sends p once. retried and maxRetry are the task's (asynq.GetRetryCount,
// GetMaxRetry). The error is the send's, for the queue to retry or not by its kind; nil
// when delivered or ready to pull. A package already delivered or acknowledged is not sent
// again: a task redelivered after a crash stays exactly-once from the department's view.
func (dl *Deliverer) Deliver(ctx context.Context, p Package, retried, maxRetry int) (Delivery, error) {
	prev, err := dl.Tracker.Get(ctx, p.Key())
	if err != nil && errs.KindOf(err) != errs.NotFound {
		return prev, err
	}
	if prev.State == StateDelivered || prev.State == StateAcknowledged {
		return dl.announce(ctx, prev, p)
	}
	res, sendErr := dl.Sender.Send(ctx, p)
	now := dl.now()
	log := dl.log().With("case_no", p.Manifest.CaseNo, "department", p.Department, "package", p.Manifest.PackageID,
		"attempt", retried+1)
	final := sendErr != nil && Final(sendErr, retried, maxRetry)
	d, err := dl.Tracker.Update(ctx, p.Key(), func(d *Delivery) error {
		if d.Key == "" {
			*d = NewDelivery(p, now)
		}
		if p.Manifest.DueDate != "" {
			d.DueDate = p.Manifest.DueDate // a later acceptance counts the time limit again
		}
		if sendErr == nil {
			*d = d.Succeeded(now, res)
		} else {
			delay := RetryDelayFor
			if dl.Delay != nil {
				delay = dl.Delay
			}
			*d = d.FailedAttempt(now, res, sendErr, final, delay(retried, sendErr))
		}
		return nil
	})
	switch {
	case sendErr == nil:
		log.Info("package sent", "state", res.State, "target", res.Target, "status", res.Status, "ms", res.Duration.Milliseconds())
	case final:
		log.Error("delivery failed for good", "code", errs.CodeOf(sendErr), "status", res.Status, "err", sendErr)
	default:
		log.Warn("delivery attempt failed", "code", errs.CodeOf(sendErr), "status", res.Status, "err", sendErr)
	}
	if sendErr != nil {
		return d, sendErr
	}
	if err != nil {
		return d, err
	}
	if d.State == StateDelivered {
		return dl.announce(ctx, d, p)
	}
	return d, nil
}

func (dl *Deliverer) announce(ctx context.Context, d Delivery, p Package) (Delivery, error) {
	if dl.OnDelivered == nil || d.Announced {
		return d, nil
	}
	if err := dl.OnDelivered(ctx, d, p); err != nil {
		return d, err
	}
	return dl.Tracker.Update(ctx, d.Key, func(cur *Delivery) error {
		cur.Announced = true
		return nil
	})
}

// Acknowledge records a department's confirmation of the package under key.
func (dl *Deliverer) Acknowledge(ctx context.Context, key string) (Delivery, error) {
	return dl.change(ctx, key, Delivery.Acknowledge)
}

// Fetched records a pull department reading the package under key.
func (dl *Deliverer) Fetched(ctx context.Context, key string) (Delivery, error) {
	return dl.change(ctx, key, Delivery.Fetched)
}

// Repush makes the package under key pending again; the caller then enqueues its task anew
// (under a new task ID: asynq keeps the old one archived).
func (dl *Deliverer) Repush(ctx context.Context, key string) (Delivery, error) {
	return dl.change(ctx, key, Delivery.Repush)
}

func (dl *Deliverer) change(ctx context.Context, key string, to func(Delivery, time.Time) (Delivery, error)) (Delivery, error) {
	now := dl.now()
	return dl.Tracker.Update(ctx, key, func(d *Delivery) error {
		if d.Key == "" {
			return errs.E("delivery.change", errs.NotFound, "delivery_not_found", "There is no such delivery.", nil)
		}
		next, err := to(*d, now)
		if err != nil {
			return err
		}
		*d = next
		return nil
	})
}

func (dl *Deliverer) now() time.Time {
	if dl.Now != nil {
		return dl.Now().UTC()
	}
	return time.Now().UTC()
}

func (dl *Deliverer) log() *slog.Logger {
	if dl.Log != nil {
		return dl.Log
	}
	return slog.New(slog.DiscardHandler)
}
