package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"onewindow/internal/errs"
)

// Sender delivers a package to its department. Its error's kind says whether another try can
// succeed (errs.Retryable): a department that is down or slow is Unavailable, one that
// refuses the package for good is Invalid.
type Sender interface {
	Send(ctx context.Context, p Package) (Result, error)
}

// Result is what a send achieved.
type Result struct {
	Kind  Kind
	State State // StateDelivered, or StatePending for a pull department
	// Status is the receiver's HTTP status (webhook).
	Status int
	// Target says where the package went, without secrets: the webhook's host, or bucket/key.
	Target string
	// Already is set when the department had this package before (an S3 bag found in place).
	Already  bool
	Duration time.Duration
}

// Router sends each package the way its department receives it, as the registry says at the
// time of sending.
type Router struct {
	Registry *Registry
	Webhook  Sender
	S3       Sender
	Pull     Sender
}

var _ Sender = (*Router)(nil)

// Send implements Sender.
func (r *Router) Send(ctx context.Context, p Package) (Result, error) {
	d, err := department(r.Registry, p, "")
	if err != nil {
		return Result{}, err
	}
	s := r.senderFor(d.Kind)
	if s == nil {
		return Result{}, errs.Errorf("delivery.Send", errs.Internal, "no_sender", "No sender for %s delivery is set up.", d.Kind)
	}
	return s.Send(ctx, p)
}

// EventSender tells a department of something that happened to a case after its package
// (a handout) where the department reads it: a signed POST to a webhook, an object beside
// the packages in an S3 bucket. Pull departments read the case instead.
type EventSender interface {
	SendEvent(ctx context.Context, deptID, caseNo, kind, key string, body []byte) error
}

// SendEvent implements EventSender for the departments whose sender can take events.
func (r *Router) SendEvent(ctx context.Context, deptID, caseNo, kind, key string, body []byte) error {
	d, ok := r.Registry.Current().Get(deptID)
	if !ok {
		return errs.Errorf("delivery.SendEvent", errs.NotFound, "unknown_department", "There is no department %q.", deptID)
	}
	if es, ok := r.senderFor(d.Kind).(EventSender); ok {
		return es.SendEvent(ctx, deptID, caseNo, kind, key, body)
	}
	return nil // a pull department reads the case
}

// senderFor is the sender of departments of kind k.
func (r *Router) senderFor(k Kind) Sender {
	switch k {
	case KindWebhook:
		return r.Webhook
	case KindS3:
		return r.S3
	case KindPull:
		return r.Pull
	}
	return nil
}

// department looks p's department up; an unknown one (removed from the file since) never
// comes back by retrying soon, but the lead may re-push once the file is fixed.
func department(reg *Registry, p Package, want Kind) (*Department, error) {
	d, ok := reg.Current().Get(p.Department)
	if !ok {
		return nil, errs.Errorf("delivery.Send", errs.NotFound, "unknown_department", "There is no department %q.", p.Department)
	}
	if want != "" && d.Kind != want {
		return nil, errs.Errorf("delivery.Send", errs.Internal, "wrong_sender",
			"Department %q receives by %s, not %s.", d.ID, d.Kind, want)
	}
	return d, nil
}

// PullSender sends nothing: the package waits for the department to fetch it through the API.
type PullSender struct{}

// Send implements Sender.
func (PullSender) Send(ctx context.Context, p Package) (Result, error) {
	return Result{Kind: KindPull, State: StatePending, Target: "pull"}, nil
}

// retryAfter carries a receiver's Retry-After as an error's cause, for RetryDelayFor.
type retryAfter struct {
	d   time.Duration
	err error
}

func (r *retryAfter) Error() string { return fmt.Sprintf("retry after %s: %v", r.d, r.err) }
func (r *retryAfter) Unwrap() error { return r.err }

// RetryAfterOf returns the delay a receiver asked for, if it asked.
func RetryAfterOf(err error) (time.Duration, bool) {
	var ra *retryAfter
	if errors.As(err, &ra) {
		return ra.d, true
	}
	return 0, false
}
