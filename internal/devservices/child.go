package devservices

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// Child is one server process this package started, in its own process group.
type Child struct {
	Addr string // host:port it serves on
	cmd  *exec.Cmd
	done chan struct{}
}

func startChild(cmd *exec.Cmd, out io.Writer, addr string) (*Child, error) {
	cmd.Stdout, cmd.Stderr = output(out), output(out)
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	c := &Child{Addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(c.done) }()
	return c, nil
}

// Pid is the child's process ID.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Exited reports whether the child has ended.
func (c *Child) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Stop asks the child to end (SIGTERM), waits up to ten seconds, then kills it. A nil or
// ended child is left alone.
func (c *Child) Stop() {
	if c == nil || c.Exited() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.Kill()
	}
}

// Kill ends the child at once (SIGKILL), as a crash or a pulled plug would, and waits.
func (c *Child) Kill() {
	if c == nil || c.Exited() {
		return
	}
	_ = c.cmd.Process.Kill()
	<-c.done
}

// RedisOptions say how to run one redis-server.
type RedisOptions struct {
	Bin       string   // empty: "redis-server" from PATH
	Dir       string   // its working directory (data, nodes.conf); created
	Config    string   // a config file, given first (sentinels need one they can rewrite)
	Port      int      // 0: a free loopback port
	Args      []string // more options, e.g. "--cluster-enabled", "yes"
	LogOutput io.Writer
}

// StartRedis starts a redis-server (or, with "--sentinel" in Args, a sentinel) on a loopback
// port and waits until it answers PING.
func StartRedis(ctx context.Context, opt RedisOptions) (*Child, error) {
	bin := opt.Bin
	if bin == "" {
		bin = "redis-server"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("redis-server not found (install it with the README's set-up command): %w", err)
	}
	if err := os.MkdirAll(opt.Dir, 0o700); err != nil {
		return nil, err
	}
	port := opt.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	var args []string
	if opt.Config != "" {
		args = append(args, opt.Config)
	}
	args = append(args, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", opt.Dir,
		"--protected-mode", "yes", "--daemonize", "no", "--logfile", "")
	args = append(args, opt.Args...)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c, err := startChild(exec.Command(path, args...), opt.LogOutput, addr)
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, 30*time.Second, func() error {
		if c.Exited() {
			return errors.New("redis-server exited")
		}
		return pingRedis(addr)
	}); err != nil {
		c.Kill()
		return nil, fmt.Errorf("redis-server did not answer on %s: %w", addr, err)
	}
	return c, nil
}

// MinioOptions say how to run one MinIO server.
type MinioOptions struct {
	Bin          string   // empty: FindMinio()
	Drives       []string // one directory, or several for an erasure set; created
	User, Secret string
	Port         int // 0: a free loopback port; a restarted server takes its old one
	LogOutput    io.Writer
}

// StartMinio starts a MinIO server on a loopback port and waits until it is ready.
func StartMinio(ctx context.Context, opt MinioOptions) (*Child, error) {
	bin := opt.Bin
	if bin == "" {
		bin = FindMinio()
	}
	if bin == "" {
		return nil, errors.New("minio server not found: run the README's set-up command, which builds it into .tools/bin, or set ONEWINDOW_MINIO_BIN")
	}
	for _, d := range opt.Drives {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	port := opt.Port
	if port == 0 {
		var err error
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	console, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := append([]string{"server"}, opt.Drives...)
	args = append(args, "--address", addr,
		"--console-address", net.JoinHostPort("127.0.0.1", strconv.Itoa(console)), "--quiet")
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+opt.User, "MINIO_ROOT_PASSWORD="+opt.Secret,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1")
	c, err := startChild(cmd, opt.LogOutput, addr)
	if err != nil {
		return nil, err
	}
	health := "http://" + addr + "/minio/health/ready"
	if err := waitFor(ctx, 60*time.Second, func() error {
		if c.Exited() {
			return errors.New("minio exited")
		}
		return httpOK(health)
	}); err != nil {
		c.Kill()
		return nil, fmt.Errorf("minio did not answer on %s: %w", addr, err)
	}
	return c, nil
}
