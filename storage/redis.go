package storage

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// clusterMaxRedirects is how many MOVED/ASK answers one command follows: a resharding moves
// slots one by one and a failover moves them all at once, so the default of 3 is too few.
const clusterMaxRedirects = 8

// ParseRedisURL accepts the three topologies a hall runs:
//
//	redis://[user:password@]host:port[/db]   (also rediss:// and redis-socket://, as asynq parses them)
//	redis-sentinel://[user:password@]host:port,host:port[/db]?master=NAME[&sentinel_password=P][&sentinel_username=U]
//	redis-cluster://[user:password@]host:port,host:port
//
// For Sentinel the user and password are the master's; the sentinels' own password, if they
// have one, is sentinel_password. A cluster has only database 0.
func ParseRedisURL(s string) (asynq.RedisConnOpt, error) {
	switch {
	case strings.HasPrefix(s, "redis-cluster://"):
		return parseCluster(s)
	case strings.HasPrefix(s, "redis-sentinel://"):
		return parseSentinel(s)
	}
	return asynq.ParseRedisURI(s)
}

func parseCluster(s string) (asynq.RedisConnOpt, error) {
	u, addrs, err := parseMultiHost(s, "redis-cluster://")
	if err != nil {
		return nil, err
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
		return nil, fmt.Errorf("redis-cluster URL names database %q: a cluster has only database 0", p)
	}
	opt := asynq.RedisClusterClientOpt{Addrs: addrs, MaxRedirects: clusterMaxRedirects}
	if u.User != nil {
		opt.Username = u.User.Username()
		opt.Password, _ = u.User.Password()
	}
	return opt, nil
}

func parseSentinel(s string) (asynq.RedisConnOpt, error) {
	u, addrs, err := parseMultiHost(s, "redis-sentinel://")
	if err != nil {
		return nil, err
	}
	q := u.Query()
	opt := asynq.RedisFailoverClientOpt{MasterName: q.Get("master"), SentinelAddrs: addrs,
		SentinelUsername: q.Get("sentinel_username"), SentinelPassword: q.Get("sentinel_password")}
	if opt.MasterName == "" {
		return nil, errors.New("redis-sentinel URL needs ?master=NAME (the name the sentinels monitor)")
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if opt.DB, err = strconv.Atoi(p); err != nil || opt.DB < 0 {
			return nil, fmt.Errorf("redis-sentinel URL: database %q is not a number", p)
		}
	}
	if u.User != nil {
		opt.Username = u.User.Username()
		opt.Password, _ = u.User.Password()
	}
	return opt, nil
}

// parseMultiHost parses a URL whose host part is a comma-separated list of host:port.
func parseMultiHost(s, scheme string) (*url.URL, []string, error) {
	name := strings.TrimSuffix(scheme, "://")
	u, err := url.Parse("redis://" + strings.TrimPrefix(s, scheme))
	if err != nil {
		return nil, nil, fmt.Errorf("%s URL: %w", name, err)
	}
	var addrs []string
	for a := range strings.SplitSeq(u.Host, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if !strings.Contains(a, ":") {
			return nil, nil, fmt.Errorf("%s URL: address %q has no port", name, a)
		}
		addrs = append(addrs, a)
	}
	if len(addrs) == 0 {
		return nil, nil, fmt.Errorf("%s URL names no host:port", name)
	}
	return u, addrs, nil
}

// newRedisClient builds the one client that State, the queue and the dashboard share. For a
// cluster and a sentinel group it sets the routing itself rather than trusting defaults:
// every command goes to the master of its slot (no reads from replicas, which lag behind a
// write just made), and MOVED/ASK are followed clusterMaxRedirects times.
func newRedisClient(opt asynq.RedisConnOpt) (redis.UniversalClient, error) {
	switch o := opt.(type) {
	case asynq.RedisClusterClientOpt:
		return redis.NewClusterClient(clusterOptions(o)), nil
	case asynq.RedisFailoverClientOpt:
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: o.MasterName, SentinelAddrs: o.SentinelAddrs,
			SentinelUsername: o.SentinelUsername, SentinelPassword: o.SentinelPassword,
			Username: o.Username, Password: o.Password, DB: o.DB,
			DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
			PoolSize: o.PoolSize, TLSConfig: o.TLSConfig,
			ReplicaOnly: false, RouteByLatency: false, RouteRandomly: false,
		}), nil
	}
	c, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		return nil, fmt.Errorf("unexpected redis client type %T", opt.MakeRedisClient())
	}
	return c, nil
}

func clusterOptions(o asynq.RedisClusterClientOpt) *redis.ClusterOptions {
	redirects := o.MaxRedirects
	if redirects == 0 {
		redirects = clusterMaxRedirects
	}
	return &redis.ClusterOptions{
		Addrs: o.Addrs, Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig,
		DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		MaxRedirects: redirects, ReadOnly: false, RouteByLatency: false, RouteRandomly: false,
	}
}
