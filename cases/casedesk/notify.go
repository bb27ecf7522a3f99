package casedesk

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"onewindow/internal/errs"
)

// Notification is a message for an applicant. Phone and Message are personal data: they go
// to the gateway and never into logs.
type Notification struct {
	CaseNo string `json:"case_no"`
	MailID string `json:"mail_id,omitempty"`
	What   string `json:"what"` // pre_acceptance, accepted, result_ready, ...
	// Seq is the case event a change's message tells of (0 for others): one change, one
	// message, even when a case is asked for corrections twice.
	Seq     int    `json:"seq,omitempty"`
	Phone   string `json:"phone"`
	Message string `json:"message"`
}

// Notifier tells applicants. Notify reports delivered = true when the message went out
// before it returned; a notifier that queues the message answers false and, once sent,
// calls Desk.RecordNotified.
type Notifier interface {
	Notify(ctx context.Context, n Notification) (delivered bool, err error)
	Channel() string // recorded on the case, e.g. "webhook"
}

// WebhookNotifier posts notifications as JSON to a gateway (e.g. the hall's SMS gateway),
// signed like department deliveries (X-Onewindow-Timestamp, X-Onewindow-Signature: sha256=HMAC
// over "TIMESTAMP.BODY"), retrying with doubling backoff; each attempt is logged without the
// phone number or message.
type WebhookNotifier struct {
	URL      string
	Secret   string
	Client   *http.Client  // default: 10 s timeout
	Attempts int           // default 5
	Backoff  time.Duration // first wait, doubled each retry; default 1 s
	Log      *slog.Logger
}

var _ Notifier = (*WebhookNotifier)(nil)

// Channel names the notifier on the case.
func (w *WebhookNotifier) Channel() string { return "webhook" }

// Notify posts n until the gateway answers 2xx, a 4xx other than 408/429 says it never will,
// the attempts run out or ctx ends.
func (w *WebhookNotifier) Notify(ctx context.Context, n Notification) (bool, error) {
	const op = "desk.WebhookNotifier"
	client, attempts, backoff, log := w.Client, w.Attempts, w.Backoff, w.Log
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if attempts <= 0 {
		attempts = 5
	}
	if backoff <= 0 {
		backoff = time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	body, err := json.Marshal(n)
	if err != nil {
		return false, errs.E(op, errs.Internal, "", "", err)
	}
	var last error
	for i := 1; i <= attempts; i++ {
		status, err := w.post(ctx, client, n, body)
		log.InfoContext(ctx, "applicant notification attempt", "case_no", n.CaseNo, "mail_id", n.MailID, "what", n.What,
			"attempt", i, "status", status, "err", err)
		if err == nil && status/100 == 2 {
			return true, nil
		}
		if err == nil && status/100 == 4 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests {
			return false, errs.Errorf(op, errs.Unprocessable, "notification_refused", "The notification gateway refused the message (HTTP %d).", status)
		}
		last = err
		if last == nil {
			last = fmt.Errorf("gateway answered HTTP %d", status)
		}
		if i == attempts {
			break
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(backoff << (i - 1)):
		}
	}
	return false, errs.E(op, errs.Unavailable, "notifier_unavailable", "The notification gateway did not take the message.", last)
}

func (w *WebhookNotifier) post(ctx context.Context, client *http.Client, n Notification, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	key := n.CaseNo + ":" + n.MailID + ":" + n.What
	if n.Seq > 0 {
		key += ":" + strconv.Itoa(n.Seq)
	}
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("X-Onewindow-Timestamp", ts)
	if w.Secret != "" {
		mac := hmac.New(sha256.New, []byte(w.Secret))
		mac.Write([]byte(ts + "."))
		mac.Write(body)
		req.Header.Set("X-Onewindow-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}
