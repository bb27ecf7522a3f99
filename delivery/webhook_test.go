package delivery

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onewindow/internal/errs"
)

// receiver is a department's endpoint as a real HTTP server: it checks every signature,
// deduplicates on the idempotency key, and answers what the test tells it to.
type receiver struct {
	t      testing.TB
	secret []byte
	alg    string
	srv    *httptest.Server

	mu       sync.Mutex
	answer   func(n int) int // the status of the n-th request (0-based); nil: 200
	delay    time.Duration
	requests int
	accepted map[string]int // idempotency key -> times processed
	bodies   [][]byte
	hang     chan struct{} // when set, requests wait on it
}

func newReceiver(t testing.TB, secret string) *receiver {
	r := &receiver{t: t, secret: []byte(secret), accepted: map[string]int{}}
	r.srv = httptest.NewServer(r)
	t.Cleanup(func() {
		r.mu.Lock()
		if r.hang != nil {
			close(r.hang)
			r.hang = nil
		}
		r.mu.Unlock()
		r.srv.Close()
	})
	return r
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	r.mu.Lock()
	n := r.requests
	r.requests++
	hang, delay, answer := r.hang, r.delay, r.answer
	r.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-req.Context().Done():
		}
		return
	}
	time.Sleep(delay)
	if err := Verify(r.alg, r.secret, req.Header.Get(HeaderTimestamp), req.Header.Get(HeaderSignature), body, time.Now(), 0); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	status := http.StatusOK
	if answer != nil {
		status = answer(n)
	}
	if status/100 == 2 || status >= 1000 {
		r.mu.Lock()
		r.accepted[req.Header.Get(HeaderIdempotencyKey)]++
		r.bodies = append(r.bodies, body)
		r.mu.Unlock()
	}
	w.WriteHeader(status % 1000)
}

func (r *receiver) stats() (requests int, accepted map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	acc := map[string]int{}
	for k, v := range r.accepted {
		acc[k] = v
	}
	return r.requests, acc
}

func testPackage(caseNo, dept string, version, docs int) Package {
	c := Case{No: caseNo, Matter: "business-licence", Version: version,
		Applicant: Applicant{Name: "张三", IDNumber: "220102199003072247", Phone: "13812345678"}}
	var ds []Document
	for i := range docs {
		ds = append(ds, Document{ID: fmt.Sprintf("%s-%03d", caseNo, i+1), Type: "id_card", Pages: 2,
			SHA256: strings.Repeat("a", 64), SM3: strings.Repeat("b", 64), Size: 1000,
			Fields: map[string][]string{"id_numbers": {"220102199003072247"}}})
	}
	return NewPackage(c, &Department{ID: dept}, ds, time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC))
}

func webhookSet(t testing.TB, depts ...*Department) *Registry {
	t.Helper()
	s, err := NewSet(depts...)
	if err != nil {
		t.Fatal(err)
	}
	return StaticRegistry(s)
}

func hookDept(id, url, secret string, timeout time.Duration, concurrency int) *Department {
	return &Department{ID: id, Kind: KindWebhook, Webhook: &Webhook{URL: url, Secret: Secret(secret), Timeout: timeout, Concurrency: concurrency}}
}

func TestWebhookDeliversSignedManifest(t *testing.T) {
	for _, alg := range []string{AlgSHA256, AlgSM3} {
		t.Run(alg, func(t *testing.T) {
			rc := newReceiver(t, "k1")
			rc.alg = alg
			d := hookDept("market", rc.srv.URL+"/hook", "k1", time.Second, 2)
			d.Webhook.Algorithm = alg
			s := NewWebhookSender(webhookSet(t, d), WebhookOptions{Links: linker{}})
			p := testPackage("JL2026-0001", "market", 1, 3)
			res, err := s.Send(context.Background(), p)
			if err != nil || res.State != StateDelivered || res.Status != 200 {
				t.Fatalf("Send = %+v, %v", res, err)
			}
			_, acc := rc.stats()
			if acc[p.Key()] != 1 {
				t.Fatalf("accepted %v, want the key %s once", acc, p.Key())
			}
			var m struct {
				CaseNo    string `json:"case_no"`
				Documents []struct {
					ID, Type, SHA256, URL string
				} `json:"documents"`
			}
			if err := json.Unmarshal(rc.bodies[0], &m); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, rc.bodies[0])
			}
			if m.CaseNo != "JL2026-0001" || len(m.Documents) != 3 || m.Documents[0].Type != "id_card" ||
				m.Documents[0].SHA256 == "" || !strings.HasPrefix(m.Documents[0].URL, "https://files.example/") {
				t.Fatalf("manifest %+v", m)
			}
			if p.Manifest.Documents[0].URL != "" {
				t.Fatal("links were written into the caller's package")
			}
		})
	}
}

type linker struct{}

func (linker) Link(ctx context.Context, docID string, expiry time.Duration) (string, error) {
	return "https://files.example/" + docID + "?expires=" + expiry.String(), nil
}

func TestWebhookClassifiesAnswers(t *testing.T) {
	tests := []struct {
		status    int
		retryable bool
		code      string
	}{
		{200, false, ""}, {202, false, ""}, {204, false, ""},
		{408, true, "department_unavailable"}, {429, true, "department_unavailable"},
		{500, true, "department_unavailable"}, {502, true, "department_unavailable"}, {503, true, "department_unavailable"},
		{400, false, "department_rejected"}, {401, false, "department_rejected"}, {403, false, "department_rejected"},
		{404, false, "department_rejected"}, {410, false, "department_rejected"}, {422, false, "department_rejected"},
		{302, false, "department_rejected"}, // a redirect is not followed: personal data stays where configured
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.status == 302 {
					w.Header().Set("Location", "https://elsewhere.example/")
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			s := NewWebhookSender(webhookSet(t, hookDept("d", srv.URL, "k", time.Second, 1)), WebhookOptions{})
			res, err := s.Send(context.Background(), testPackage("C1", "d", 1, 1))
			if res.Status != tt.status {
				t.Errorf("status %d, want %d", res.Status, tt.status)
			}
			if tt.code == "" {
				if err != nil || res.State != StateDelivered {
					t.Fatalf("%+v %v", res, err)
				}
				return
			}
			if errs.CodeOf(err) != tt.code || errs.Retryable(err) != tt.retryable {
				t.Fatalf("err %v (retryable %v), want %s retryable %v", err, errs.Retryable(err), tt.code, tt.retryable)
			}
			if Final(err, 0, MaxRetry) == tt.retryable {
				t.Errorf("Final = %v on the first attempt", !tt.retryable)
			}
		})
	}
}

func TestWebhookRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	s := NewWebhookSender(webhookSet(t, hookDept("d", srv.URL, "k", time.Second, 1)), WebhookOptions{})
	_, err := s.Send(context.Background(), testPackage("C1", "d", 1, 1))
	if d, ok := RetryAfterOf(err); !ok || d != 2*time.Minute {
		t.Fatalf("RetryAfterOf = %v %v (%v)", d, ok, err)
	}
	if d := RetryDelayFor(0, err); d < 2*time.Minute || d > 2*time.Minute+12*time.Second {
		t.Fatalf("RetryDelayFor = %v, want about the 2m asked for", d)
	}
	if errs.CodeOf(err) != "department_unavailable" {
		t.Fatalf("code %s", errs.CodeOf(err))
	}
}

// A department down for a while gets its package once it is back, exactly once from its
// point of view, and the tracking record tells the story.
func TestDeliveryRecoversAfterOutage(t *testing.T) {
	rc := newReceiver(t, "k")
	// Two 503s, then the answer to an accepted request is lost (it processed the package but
	// we see a 504), then it works: the package must be processed once.
	rc.answer = func(n int) int {
		switch n {
		case 0, 1:
			return 503
		case 2:
			return 504 + 1000 // processed, but the answer says gateway timeout
		}
		return 200
	}
	reg := webhookSet(t, hookDept("tax", rc.srv.URL, "k", time.Second, 1))
	tr := NewMemTracker()
	clock := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	var announced atomic.Int32
	announce := func(ctx context.Context, d Delivery, p Package) error {
		if announced.Add(1) == 1 {
			return errs.E("test", errs.Unavailable, "storage_unavailable", "Down.", nil) // filing the events fails once
		}
		return nil
	}
	dl := &Deliverer{Sender: &Router{Registry: reg, Webhook: NewWebhookSender(reg, WebhookOptions{})}, Tracker: tr,
		Now: func() time.Time { return clock }, OnDelivered: announce}
	p := testPackage("JL2026-0002", "tax", 1, 2)
	if _, err := dl.Queued(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	var d Delivery
	var err error
	for retried := 0; retried < 10; retried++ {
		d, err = dl.Deliver(context.Background(), p, retried, MaxRetry)
		if err == nil {
			break
		}
		if d.State == StateDelivered && errs.CodeOf(err) == "storage_unavailable" {
			continue // delivered; announcing it failed and is retried
		}
		if !errs.Retryable(err) {
			t.Fatalf("attempt %d: %v is not retryable", retried+1, err)
		}
		if d.State != StatePending || d.NextAttemptAt == nil || d.LastStatus == 0 || !strings.Contains(d.LastError, "department_unavailable") {
			t.Fatalf("after attempt %d: %+v", retried+1, d)
		}
		clock = clock.Add(RetryDelay(retried))
	}
	if d.State != StateDelivered || d.Attempts != 4 || d.DeliveredAt == nil || d.LastError != "" || !d.Announced {
		t.Fatalf("delivery %+v", d)
	}
	if announced.Load() != 2 {
		t.Fatalf("OnDelivered ran %d times, want 2 (one failure, one success)", announced.Load())
	}
	if cs, _ := tr.OfCase(context.Background(), "JL2026-0002"); len(cs) != 1 || cs[0].Key != p.Key() {
		t.Fatalf("case timeline %+v", cs)
	}
	requests, acc := rc.stats()
	if requests != 4 {
		t.Errorf("%d requests, want 4", requests)
	}
	// The lost answer made the department see the key twice; it deduplicates on it.
	if len(acc) != 1 || acc[p.Key()] != 2 {
		t.Errorf("accepted %v", acc)
	}
	// A task redelivered after the success (a worker died before acking) sends nothing.
	if d2, err := dl.Deliver(context.Background(), p, 0, MaxRetry); err != nil || d2.Attempts != 4 {
		t.Fatalf("redelivered task: %+v %v", d2, err)
	}
	if requests, _ := rc.stats(); requests != 4 {
		t.Fatalf("a delivered package was sent again")
	}
	d, err = dl.Acknowledge(context.Background(), p.Key())
	if err != nil || d.State != StateAcknowledged {
		t.Fatalf("acknowledge: %+v %v", d, err)
	}
}

func TestPermanentRefusalGoesToDeadLetter(t *testing.T) {
	rc := newReceiver(t, "k")
	rc.answer = func(int) int { return 422 }
	reg := webhookSet(t, hookDept("civil", rc.srv.URL, "k", time.Second, 1))
	tr := NewMemTracker()
	dl := &Deliverer{Sender: NewWebhookSender(reg, WebhookOptions{}), Tracker: tr}
	p := testPackage("JL2026-0003", "civil", 2, 1)
	d, err := dl.Deliver(context.Background(), p, 0, MaxRetry)
	if errs.Retryable(err) || d.State != StateFailed || !d.Dead || d.LastStatus != 422 || d.FailedAt == nil {
		t.Fatalf("%+v %v", d, err)
	}
	dead, _ := tr.DeadLetters(context.Background())
	if len(dead) != 1 || dead[0].Key != p.Key() {
		t.Fatalf("dead letters %+v", dead)
	}
	// The department fixes its side; the package is re-pushed with the same key.
	rc.mu.Lock()
	rc.answer = nil
	rc.mu.Unlock()
	if d, err = dl.Repush(context.Background(), p.Key()); err != nil || d.State != StatePending || d.Dead {
		t.Fatalf("repush %+v %v", d, err)
	}
	if d, err = dl.Deliver(context.Background(), p, 0, MaxRetry); err != nil || d.State != StateDelivered || d.Repushes != 1 {
		t.Fatalf("after repush %+v %v", d, err)
	}
}

// A receiver that hangs holds at most its own slots, for at most its timeout; another
// department's packages go through meanwhile.
func TestHungReceiverDoesNotHoldUpOthers(t *testing.T) {
	hung := newReceiver(t, "k")
	hung.hang = make(chan struct{})
	slow := newReceiver(t, "k")
	slow.delay = 150 * time.Millisecond
	reg := webhookSet(t,
		hookDept("hung", hung.srv.URL, "k", 400*time.Millisecond, 2),
		hookDept("slow", slow.srv.URL, "k", 2*time.Second, 8))
	s := NewWebhookSender(reg, WebhookOptions{SlotWait: 100 * time.Millisecond})

	var wg sync.WaitGroup
	var timeouts, busy, otherErrs atomic.Int32
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Send(context.Background(), testPackage(fmt.Sprintf("H%d", i), "hung", 1, 1))
			switch errs.CodeOf(err) {
			case "department_timeout":
				timeouts.Add(1)
			case "department_busy":
				busy.Add(1)
			default:
				otherErrs.Add(1)
			}
			if !errs.Retryable(err) {
				t.Errorf("hung department: %v is not retryable", err)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond) // the hung department's slots are taken now
	start := time.Now()
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Send(context.Background(), testPackage(fmt.Sprintf("S%d", i), "slow", 1, 1)); err != nil {
				t.Errorf("slow department: %v", err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if elapsed > time.Second {
		t.Errorf("the slow department's 8 packages took %v beside a hung one", elapsed)
	}
	if requests, _ := hung.stats(); requests > 2 {
		t.Errorf("the hung department got %d requests in flight, its limit is 2", requests)
	}
	if timeouts.Load() != 2 || busy.Load() != 4 || otherErrs.Load() != 0 {
		t.Errorf("hung department: %d timeouts, %d busy, %d other; want 2, 4, 0", timeouts.Load(), busy.Load(), otherErrs.Load())
	}
	if _, acc := slow.stats(); len(acc) != 8 {
		t.Errorf("slow department accepted %d packages, want 8", len(acc))
	}
}

func TestWebhookClientCertificate(t *testing.T) {
	dir := t.TempDir()
	clientCert := selfSigned(t, dir, "client")
	pool := x509.NewCertPool()
	pool.AddCert(clientCert)
	rc := &receiver{t: t, secret: []byte("k"), accepted: map[string]int{}}
	srv := httptest.NewUnstartedServer(rc)
	selfSigned(t, dir, "server-ca")
	serverCert, err := tls.LoadX509KeyPair(filepath.Join(dir, "server-ca.pem"), filepath.Join(dir, "server-ca-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, Certificates: []tls.Certificate{serverCert}}
	srv.StartTLS()
	defer srv.Close()

	file := func(withCert bool) string {
		f := "departments:\n  - id: bank\n    webhook:\n      url: " + srv.URL + "/in\n      secret: k\n      ca_file: server-ca.pem\n"
		if withCert {
			f += "      client_cert: client.pem\n      client_key: client-key.pem\n"
		}
		return f
	}
	for _, withCert := range []bool{true, false} {
		set, err := Parse([]byte(file(withCert)), dir)
		if err != nil {
			t.Fatal(err)
		}
		s := NewWebhookSender(StaticRegistry(set), WebhookOptions{})
		_, err = s.Send(context.Background(), testPackage("C9", "bank", 1, 1))
		if withCert && err != nil {
			t.Fatalf("with the client certificate: %v", err)
		}
		if !withCert && errs.CodeOf(err) != "department_unreachable" {
			t.Fatalf("without a client certificate: %v", err)
		}
	}
	if _, acc := rc.stats(); len(acc) != 1 {
		t.Fatalf("accepted %v", acc)
	}
}

// selfSigned writes NAME.pem and NAME-key.pem, a certificate for 127.0.0.1 good for a client
// and a server, into dir.
func selfSigned(t *testing.T, dir, name string) *x509.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IPAddresses: []net.IP{net.IPv6loopback, net.IPv4(127, 0, 0, 1)},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, filepath.Join(dir, name+".pem"), "CERTIFICATE", der)
	writePEM(t, filepath.Join(dir, name+"-key.pem"), "EC PRIVATE KEY", kb)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookPostsEvents(t *testing.T) {
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		got = r.Header.Clone()
		if err := Verify(AlgSHA256, []byte("k"), r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, time.Now(), 0); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	s := NewWebhookSender(webhookSet(t, hookDept("d", srv.URL, "k", time.Second, 1)), WebhookOptions{})
	res, err := s.Post(context.Background(), "d", "evt-1", []byte(`{"kind":"handed_out"}`), http.Header{"X-Onewindow-Event": {"handed_out"}})
	if err != nil || res.State != StateDelivered {
		t.Fatalf("Post = %+v, %v", res, err)
	}
	if got.Get("X-Onewindow-Event") != "handed_out" || got.Get(HeaderIdempotencyKey) != "evt-1" || string(body) != `{"kind":"handed_out"}` {
		t.Fatalf("headers %v body %s", got, body)
	}
	if _, err := s.Post(context.Background(), "nobody", "k", nil, nil); errs.CodeOf(err) != "unknown_department" {
		t.Fatalf("unknown department: %v", err)
	}
}
