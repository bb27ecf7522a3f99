package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"onewindow/internal/errs"
)

// replyError is a Redis error reply, as go-redis returns one.
type replyError string

func (e replyError) Error() string { return string(e) }
func (replyError) RedisError()     {}

func TestRedisErrorSaysWhatHappened(t *testing.T) {
	tests := []struct {
		err       error
		kind      errs.Kind
		code      string
		transient bool
	}{
		{redis.ErrCrossSlot, errs.Internal, "redis_cross_slot", false},
		{redis.ErrNoScript, errs.Internal, "redis_no_script", false},
		{replyError("WRONGTYPE Operation against a key holding the wrong kind of value"), errs.Internal, "redis_wrong_type", false},
		{replyError("EXECABORT Transaction discarded because of previous errors."), errs.Internal, "redis_transaction_aborted", false},
		{replyError("OOM command not allowed when used memory > 'maxmemory'."), errs.Unavailable, "redis_out_of_memory", false},
		{replyError("NOAUTH Authentication required."), errs.Unavailable, "redis_auth", false},
		{replyError("WRONGPASS invalid username-password pair or user is disabled."), errs.Unavailable, "redis_auth", false},
		{replyError("READONLY You can't write against a read only replica."), errs.Unavailable, "redis_read_only", true},
		{replyError("LOADING Redis is loading the dataset in memory"), errs.Unavailable, "redis_loading", true},
		{replyError("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."), errs.Unavailable, "redis_master_down", true},
		{replyError("CLUSTERDOWN The cluster is down"), errs.Unavailable, "redis_cluster_down", true},
		{replyError("TRYAGAIN Multiple keys request during rehashing of slot"), errs.Unavailable, "redis_try_again", true},
		{replyError("MOVED 3999 127.0.0.1:6381"), errs.Unavailable, "redis_moved", true},
		{replyError("ASK 3999 127.0.0.1:6381"), errs.Unavailable, "redis_moved", true},
		{replyError("ERR unknown command 'FOO'"), errs.Internal, "redis_error", false},
		{fmt.Errorf("pipeline: %w", replyError("READONLY You can't write against a read only replica.")), errs.Unavailable, "redis_read_only", true},
		{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, errs.Unavailable, "redis_unavailable", true},
		{io.EOF, errs.Unavailable, "redis_unavailable", true},
		{redis.ErrClosed, errs.Unavailable, "redis_unavailable", false},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			err := RedisError("storage.Test", tt.err)
			if errs.KindOf(err) != tt.kind || errs.CodeOf(err) != tt.code {
				t.Errorf("kind %v code %s, want %v %s", errs.KindOf(err), errs.CodeOf(err), tt.kind, tt.code)
			}
			if !errors.Is(err, tt.err) {
				t.Error("the cause is lost")
			}
			if got := transient(tt.err); got != tt.transient {
				t.Errorf("transient = %v, want %v", got, tt.transient)
			}
		})
	}
	if err := RedisError("op", context.Canceled); err != context.Canceled {
		t.Errorf("a cancelled call became %v", err)
	}
}

func TestRetryOutlastsAShortFailover(t *testing.T) {
	readOnly := replyError("READONLY You can't write against a read only replica.")
	tests := []struct {
		name  string
		fails []error // the answers before success; the call after them succeeds
		code  string  // "" for success
		tries int
	}{
		{"ok", nil, "", 1},
		{"failover then ok", []error{readOnly, readOnly, replyError("LOADING Redis is loading")}, "", 4},
		{"missing key is an answer", []error{redis.Nil}, "", 1},
		{"wrong type is not retried", []error{replyError("WRONGTYPE x")}, "redis_wrong_type", 1},
		{"failover outlasting the backoff", []error{readOnly, readOnly, readOnly, readOnly, readOnly, readOnly, readOnly},
			"redis_read_only", len(failoverBackoff) + 1},
	}
	saved := failoverBackoff
	defer func() { failoverBackoff = saved }()
	failoverBackoff = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tries := 0
			err := retry(context.Background(), "storage.Test", func(context.Context) error {
				tries++
				if tries <= len(tt.fails) {
					return tt.fails[tries-1]
				}
				return nil
			})
			if tt.code == "" && err != nil && !errors.Is(err, redis.Nil) {
				t.Errorf("err = %v, want success", err)
			}
			if tt.code != "" && errs.CodeOf(err) != tt.code {
				t.Errorf("code %s, want %s (%v)", errs.CodeOf(err), tt.code, err)
			}
			if tries != tt.tries {
				t.Errorf("%d tries, want %d", tries, tt.tries)
			}
		})
	}
}

func TestParseRedisURL(t *testing.T) {
	tests := []struct {
		url  string
		want asynq.RedisConnOpt
		err  bool
	}{
		{url: "redis://127.0.0.1:6379/2", want: asynq.RedisClientOpt{Addr: "127.0.0.1:6379", DB: 2}},
		{url: "redis://:secret@redis1:6379/0", want: asynq.RedisClientOpt{Addr: "redis1:6379", Password: "secret"}},
		{url: "redis-sentinel://s1:26379,s2:26379,s3:26379?master=mymaster",
			want: asynq.RedisFailoverClientOpt{MasterName: "mymaster", SentinelAddrs: []string{"s1:26379", "s2:26379", "s3:26379"}}},
		{url: "redis-sentinel://app:pw@s1:26379,s2:26379/3?master=hall&sentinel_password=spw",
			want: asynq.RedisFailoverClientOpt{MasterName: "hall", SentinelAddrs: []string{"s1:26379", "s2:26379"},
				SentinelPassword: "spw", Username: "app", Password: "pw", DB: 3}},
		{url: "redis-sentinel://s1:26379", err: true},            // no master name
		{url: "redis-sentinel://s1:26379/x?master=m", err: true}, // database not a number
		{url: "redis-sentinel://?master=m", err: true},           // no sentinel
		{url: "redis-cluster://r1:6379,r2:6379,r3:6379",
			want: asynq.RedisClusterClientOpt{Addrs: []string{"r1:6379", "r2:6379", "r3:6379"}, MaxRedirects: clusterMaxRedirects}},
		{url: "redis-cluster://app:pw@r1:6379,r2:6379/",
			want: asynq.RedisClusterClientOpt{Addrs: []string{"r1:6379", "r2:6379"}, Username: "app", Password: "pw", MaxRedirects: clusterMaxRedirects}},
		{url: "redis-cluster://r1:6379,r2:6379/1", err: true}, // a cluster has only database 0
		{url: "redis-cluster://r1,r2:6379", err: true},        // no port
		{url: "redis-cluster://", err: true},
		{url: "memcached://m1:11211", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := ParseRedisURL(tt.url)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestClientRoutesToMasters: the client a cluster URL makes follows enough redirects and
// never reads from a replica that may lag behind a write just made.
func TestClientRoutesToMasters(t *testing.T) {
	opt, err := ParseRedisURL("redis-cluster://127.0.0.1:7000,127.0.0.1:7001")
	if err != nil {
		t.Fatal(err)
	}
	c := clusterOptions(opt.(asynq.RedisClusterClientOpt))
	if c.MaxRedirects != clusterMaxRedirects || c.ReadOnly || c.RouteByLatency || c.RouteRandomly {
		t.Errorf("cluster options %+v", c)
	}
	st, err := NewState(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.Redis().(*redis.ClusterClient); !ok {
		t.Errorf("client %T, want *redis.ClusterClient", st.Redis())
	}
}

// TestKeysUsedTogetherShareASlot: what MULTI/EXEC and pipelines use together hashes alike.
func TestKeysUsedTogetherShareASlot(t *testing.T) {
	for _, id := range []string{"0196a5b2-7c1e-7f00-8000-000000000001", "b1"} {
		if a, b := hashSlot(batchKey(id)), hashSlot(pagesDoneKey(id)); a != b {
			t.Errorf("batch %s: entry in slot %d, page counter in %d", id, a, b)
		}
	}
	if hashSlot(batchKey("a")) == hashSlot(batchKey("b")) && hashSlot(batchKey("c")) == hashSlot(batchKey("a")) {
		t.Error("batches all land in one slot: the tag is too wide")
	}
}

// hashSlot is Redis Cluster's key slot: CRC16 of the hash tag (or the key), mod 16384.
func hashSlot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for _, c := range []byte(key) {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % 16384
}
