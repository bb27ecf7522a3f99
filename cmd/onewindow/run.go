package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"onewindow/internal/config"
	"onewindow/internal/devservices"
	"onewindow/internal/lifecycle"
)

func runServe(ctx context.Context, args []string) error {
	cfg, _, err := parseConfig("serve", args, nil)
	if err != nil {
		return err
	}
	return run(ctx, cfg, true, false)
}

func runWork(ctx context.Context, args []string) error {
	cfg, _, err := parseConfig("work", args, nil)
	if err != nil {
		return err
	}
	return run(ctx, cfg, false, true)
}

// runDev runs API and workers in one process and, unless told where they are, its own Redis
// and MinIO under --data-dir.
func runDev(ctx context.Context, args []string) error {
	cfg, _, err := parseConfig("dev", args, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	if err := openDevSigning(&cfg); err != nil {
		return err
	}
	if cfg.RedisURL == "" || cfg.S3Endpoint == "" {
		logFile, err := os.OpenFile(filepath.Join(cfg.DataDir, "services.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		defer logFile.Close()
		svc, err := devservices.Start(ctx, devservices.Options{DataDir: cfg.DataDir, RedisBin: cfg.RedisBin,
			MinioBin: cfg.MinioBin, Logger: log, LogOutput: logFile})
		if err != nil {
			return err
		}
		defer svc.Stop()
		if cfg.RedisURL == "" {
			cfg.RedisURL = svc.RedisURL()
		}
		if cfg.S3Endpoint == "" {
			cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3Secure = svc.S3Endpoint, svc.S3AccessKey, svc.S3SecretKey, false
			redactor.Add(svc.S3SecretKey)
		}
	}
	// A token the hall gave is never echoed; one dev mode made is printed once, for the developer.
	shown, where := "$ONEWINDOW_ADMIN_TOKEN", "as given"
	if cfg.AdminToken == "" {
		if cfg.AdminToken, err = devAdminToken(cfg.DataDir); err != nil {
			return err
		}
		shown, where = cfg.AdminToken, "also in "+filepath.Join(cfg.DataDir, "admin.token")
	}
	fmt.Printf("\nonewindow dev on http://%s\n  admin token: %s (%s)\n  try: curl -H \"Authorization: Bearer %s\" -F file=@scan.pdf http://%s/api/v1/batches\n  queues: http://%s/admin/queues/ (password: the admin token)\n\n",
		cfg.Addr, shown, where, shown, cfg.Addr, cfg.Addr)
	if devPKI != nil {
		fmt.Printf("  signatures: a test CA for development only; check filed copies with: onewindow verify-pdf --trust %s FILE.pdf\n\n", cfg.SignTrust)
	}
	redactor.Add(cfg.AdminToken)
	return run(ctx, cfg, true, true)
}

// devAdminToken reuses the token of an earlier dev run in the same data directory.
func devAdminToken(dir string) (string, error) {
	path := filepath.Join(dir, "admin.token")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(buf)
	return tok, os.WriteFile(path, []byte(tok+"\n"), 0o600)
}

// run starts the API, the workers or both as components of one lifecycle group, and stops
// them when ctx ends or one of them fails: components first, then what they used.
func run(ctx context.Context, cfg config.Config, serveAPI, work bool) error {
	log := newLogger(cfg)
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	g := lifecycle.New(ctx, log)
	g.OnStop("connections", func() error { d.close(); return nil })
	if err := d.start(g, serveAPI, work); err != nil {
		_ = g.Stop(30 * time.Second)
		return err
	}
	select {
	case <-ctx.Done():
	case err = <-g.Failed():
	}
	log.Info("shutting down")
	_ = g.Stop(45 * time.Second)
	return err
}

// start adds the API and the workers to g.
func (d *deps) start(g *lifecycle.Group, serveAPI, work bool) error {
	if serveAPI {
		httpSrv, err := d.apiServer(g, work)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", d.cfg.Addr)
		if err != nil {
			return err
		}
		d.log.Info("api listening", "addr", ln.Addr().String())
		if d.cfg.WatchDir != "" {
			if err := d.watchInProcess(g, httpSrv.Handler); err != nil {
				return err
			}
		}
		g.Go("http", func(ctx context.Context) error {
			errc := make(chan error, 1)
			go func() {
				if d.cfg.TLSCert != "" {
					errc <- httpSrv.ServeTLS(ln, d.cfg.TLSCert, d.cfg.TLSKey)
					return
				}
				errc <- httpSrv.Serve(ln)
			}()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
				sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				return httpSrv.Shutdown(sctx)
			}
		})
	}
	if work {
		srv, mux, closeEngines, err := d.workServer()
		if err != nil {
			return err
		}
		g.OnStop("ocr engines", func() error { closeEngines(); return nil })
		d.watchDepartments(g) // a work-only process rereads the departments file too
		if cd, err := d.caseDesk(); err == nil {
			d.watchMatters(g, cd) // and the matter catalogue
		}
		if err := srv.Start(mux); err != nil {
			return err
		}
		d.log.Info("workers started", "concurrency", d.cfg.Concurrency)
		if !serveAPI && d.cfg.MetricsAddr != "" {
			if err := d.serveMetrics(g); err != nil {
				return err
			}
		}
		g.Go("workers", func(ctx context.Context) error {
			<-ctx.Done()
			srv.Shutdown()
			return nil
		})
	}
	return nil
}
