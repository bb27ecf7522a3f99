package httpx

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"onewindow/internal/errs"
)

// Limiter is a token bucket per key (a principal's name, a client's address): golang.org/x/time/rate
// does the arithmetic, Limiter keeps one bucket per key and forgets idle ones, so that memory
// stays bounded however many addresses knock. A nil *Limiter allows everything.
type Limiter struct {
	limit rate.Limit
	burst int
	// maxKeys bounds the buckets kept; over it, full buckets are forgotten first.
	maxKeys int
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

// DefaultMaxKeys is how many buckets a Limiter keeps at most (a few MB).
const DefaultMaxKeys = 20_000

// NewLimiter allows perSecond requests a second per key with bursts of burst; perSecond <= 0
// gives nil, which allows everything.
func NewLimiter(perSecond float64, burst int) *Limiter {
	if perSecond <= 0 {
		return nil
	}
	return &Limiter{limit: rate.Limit(perSecond), burst: max(burst, 1), maxKeys: DefaultMaxKeys, now: time.Now,
		buckets: map[string]*rate.Limiter{}}
}

// Allow spends one token of key's bucket. When the bucket is empty it spends nothing and
// returns how long until a token is there.
func (l *Limiter) Allow(key string) (retryAfter time.Duration, ok bool) {
	if l == nil {
		return 0, true
	}
	now := l.now()
	r := l.bucket(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

// Peek is Allow without spending: for requests that cost only when they fail (a sign-in that
// succeeds costs nothing, so that only guessing is limited), Peek first, Allow on failure.
func (l *Limiter) Peek(key string) (retryAfter time.Duration, ok bool) {
	if l == nil {
		return 0, true
	}
	now := l.now()
	if tokens := l.bucket(key, now).TokensAt(now); tokens < 1 {
		return time.Duration((1 - tokens) / float64(l.limit) * float64(time.Second)), false
	}
	return 0, true
}

func (l *Limiter) bucket(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		l.makeRoom(now)
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[key] = b
	}
	return b
}

// Len is the number of buckets kept.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// makeRoom forgets buckets that have refilled (a new one would be the same), once a minute or
// when the map is full; if it is still full (a flood from many addresses), arbitrary ones go,
// which at worst gives some of them a fresh burst. l.mu is held.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.buckets) < l.maxKeys && now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.maxKeys*3/4 {
			break
		}
		delete(l.buckets, k)
	}
}

// ClientKey is the rate-limit key of an unauthenticated request: its peer address, an IPv6
// address by its /64 (one host holds a whole /64). Behind a reverse proxy every client shares
// the proxy's address, which is why the default limits are generous.
func ClientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return "addr:" + host
	}
	if ip.To4() == nil {
		ip = ip.Mask(net.CIDRMask(64, 128))
	}
	return "addr:" + ip.String()
}

// ErrRateLimited is the answer to a caller over its limit.
var ErrRateLimited = errs.E("httpx.RateLimit", errs.RateLimited, "rate_limited", "Too many requests; wait as Retry-After says and try again.", nil)

// WriteRateLimited answers 429 rate_limited with Retry-After in whole seconds (at least 1).
// It logs nothing: the access log has the request's line already, and a flood must not
// double the log.
func WriteRateLimited(w http.ResponseWriter, r *http.Request, retryAfter time.Duration) {
	SetRetryAfter(w, retryAfter)
	WriteError(w, r, nil, ErrRateLimited)
}

// SetRetryAfter sets Retry-After to d in whole seconds, at least 1.
func SetRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(d, time.Second).Seconds()))))
}
