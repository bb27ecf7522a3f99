package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onewindow/delivery"
	"onewindow/internal/errs"
)

// The receiver in docs/DELIVERY.md is this package's receiver_example_test.go, verbatim.
func TestDocShowsTheReceiver(t *testing.T) {
	src, err := os.ReadFile("receiver_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(src), "// receiver:begin\n")
	block, _, _ = strings.Cut(block, "// receiver:end")
	doc, err := os.ReadFile("../docs/DELIVERY.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```go\n"+block+"```") {
		t.Fatal("docs/DELIVERY.md does not show receiver_example_test.go's receiver as it is: copy it over")
	}
}

// The published receiver takes real deliveries, handles each package once, and refuses what
// it should.
func TestPublishedReceiver(t *testing.T) {
	var handled atomic.Int32
	rc := &Receiver{Secret: []byte("s3cret"), Handle: func(p Package) error {
		if p.CaseNo != "JL2026-0042" || len(p.Documents) != 2 || p.Documents[0].SHA256 == "" {
			return fmt.Errorf("manifest %+v", p)
		}
		handled.Add(1)
		return nil
	}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	dept := func(secret string) *delivery.Department {
		return &delivery.Department{ID: "market", Kind: delivery.KindWebhook,
			Webhook: &delivery.Webhook{URL: srv.URL, Secret: delivery.Secret(secret)}}
	}
	send := func(secret string, now func() time.Time) error {
		set, err := delivery.NewSet(dept(secret))
		if err != nil {
			t.Fatal(err)
		}
		s := delivery.NewWebhookSender(delivery.StaticRegistry(set), delivery.WebhookOptions{Now: now})
		docs := []delivery.Document{{ID: "d1", Type: "id_card", SHA256: strings.Repeat("1", 64)},
			{ID: "d2", Type: "application_form", SHA256: strings.Repeat("2", 64)}}
		p := delivery.NewPackage(delivery.Case{No: "JL2026-0042", Version: 1}, dept(secret), docs, time.Now())
		_, err = s.Send(context.Background(), p)
		return err
	}
	for range 3 {
		if err := send("s3cret", nil); err != nil {
			t.Fatal(err)
		}
	}
	if handled.Load() != 1 {
		t.Fatalf("handled %d times, want once", handled.Load())
	}
	// An event is taken (2xx, so not retried) and not handled as a package.
	set, _ := delivery.NewSet(dept("s3cret"))
	ev := delivery.NewWebhookSender(delivery.StaticRegistry(set), delivery.WebhookOptions{})
	if _, err := ev.Post(context.Background(), "market", "evt", []byte(`{"format":"onewindow.event/1","kind":"handout"}`),
		http.Header{"X-Onewindow-Event": {"handout"}}); err != nil || handled.Load() != 1 {
		t.Fatalf("event: %v, handled %d", err, handled.Load())
	}
	stale := func() time.Time { return time.Now().Add(-10 * time.Minute) }
	for name, err := range map[string]error{"wrong secret": send("guess", nil), "stale": send("s3cret", stale)} {
		if errs.CodeOf(err) != "department_rejected" {
			t.Errorf("%s: %v, want the receiver's 401 to stop retries", name, err)
		}
	}
}

// The openssl line in docs/DELIVERY.md gives the signature Sign gives.
func TestOpenSSLReproducesSignature(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	body := `{"case_no":"JL2026-0001","documents":[]}`
	cmd := exec.Command("sh", "-c", `printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1`)
	cmd.Env = append(os.Environ(), "TS=1700000000", "BODY="+body, "SECRET=s3cret")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := delivery.Sign(delivery.AlgSHA256, []byte("s3cret"), 1700000000, []byte(body))
	if got := "sha256=" + string(bytes.TrimSpace(out)); got != want {
		t.Fatalf("openssl %s, Sign %s", got, want)
	}
	doc, _ := os.ReadFile("../docs/DELIVERY.md")
	if !strings.Contains(string(doc), `openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1`) {
		t.Error("docs/DELIVERY.md no longer shows the openssl line this test runs")
	}
}
