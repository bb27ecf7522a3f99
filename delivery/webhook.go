package delivery

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"onewindow/archive"
	"onewindow/internal/errs"
)

// Linker makes an expiring link that reads a document's PDF. storage.Blobs.PresignGet, keyed
// by the document, is one.
type Linker interface {
	Link(ctx context.Context, docID string, expiry time.Duration) (string, error)
}

// WebhookOptions tune a WebhookSender; zero values are the defaults.
type WebhookOptions struct {
	// Links fills each document's URL at every attempt; nil sends no links.
	Links Linker
	// LinkExpiry is how long a link works (default 24h; S3 allows at most 7 days).
	LinkExpiry time.Duration
	// SlotWait is how long a send waits for one of its department's slots before giving up
	// with a retryable department_busy (default 2s): waiting longer would hold a worker that
	// another department's package could use.
	SlotWait time.Duration
	// Now is the clock the signature's timestamp is read from.
	Now func() time.Time
	// Signer adds HeaderOrigin, the hall's detached CMS signature over the body, which
	// proves beyond the shared HMAC secret who sent it; nil: none.
	Signer archive.ManifestSigner
}

// WebhookSender POSTs signed manifests. Each department has its own HTTP client (timeout,
// certificate, connection pool) and its own limit of requests in flight, so a receiver that
// hangs ties up at most that many of the workers, never another department's deliveries.
type WebhookSender struct {
	reg *Registry
	opt WebhookOptions

	mu    sync.Mutex
	slots map[string]chan struct{} // by department ID; replaced when its concurrency changes
}

var _ Sender = (*WebhookSender)(nil)

// NewWebhookSender sends to the webhook departments of reg.
func NewWebhookSender(reg *Registry, opt WebhookOptions) *WebhookSender {
	if opt.LinkExpiry <= 0 {
		opt.LinkExpiry = 24 * time.Hour
	}
	if opt.SlotWait <= 0 {
		opt.SlotWait = 2 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &WebhookSender{reg: reg, opt: opt, slots: map[string]chan struct{}{}}
}

func (s *WebhookSender) slot(d *Department) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.slots[d.ID]
	if cap(ch) != d.Webhook.Concurrency {
		// Senders holding the old channel release into it; it is simply dropped afterwards.
		ch = make(chan struct{}, d.Webhook.Concurrency)
		s.slots[d.ID] = ch
	}
	return ch
}

// Send implements Sender.
func (s *WebhookSender) Send(ctx context.Context, p Package) (Result, error) {
	d, err := department(s.reg, p, KindWebhook)
	if err != nil {
		return Result{}, err
	}
	m := p.Manifest
	if s.opt.Links != nil {
		if err := s.link(ctx, &m); err != nil {
			return Result{Kind: KindWebhook}, err
		}
	}
	body, err := m.Bytes()
	if err != nil {
		return Result{Kind: KindWebhook}, errs.E("delivery.webhook", errs.Internal, "manifest_unwritable", "The manifest cannot be written.", err)
	}
	return s.post(ctx, d, p.Key(), body, http.Header{HeaderDelivery: {m.PackageID}})
}

// Post sends another message than a package (the hand-out event of §7.3.3, say) to a webhook
// department the way Send sends packages: signed, through the department's client and
// within its limit of requests in flight, its answer classified alike. header adds headers
// (e.g. X-Onewindow-Event).
func (s *WebhookSender) Post(ctx context.Context, dept, idempotencyKey string, body []byte, header http.Header) (Result, error) {
	d, err := department(s.reg, Package{Department: dept}, KindWebhook)
	if err != nil {
		return Result{}, err
	}
	return s.post(ctx, d, idempotencyKey, body, header)
}

// SendEvent implements EventSender: the event is POSTed with HeaderEvent naming its kind.
func (s *WebhookSender) SendEvent(ctx context.Context, deptID, caseNo, kind, key string, body []byte) error {
	_, err := s.Post(ctx, deptID, key, body, http.Header{HeaderEvent: {kind}})
	return err
}

func (s *WebhookSender) post(ctx context.Context, d *Department, key string, body []byte, header http.Header) (Result, error) {
	const op = "delivery.webhook"
	w := d.Webhook
	res := Result{Kind: KindWebhook, Target: hostOf(w.URL)}
	slots := s.slot(d)
	wait := time.NewTimer(s.opt.SlotWait)
	select {
	case slots <- struct{}{}:
		wait.Stop()
	case <-wait.C:
		return res, errs.Errorf(op, errs.Unavailable, "department_busy",
			"Department %q already has %d deliveries in flight.", d.ID, w.Concurrency)
	case <-ctx.Done():
		wait.Stop()
		return res, ctx.Err()
	}
	defer func() { <-slots }()

	ts := s.opt.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return res, errs.E(op, errs.Invalid, "bad_webhook_url", "The department's webhook URL is not valid.", err)
	}
	for k, vs := range header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "onewindow-delivery/1")
	req.Header.Set(HeaderIdempotencyKey, key)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(w.Algorithm, w.Secret, ts, body))
	if s.opt.Signer != nil {
		sig, err := s.opt.Signer.SignDetached(ctx, bytes.NewReader(body))
		if err != nil {
			return res, errs.E(op, errs.Internal, "package_unsigned", "The package could not be signed.", err)
		}
		req.Header.Set(HeaderOrigin, base64.StdEncoding.EncodeToString(sig))
	}
	start := time.Now()
	resp, err := w.client.Do(req)
	res.Duration = time.Since(start)
	if err != nil {
		return res, networkError(op, d.ID, ctx, err)
	}
	// Read a little of the answer so the connection can be reused, never more.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	res.Status = resp.StatusCode
	if err := classify(op, d.ID, resp); err != nil {
		return res, err
	}
	res.State = StateDelivered
	return res, nil
}

func (s *WebhookSender) link(ctx context.Context, m *Manifest) error {
	docs := make([]Document, len(m.Documents))
	copy(docs, m.Documents)
	exp := s.opt.Now().Add(s.opt.LinkExpiry).UTC().Truncate(time.Second)
	for i := range docs {
		u, err := s.opt.Links.Link(ctx, docs[i].ID, s.opt.LinkExpiry)
		if err != nil {
			return err
		}
		docs[i].URL, docs[i].URLExpiresAt = u, &exp
	}
	m.Documents = docs
	return nil
}

// classify maps a receiver's answer to the error that decides retrying: 2xx delivered;
// 408, 429 and 5xx retryable; any other answer refused for good.
func classify(op, dept string, resp *http.Response) error {
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		var err error = errs.Errorf(op, errs.Unavailable, "department_unavailable",
			"Department %q answered %d; the package will be sent again.", dept, code)
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			err = &retryAfter{d: d, err: err}
		}
		return err
	default:
		return errs.Errorf(op, errs.Invalid, "department_rejected",
			"Department %q refused the package with %d; it will not be sent again unless re-pushed.", dept, code)
	}
}

func networkError(op, dept string, ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err() // the task's own deadline or shutdown: asynq retries it
	}
	// The URL may carry a department's path token: keep only the transport's reason.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errs.E(op, errs.Unavailable, "department_timeout",
			fmt.Sprintf("Department %q did not answer in time; the package will be sent again.", dept), err)
	}
	return errs.E(op, errs.Unavailable, "department_unreachable",
		fmt.Sprintf("Department %q cannot be reached; the package will be sent again.", dept), err)
}

// parseRetryAfter reads seconds or an HTTP date, bounded to a day.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, 0), 24*time.Hour), true
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}
