// Package devservices starts a private redis-server and MinIO server as child processes on
// free loopback ports, for `onewindow dev` and for integration tests. It never touches a
// service it did not start.
package devservices

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Options says where the services keep their data and which binaries to run.
type Options struct {
	DataDir   string // redis/ and minio/ are created below it
	RedisBin  string // empty: "redis-server" from PATH
	MinioBin  string // empty: FindMinio()
	Logger    *slog.Logger
	LogOutput io.Writer // the children's output; nil discards it
}

// Services are the running children.
type Services struct {
	RedisAddr   string // host:port
	S3Endpoint  string // host:port
	S3AccessKey string
	S3SecretKey string

	redis, minio *Child
	log          *slog.Logger
}

// Start starts redis-server and minio and waits until both answer.
func Start(ctx context.Context, opt Options) (*Services, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Services{log: log}
	if err := s.startRedis(ctx, opt); err != nil {
		return nil, err
	}
	if err := s.startMinio(ctx, opt); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Services) startRedis(ctx context.Context, opt Options) error {
	dir := filepath.Join(opt.DataDir, "redis")
	// The append-only file lets a restarted dev Redis keep its queue, like a production one.
	c, err := StartRedis(ctx, RedisOptions{Bin: opt.RedisBin, Dir: dir, LogOutput: opt.LogOutput,
		Args: []string{"--appendonly", "yes", "--save", ""}})
	if err != nil {
		return err
	}
	s.redis, s.RedisAddr = c, c.Addr
	s.log.Info("started redis-server", "addr", c.Addr, "pid", c.Pid())
	return nil
}

func (s *Services) startMinio(ctx context.Context, opt Options) error {
	user, secret, err := credentials(opt.DataDir)
	if err != nil {
		return err
	}
	c, err := StartMinio(ctx, MinioOptions{Bin: opt.MinioBin, Drives: []string{filepath.Join(opt.DataDir, "minio")},
		User: user, Secret: secret, LogOutput: opt.LogOutput})
	if err != nil {
		return err
	}
	s.minio = c
	s.S3Endpoint, s.S3AccessKey, s.S3SecretKey = c.Addr, user, secret
	s.log.Info("started minio", "endpoint", c.Addr, "pid", c.Pid())
	return nil
}

// RedisURL is the URL of the child Redis.
func (s *Services) RedisURL() string { return "redis://" + s.RedisAddr + "/0" }

// Stop terminates the children and waits for them.
func (s *Services) Stop() {
	for _, c := range []*Child{s.minio, s.redis} {
		c.Stop()
	}
	s.minio, s.redis = nil, nil
}

// FindMinio looks for the minio binary: ONEWINDOW_MINIO_BIN, then PATH, then .tools/bin/minio
// in the working directory or any parent (the README's set-up builds it there).
func FindMinio() string { return FindTool("minio", "ONEWINDOW_MINIO_BIN") }

// FindTool looks for a program: the variable env, then PATH, then .tools/bin/name in the
// working directory, the executable's, or any parent of them. It returns "" if none is found.
func FindTool(name, env string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return findInTools(name)
}

// FindMC looks for MinIO's client, mc: ONEWINDOW_MC_BIN, then .tools/bin/mc as FindTool looks
// (the README's set-up builds it there). Not the PATH: Debian's mc is Midnight Commander.
func FindMC() string {
	if p := os.Getenv("ONEWINDOW_MC_BIN"); p != "" {
		return p
	}
	return findInTools("mc")
}

// findInTools looks for .tools/bin/name in the working directory, the executable's, or any
// parent of them.
func findInTools(name string) string {
	dirs := []string{}
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	for _, d := range dirs {
		for {
			p := filepath.Join(d, ".tools", "bin", name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return ""
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// credentials are generated once per data directory so a restarted dev MinIO keeps its data.
func credentials(dataDir string) (user, secret string, err error) {
	path := filepath.Join(dataDir, "minio.credentials")
	if b, err := os.ReadFile(path); err == nil {
		if u, s, ok := strings.Cut(strings.TrimSpace(string(b)), ":"); ok {
			return u, s, nil
		}
	}
	buf := make([]byte, 20)
	if _, err := rand.Read(buf); err != nil {
		return "", "", err
	}
	user, secret = "onewindow", hex.EncodeToString(buf)
	return user, secret, os.WriteFile(path, []byte(user+":"+secret+"\n"), 0o600)
}

func waitFor(ctx context.Context, limit time.Duration, check func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func pingRedis(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("unexpected answer %q", line)
	}
	return nil
}

func httpOK(url string) error {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func output(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// childAttr puts a child in its own process group and asks the kernel to kill it when we die,
// so a crashed daemon or test never leaves servers behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
