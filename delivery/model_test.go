package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"onewindow/internal/errs"
)

func TestManifestStreamsTheSameJSON(t *testing.T) {
	for _, n := range []int{0, 1, 7} {
		p := testPackage("JL2026-0001", "tax", 2, n)
		p.Manifest.Matter = `<a & b>` // escaping differs between encoders; the value must not
		var b bytes.Buffer
		if _, err := p.Manifest.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		var got Manifest
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("%d documents: not JSON: %v\n%s", n, err, b.String())
		}
		want := p.Manifest
		if want.Documents == nil {
			want.Documents = []Document{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d documents (-want +got):\n%s", n, diff)
		}
		if !strings.Contains(b.String(), `"documents":[`) {
			t.Errorf("documents are not an array: %s", b.String())
		}
	}
}

func TestNewPackageMasksUnlessAllowed(t *testing.T) {
	c := Case{No: "JL2026-0009", Matter: "m", Version: 3,
		Applicant: Applicant{Name: "李四", IDNumber: "220102199003072247", Phone: "13812345678"}}
	docs := []Document{{ID: "d1", Fields: map[string][]string{"id_numbers": {"220102199003072247"}, "credit_codes": {"91220101MA0Y3X5Q2K"}}}}
	masked := NewPackage(c, &Department{ID: "tax"}, docs, time.Unix(0, 0))
	full := NewPackage(c, &Department{ID: "police", FullIDs: true}, docs, time.Unix(0, 0))
	tests := []struct{ name, got, want string }{
		{"masked id", masked.Manifest.Applicant.IDNumber, "220102********2247"},
		{"masked phone", masked.Manifest.Applicant.Phone, "138****5678"},
		{"masked field", masked.Manifest.Documents[0].Fields["id_numbers"][0], "220102********2247"},
		{"credit code kept", masked.Manifest.Documents[0].Fields["credit_codes"][0], "91220101MA0Y3X5Q2K"},
		{"full id", full.Manifest.Applicant.IDNumber, "220102199003072247"},
		{"full field", full.Manifest.Documents[0].Fields["id_numbers"][0], "220102199003072247"},
		{"caller's documents untouched", docs[0].Fields["id_numbers"][0], "220102199003072247"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	m := masked.Manifest
	if m.PackageID != "JL2026-0009.tax.v3" || m.Version != 3 || m.Department != "tax" || m.Format != ManifestFormat {
		t.Errorf("manifest head %+v", m)
	}
}

func TestIdempotencyKey(t *testing.T) {
	k := IdempotencyKey("C1", "tax", 1)
	if k != IdempotencyKey("C1", "tax", 1) || len(k) != 32 {
		t.Fatalf("key %q is not stable", k)
	}
	others := []string{IdempotencyKey("C1", "tax", 2), IdempotencyKey("C1", "market", 1), IdempotencyKey("C2", "tax", 1),
		IdempotencyKey("C1\x00tax", "", 1)}
	for _, o := range others {
		if o == k {
			t.Fatalf("two packages share the key %s", k)
		}
	}
}

func TestRetryPolicySpansADay(t *testing.T) {
	var sum time.Duration
	for n := range MaxRetry {
		d := RetryDelay(n)
		if n > 0 && d < RetryDelay(n-1) {
			t.Fatalf("delay %d (%v) shorter than the one before", n, d)
		}
		if d > time.Hour {
			t.Fatalf("delay %d is %v, over the cap", n, d)
		}
		sum += d
	}
	if sum < 24*time.Hour || sum > 25*time.Hour {
		t.Fatalf("%d retries wait %v in all, want about a day", MaxRetry, sum)
	}
	if RetryDelay(0) != 30*time.Second || RetryDelay(1) != time.Minute || RetryDelay(100) != time.Hour || RetryDelay(-1) != 30*time.Second {
		t.Fatalf("delays %v %v %v", RetryDelay(0), RetryDelay(1), RetryDelay(100))
	}
	t.Logf("MaxRetry %d, %v in all", MaxRetry, sum)
	down := errs.E("op", errs.Unavailable, "department_unavailable", "", nil)
	for range 50 {
		if d := RetryDelayFor(3, down); d < 4*time.Minute || d > 4*time.Minute+24*time.Second+time.Second {
			t.Fatalf("RetryDelayFor(3) = %v, want 4m plus up to a tenth", d)
		}
	}
	busy := errs.E("op", errs.Unavailable, "department_busy", "", nil)
	if d := RetryDelayFor(20, busy); d > 33*time.Second {
		t.Fatalf("a busy department's package waits %v", d)
	}
	if Final(down, MaxRetry-1, MaxRetry) || !Final(down, MaxRetry, MaxRetry) || !Final(errs.E("op", errs.Invalid, "", "", nil), 0, MaxRetry) {
		t.Fatal("Final")
	}
}

func TestDeliveryTransitions(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	p := testPackage("C1", "tax", 1, 1)
	down := errs.E("op", errs.Unavailable, "department_unavailable", "Down.", errors.New("dial tcp 10.1.2.3:443 secret-path"))
	pending := NewDelivery(p, t0)
	retrying := pending.FailedAttempt(t0, Result{Kind: KindWebhook, Status: 503}, down, false, time.Minute)
	failed := retrying.FailedAttempt(t0, Result{}, down, true, 0)
	delivered := retrying.Succeeded(t0, Result{Kind: KindWebhook, State: StateDelivered, Status: 200})
	acked, err := delivered.Acknowledge(t0)
	if err != nil {
		t.Fatal(err)
	}
	pull := pending.Succeeded(t0, Result{Kind: KindPull, State: StatePending})
	tests := []struct {
		name     string
		d        Delivery
		state    State
		attempts int
		dead     bool
	}{
		{"new", pending, StatePending, 0, false},
		{"one failure", retrying, StatePending, 1, false},
		{"final failure", failed, StateFailed, 2, true},
		{"delivered after a failure", delivered, StateDelivered, 2, false},
		{"acknowledged", acked, StateAcknowledged, 2, false},
		{"a late failure after delivery", delivered.FailedAttempt(t0, Result{}, down, true, 0), StateDelivered, 3, false},
		{"ready to pull", pull, StatePending, 1, false},
	}
	for _, tt := range tests {
		if tt.d.State != tt.state || tt.d.Attempts != tt.attempts || tt.d.Dead != tt.dead {
			t.Errorf("%s: %s, %d attempts, dead %v; want %s, %d, %v", tt.name, tt.d.State, tt.d.Attempts, tt.d.Dead, tt.state, tt.attempts, tt.dead)
		}
	}
	if strings.Contains(retrying.LastError, "10.1.2.3") || retrying.LastError != "department_unavailable: Down." {
		t.Errorf("last error %q shows the cause", retrying.LastError)
	}
	if retrying.NextAttemptAt == nil || !retrying.NextAttemptAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("next attempt %v", retrying.NextAttemptAt)
	}
	illegal := []struct {
		name string
		do   func() (Delivery, error)
	}{
		{"acknowledge a failed one", func() (Delivery, error) { return failed.Acknowledge(t0) }},
		{"fetch a failed one", func() (Delivery, error) { return failed.Fetched(t0) }},
		{"re-push a pending one", func() (Delivery, error) { return retrying.Repush(t0) }},
	}
	for _, tt := range illegal {
		if _, err := tt.do(); errs.CodeOf(err) != "illegal_transition" || errs.KindOf(err) != errs.Conflict {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if d, err := pull.Fetched(t0); err != nil || d.State != StateDelivered {
		t.Errorf("fetched: %+v %v", d, err)
	}
	if d, err := failed.Repush(t0); err != nil || d.State != StatePending || d.Dead || d.Repushes != 1 {
		t.Errorf("repush: %+v %v", d, err)
	}
}

type stubSender struct {
	kind  Kind
	calls int
}

func (s *stubSender) Send(ctx context.Context, p Package) (Result, error) {
	s.calls++
	return Result{Kind: s.kind, State: StateDelivered}, nil
}

// The router sends each package the way its department receives it; a pull department's
// package waits, pending, until fetched.
func TestRouterAndPull(t *testing.T) {
	set, err := NewSet(
		&Department{ID: "hook", Kind: KindWebhook, Webhook: &Webhook{URL: "https://x.example", Secret: Secret("k")}},
		&Department{ID: "bucket", Kind: KindS3, S3: &S3{Endpoint: "127.0.0.1:9", Bucket: "bkt"}},
		&Department{ID: "pull", Kind: KindPull})
	if err != nil {
		t.Fatal(err)
	}
	reg := StaticRegistry(set)
	hook, bucket := &stubSender{kind: KindWebhook}, &stubSender{kind: KindS3}
	r := &Router{Registry: reg, Webhook: hook, S3: bucket, Pull: PullSender{}}
	dl := &Deliverer{Sender: r, Tracker: NewMemTracker()}
	ctx := context.Background()
	for _, id := range []string{"hook", "bucket", "pull"} {
		d, err := dl.Deliver(ctx, testPackage("C7", id, 1, 1), 0, MaxRetry)
		want := StateDelivered
		if id == "pull" {
			want = StatePending
		}
		if err != nil || d.State != want {
			t.Errorf("%s: %+v %v", id, d, err)
		}
	}
	if hook.calls != 1 || bucket.calls != 1 {
		t.Errorf("webhook %d calls, s3 %d calls", hook.calls, bucket.calls)
	}
	key := testPackage("C7", "pull", 1, 1).Key()
	if d, err := dl.Fetched(ctx, key); err != nil || d.State != StateDelivered || d.DeliveredAt == nil {
		t.Fatalf("fetched %+v %v", d, err)
	}
	if d, err := dl.Acknowledge(ctx, key); err != nil || d.State != StateAcknowledged {
		t.Fatalf("acknowledged %+v %v", d, err)
	}
	if _, err := dl.Fetched(ctx, "no-such-key"); errs.CodeOf(err) != "delivery_not_found" {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := r.Send(ctx, testPackage("C7", "gone", 1, 1)); errs.CodeOf(err) != "unknown_department" || errs.Retryable(err) {
		t.Fatalf("unknown department: %v", err)
	}
	if _, err := (&Router{Registry: reg}).Send(ctx, testPackage("C7", "hook", 1, 1)); errs.CodeOf(err) != "no_sender" {
		t.Fatalf("no sender: %v", err)
	}
}
