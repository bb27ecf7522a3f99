package httpx

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLimiterBucketsPerKey(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewLimiter(2, 3)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if _, ok := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	wait, ok := l.Allow("a")
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("fourth at once: ok=%v wait=%v, want refused with about 0.5 s to wait", ok, wait)
	}
	if _, ok := l.Allow("b"); !ok {
		t.Fatal("another key shares the first one's bucket")
	}
	now = now.Add(500 * time.Millisecond)
	if _, ok := l.Allow("a"); !ok {
		t.Fatal("no token after half a second at 2/s")
	}
	// A refused request spent nothing: still one token per half second.
	if _, ok := l.Allow("a"); ok {
		t.Fatal("two tokens in half a second")
	}
}

func TestLimiterPeekSpendsNothing(t *testing.T) {
	l := NewLimiter(1.0/60, 2)
	for range 5 {
		if _, ok := l.Peek("k"); !ok {
			t.Fatal("a peek spent a token")
		}
	}
	l.Allow("k")
	l.Allow("k")
	if wait, ok := l.Peek("k"); ok || wait < 55*time.Second {
		t.Fatalf("after a burst of two: ok=%v wait=%v, want about a minute", ok, wait)
	}
}

func TestLimiterForgetsIdleBuckets(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewLimiter(10, 5)
	l.now = func() time.Time { return now }
	l.maxKeys = 100
	for i := range 1000 {
		l.Allow(fmt.Sprint("addr-", i))
		if n := l.Len(); n > l.maxKeys {
			t.Fatalf("%d buckets kept, at most %d wanted", n, l.maxKeys)
		}
	}
	now = now.Add(2 * time.Minute) // every bucket is full again
	l.Allow("new")
	if n := l.Len(); n != 1 {
		t.Errorf("%d buckets after all went idle, want 1", n)
	}
}

func TestNilLimiterAllows(t *testing.T) {
	var l *Limiter = NewLimiter(0, 10)
	if l != nil {
		t.Fatal("rate 0 gives a limiter")
	}
	if _, ok := l.Allow("x"); !ok {
		t.Fatal("nil limiter refused")
	}
}

func TestClientKey(t *testing.T) {
	for _, tt := range []struct{ remote, want string }{
		{"192.0.2.7:5000", "addr:192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "addr:2001:db8:1:2::"},
		{"[2001:db8:1:2:ffff::1]:443", "addr:2001:db8:1:2::"},
		{"@", "addr:@"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remote
		if got := ClientKey(r); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.remote, got, tt.want)
		}
	}
}

func TestWriteRateLimited(t *testing.T) {
	w := httptest.NewRecorder()
	WriteRateLimited(w, httptest.NewRequest(http.MethodGet, "/", nil), 1200*time.Millisecond)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "2" {
		t.Fatalf("%d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if body := w.Body.String(); body != `{"error":{"code":"rate_limited","message":"Too many requests; wait as Retry-After says and try again."}}`+"\n" {
		t.Errorf("body %s", body)
	}
}
