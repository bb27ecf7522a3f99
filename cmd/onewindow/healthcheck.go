package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"
)

// The packages for halls (deploy/) check health with the binary itself: the image has no
// curl, and a systemd timer, a Compose healthcheck and a probe then ask the same question.
func init() { commands["healthcheck"] = runHealthcheck }

// runHealthcheck asks a local process whether it is alive (ROLE serve: /healthz on --addr;
// work: /healthz on --metrics-addr) or, with --ready, whether it can do its work (/readyz
// on --addr: Redis, MinIO and OCR answer). It exits 0 on 200 and 1 otherwise.
func runHealthcheck(ctx context.Context, args []string) error {
	var ready bool
	var timeout, wait time.Duration
	cfg, rest, err := parseConfig("healthcheck", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&ready, "ready", false, "ask /readyz (serve only) instead of /healthz")
		fs.DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
		fs.DurationVar(&wait, "wait", 0, "ask again every second until healthy or this long has passed (a unit's ExecStartPost)")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 || (rest[0] != "serve" && rest[0] != "work") {
		return errors.New("usage: onewindow healthcheck [--ready] serve|work")
	}
	addr, path, scheme := cfg.Addr, "/healthz", "http"
	if rest[0] == "work" {
		if ready {
			return errors.New("a work process answers /healthz only (on --metrics-addr)")
		}
		if cfg.MetricsAddr == "" {
			return errors.New("work has no health endpoint without --metrics-addr (ONEWINDOW_METRICS_ADDR)")
		}
		addr = cfg.MetricsAddr
	} else {
		if ready {
			path = "/readyz"
		}
		if cfg.TLSCert != "" {
			scheme = "https"
		}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1" // a process listening on every address answers on loopback
	}
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{
		// The certificate names the hall's host, not the loopback address asked here.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a local liveness probe, no data
	}}
	url := scheme + "://" + net.JoinHostPort(host, port) + path
	deadline := time.Now().Add(wait)
	for {
		err := ask(ctx, client, url)
		if err == nil || !time.Now().Before(deadline) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Second)
	}
}

func ask(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}
