package testenv

// Distributed engines for tests: a Redis Cluster, a Sentinel group and MinIO as an erasure set,
// each on free loopback ports under the test's temporary directory and stopped when it ends.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"onewindow/internal/devservices"
	"onewindow/storage"
)

func childOutput() *os.File {
	if os.Getenv("ONEWINDOW_TEST_VERBOSE") != "" {
		return os.Stderr
	}
	return nil
}

func startRedis(t testing.TB, ctx context.Context, opt devservices.RedisOptions) *devservices.Child {
	t.Helper()
	if f := childOutput(); f != nil {
		opt.LogOutput = f
	}
	c, err := devservices.StartRedis(ctx, opt)
	if err != nil {
		t.Fatalf("start redis: %v", err)
	}
	t.Cleanup(c.Stop)
	return c
}

// eventually polls check every 100 ms until it returns nil or limit passes.
func eventually(t testing.TB, limit time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// RedisCluster is a Redis Cluster of masters without replicas, slots spread evenly.
type RedisCluster struct {
	Nodes []*devservices.Child
}

// StartRedisCluster starts a cluster of masters (three at least, as redis-cli demands) and
// waits until every node says the cluster is ok.
func StartRedisCluster(t testing.TB, masters int) *RedisCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs redis-server (run without -short)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := &RedisCluster{}
	dir := t.TempDir()
	for i := range masters {
		bus, err := devservices.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		c.Nodes = append(c.Nodes, startRedis(t, ctx, devservices.RedisOptions{Dir: filepath.Join(dir, strconv.Itoa(i)),
			Args: []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
				"--cluster-node-timeout", "3000", "--cluster-port", strconv.Itoa(bus), "--appendonly", "yes"}}))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, n := range c.Nodes {
		rdb := redis.NewClient(&redis.Options{Addr: n.Addr})
		eventually(t, 30*time.Second, "cluster state on "+n.Addr, func() error {
			info, err := rdb.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") {
				return fmt.Errorf("not ok yet")
			}
			return nil
		})
		rdb.Close()
	}
	return c
}

// Addrs are the nodes' host:port.
func (c *RedisCluster) Addrs() []string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, n.Addr)
	}
	return out
}

// URL is the cluster as ONEWINDOW_REDIS_URL names it.
func (c *RedisCluster) URL() string { return "redis-cluster://" + strings.Join(c.Addrs(), ",") }

// SentinelGroup is a master, one replica and one sentinel watching them.
type SentinelGroup struct {
	Name                      string // the master's name at the sentinel
	Master, Replica, Sentinel *devservices.Child
}

// StartSentinelGroup starts the three and waits until the sentinel knows the replica, so a
// failover can pick it.
func StartSentinelGroup(t testing.TB) *SentinelGroup {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs redis-server (run without -short)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	g := &SentinelGroup{Name: "onewindow"}
	g.Master = startRedis(t, ctx, devservices.RedisOptions{Dir: filepath.Join(dir, "a"), Args: []string{"--appendonly", "yes"}})
	host, port, _ := strings.Cut(g.Master.Addr, ":")
	g.Replica = startRedis(t, ctx, devservices.RedisOptions{Dir: filepath.Join(dir, "b"),
		Args: []string{"--appendonly", "yes", "--replicaof", host, port}})
	conf := filepath.Join(dir, "sentinel.conf")
	// A short down-after lets a killed master be replaced within seconds.
	text := fmt.Sprintf("sentinel monitor %s %s %s 1\nsentinel down-after-milliseconds %s 2000\nsentinel failover-timeout %s 20000\n",
		g.Name, host, port, g.Name, g.Name)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	g.Sentinel = startRedis(t, ctx, devservices.RedisOptions{Dir: filepath.Join(dir, "s"), Config: conf,
		Args: []string{"--sentinel"}})
	s := redis.NewSentinelClient(&redis.Options{Addr: g.Sentinel.Addr})
	defer s.Close()
	eventually(t, 40*time.Second, "sentinel to find the replica", func() error {
		replicas, err := s.Replicas(ctx, g.Name).Result()
		if err != nil {
			return err
		}
		for _, r := range replicas {
			if r["ip"]+":"+r["port"] == g.Replica.Addr && r["master-link-status"] == "ok" && !strings.Contains(r["flags"], "down") {
				return nil
			}
		}
		return fmt.Errorf("replicas: %v", replicas)
	})
	return g
}

// URL is the group as ONEWINDOW_REDIS_URL names it.
func (g *SentinelGroup) URL() string {
	return "redis-sentinel://" + g.Sentinel.Addr + "?master=" + g.Name
}

// MasterAddr asks the sentinel which node is the master now.
func (g *SentinelGroup) MasterAddr(ctx context.Context) (string, error) {
	s := redis.NewSentinelClient(&redis.Options{Addr: g.Sentinel.Addr})
	defer s.Close()
	hp, err := s.GetMasterAddrByName(ctx, g.Name).Result()
	if err != nil {
		return "", err
	}
	return strings.Join(hp, ":"), nil
}

// Failover asks the sentinel to promote the replica (SENTINEL FAILOVER) and waits until the
// sentinel names the new master and that node answers as one. It returns the new master.
func (g *SentinelGroup) Failover(t testing.TB) string {
	t.Helper()
	return g.replaceMaster(t, func(ctx context.Context, before string) error {
		s := redis.NewSentinelClient(&redis.Options{Addr: g.Sentinel.Addr})
		defer s.Close()
		return s.Failover(ctx, g.Name).Err()
	})
}

// KillMaster kills the master with SIGKILL, as a crashed host would, and waits until the
// sentinel has promoted the replica (after down-after-milliseconds). It returns the new master.
func (g *SentinelGroup) KillMaster(t testing.TB) string {
	t.Helper()
	return g.replaceMaster(t, func(ctx context.Context, before string) error {
		for _, c := range []*devservices.Child{g.Master, g.Replica} {
			if c.Addr == before {
				c.Kill()
				return nil
			}
		}
		return fmt.Errorf("the master %s is none of the group's servers", before)
	})
}

func (g *SentinelGroup) replaceMaster(t testing.TB, act func(ctx context.Context, before string) error) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	before, err := g.MasterAddr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := act(ctx, before); err != nil {
		t.Fatal(err)
	}
	var after string
	eventually(t, 40*time.Second, "failover", func() error {
		if after, err = g.MasterAddr(ctx); err != nil || after == before {
			return fmt.Errorf("master still %s (%v)", after, err)
		}
		rdb := redis.NewClient(&redis.Options{Addr: after})
		defer rdb.Close()
		info, err := rdb.Info(ctx, "replication").Result()
		if err != nil || !strings.Contains(info, "role:master") {
			return fmt.Errorf("%s not a master yet (%v)", after, err)
		}
		return nil
	})
	return after
}

// ErasureMinIO is one MinIO server over several drives (an erasure set), object lock
// available as on any MinIO.
type ErasureMinIO struct {
	Server *devservices.Child
	Drives []string
	s3     storage.S3Options
}

// StartErasureMinIO starts MinIO over drives directories (four or more gives an erasure set
// that survives losing one).
func StartErasureMinIO(t testing.TB, drives int) *ErasureMinIO {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs minio (run without -short)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	m := &ErasureMinIO{}
	for i := range drives {
		m.Drives = append(m.Drives, filepath.Join(dir, fmt.Sprintf("drive%d", i+1)))
	}
	const user, secret = "onewindow", "erasure-set-test-secret"
	opt := devservices.MinioOptions{Drives: m.Drives, User: user, Secret: secret}
	if f := childOutput(); f != nil {
		opt.LogOutput = f
	}
	c, err := devservices.StartMinio(ctx, opt)
	if err != nil {
		t.Fatalf("start minio: %v", err)
	}
	t.Cleanup(c.Stop)
	m.Server = c
	m.s3 = storage.S3Options{Endpoint: c.Addr, AccessKey: user, SecretKey: secret, Region: "us-east-1", Prefix: "test"}
	return m
}

// S3Options reach the server.
func (m *ErasureMinIO) S3Options() storage.S3Options { return m.s3 }

// Services names the server as Services does, for helpers that take one (S3 only).
func (m *ErasureMinIO) Services() *devservices.Services {
	return &devservices.Services{S3Endpoint: m.s3.Endpoint, S3AccessKey: m.s3.AccessKey, S3SecretKey: m.s3.SecretKey}
}

// RemoveDrive takes drive i away under the running server, as a failed disk would: its
// directory moves aside, so every read and write on it fails.
func (m *ErasureMinIO) RemoveDrive(t testing.TB, i int) {
	t.Helper()
	if err := os.Rename(m.Drives[i], m.Drives[i]+".removed"); err != nil {
		t.Fatal(err)
	}
}

// ReturnDrive puts drive i back with what it held when it was taken away.
func (m *ErasureMinIO) ReturnDrive(t testing.TB, i int) {
	t.Helper()
	var err error
	for range 50 {
		// MinIO recreates a missing drive's directory now and then; clear it and try again.
		_ = os.RemoveAll(m.Drives[i])
		if err = os.Rename(m.Drives[i]+".removed", m.Drives[i]); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(err)
}

// LoseRedis empties the Redis behind rdb, as one lost without persistence comes back. On a
// cluster it empties every master: FLUSHALL through a cluster client reaches only one node.
func LoseRedis(t testing.TB, rdb redis.UniversalClient) {
	t.Helper()
	ctx := context.Background()
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.FlushAll(ctx).Err() })
	} else {
		err = rdb.FlushAll(ctx).Err()
	}
	if err != nil {
		t.Fatalf("flush redis: %v", err)
	}
}

// Reshard moves slots from node from to node to with `redis-cli --cluster reshard`, keys and
// all, while the cluster keeps serving: clients meet ASK and MOVED meanwhile.
func (c *RedisCluster) Reshard(t testing.TB, from, to, slots int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id := func(n *devservices.Child) string {
		rdb := redis.NewClient(&redis.Options{Addr: n.Addr})
		defer rdb.Close()
		s, err := rdb.Do(ctx, "CLUSTER", "MYID").Text()
		if err != nil {
			t.Fatalf("CLUSTER MYID on %s: %v", n.Addr, err)
		}
		return s
	}
	out, err := exec.CommandContext(ctx, "redis-cli", "--cluster", "reshard", c.Nodes[0].Addr,
		"--cluster-from", id(c.Nodes[from]), "--cluster-to", id(c.Nodes[to]),
		"--cluster-slots", strconv.Itoa(slots), "--cluster-yes").CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster reshard: %v\n%s", err, out)
	}
}
