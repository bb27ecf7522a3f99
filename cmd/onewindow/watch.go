package main

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"os"
	"strings"
	"time"

	"onewindow/internal/auth"
	"onewindow/internal/config"
	"onewindow/internal/lifecycle"
	"onewindow/watch"
	"onewindow/web"
)

// runWatch uploads what scanners leave in a folder to a running onewindow.
func runWatch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("onewindow watch", flag.ContinueOnError)
	apiURL := fs.String("api-url", envOr("ONEWINDOW_API_URL", "http://127.0.0.1:8080"), "the onewindow API to upload to (ONEWINDOW_API_URL)")
	token := fs.String("token", os.Getenv("ONEWINDOW_WATCH_TOKEN"), "a scanner's bearer token (ONEWINDOW_WATCH_TOKEN)")
	tokenFile := fs.String("token-file", os.Getenv("ONEWINDOW_WATCH_TOKEN_FILE"), "read the token from this file (ONEWINDOW_WATCH_TOKEN_FILE; systemd LoadCredential=)")
	station := fs.String("station", os.Getenv("ONEWINDOW_STATION"), "station of files whose folder names none (ONEWINDOW_STATION)")
	every := fs.Duration("every", 2*time.Second, "how often the folder is looked at")
	stable := fs.Duration("stable-for", 5*time.Second, "how long a file without a .done sidecar must keep its size")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: onewindow watch [flags] DIR")
	}
	if *tokenFile != "" {
		if *token != "" {
			return errors.New("give the token once: --token (ONEWINDOW_WATCH_TOKEN) or --token-file (ONEWINDOW_WATCH_TOKEN_FILE)")
		}
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return err
		}
		*token = strings.TrimSpace(string(b))
	}
	if *token == "" {
		return errors.New("give a scanner's token with --token, --token-file or ONEWINDOW_WATCH_TOKEN(_FILE)")
	}
	cfg := config.Default()
	w, err := watch.New(watch.Options{Dir: fs.Arg(0), Client: &http.Client{Timeout: 30 * time.Minute}, URL: *apiURL,
		Token: *token, Station: *station, Every: *every, StableFor: *stable, Log: newLogger(cfg)})
	if err != nil {
		return err
	}
	return w.Run(ctx)
}

// watchInProcess runs dev mode's --watch-dir against this process's own API.
func (d *deps) watchInProcess(g *lifecycle.Group, h http.Handler) error {
	w, err := watch.New(watch.Options{Dir: d.cfg.WatchDir, URL: "http://onewindow.internal",
		Client:  &http.Client{Transport: watch.InProcess(h, auth.Principal{Name: "watch-dir", Role: auth.RoleScanner})},
		Station: "watch-dir", Now: d.hall.Now, Log: d.log}) // done/ and failed/ keep the hall's days
	if err != nil {
		return err
	}
	d.log.Info("watching a folder for scans", "dir", d.cfg.WatchDir)
	g.Go("watch folder", w.Run)
	d.watcher = w
	return nil
}

// watchStatus shows dev mode's watched folder on the operators' page; the pages are built
// before the watcher (which calls them), so it is looked up when asked for.
func (d *deps) watchStatus() func(context.Context) (web.WatchStatus, error) {
	if d.cfg.WatchDir == "" {
		return nil
	}
	return func(context.Context) (web.WatchStatus, error) {
		if d.watcher == nil {
			return web.WatchStatus{Dir: d.cfg.WatchDir}, nil
		}
		dir, waiting, recent := d.watcher.Status()
		st := web.WatchStatus{Dir: dir, Waiting: waiting}
		for _, o := range recent {
			st.Recent = append(st.Recent, web.WatchEntry{Name: o.Name, At: o.At, BatchID: o.BatchID, Code: o.Code, Message: o.Message})
		}
		return st, nil
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
