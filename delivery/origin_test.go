package delivery

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"onewindow/internal/esign"
)

// A signing hall's webhook carries HeaderOrigin: its CMS signature over the exact body, which
// the department checks with the hall's CA certificate, no shared secret needed.
func TestWebhookCarriesTheHallsSignature(t *testing.T) {
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var body []byte
	var origin string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		body, origin = b, r.Header.Get(HeaderOrigin)
		mu.Unlock()
	}))
	defer srv.Close()
	s := NewWebhookSender(webhookSet(t, hookDept("market", srv.URL, "k1", time.Second, 1)), WebhookOptions{Signer: pki.Signer})
	if res, err := s.Send(context.Background(), testPackage("JL2026-0002", "market", 1, 2)); err != nil || res.State != StateDelivered {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	sig, err := base64.StdEncoding.DecodeString(origin)
	if err != nil || len(sig) == 0 {
		t.Fatalf("%s: %q", HeaderOrigin, origin)
	}
	roots := []*smx509.Certificate{pki.CA}
	if got, err := esign.VerifyDetached(bytes.NewReader(body), sig, roots); err != nil || got.Signer != "测试政务服务中心" {
		t.Fatalf("verify: %+v %v", got, err)
	}
	if _, err := esign.VerifyDetached(bytes.NewReader(append(bytes.Clone(body), ' ')), sig, roots); err == nil {
		t.Fatal("a changed body verified")
	}
}
