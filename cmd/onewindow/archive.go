package main

// The archive's commands and wiring:
//
//	onewindow reindex                       rebuild Redis (and, via the API processes, search) from MinIO
//	onewindow fixity [--every 24h]          re-read every archived object and compare its digests
//	onewindow export --case-no X --out F    write a case as a zipped BagIt bag
//	onewindow verify-bag F                  check every manifest of a zipped bag

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"onewindow/api"
	"onewindow/archive"
	"onewindow/archive/desk"
	"onewindow/internal/config"
)

func init() {
	commands["reindex"] = runReindex
	commands["fixity"] = runFixity
	commands["export"] = runExport
	commands["verify-bag"] = runVerifyBag
}

// indexDir is where this process keeps its search index.
func indexDir(cfg config.Config) string {
	if cfg.IndexDir != "" {
		return cfg.IndexDir
	}
	return filepath.Join(cfg.DataDir, "index")
}

func (d *deps) desk() *desk.Desk {
	host, _ := os.Hostname()
	return &desk.Desk{Blobs: d.blobs, State: d.state, Queue: d.queue, Log: d.log, Metrics: d.metrics,
		Origin: fmt.Sprintf("%s:%d", host, os.Getpid()), HallName: d.cfg.HallName}
}

// addArchive opens this API process's search index, starts its feed and the scheduled fixity
// run, and adds the archive calls to s.
func (d *deps) addArchive(s *api.Server) error {
	dk := d.desk()
	idx, err := archive.OpenIndex(indexDir(d.cfg))
	if err != nil {
		return err
	}
	dk.Index = idx
	// The index is closed on the same signals that stop the process, so that what it holds
	// in memory is written out; the feed position lives inside it, so a crash only repeats work.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		defer stop()
		f := dk.Follower()
		done := make(chan struct{})
		go func() { f.Run(ctx); close(done) }()
		go dk.ScheduleFixity(ctx, d.cfg.FixityEvery)
		<-ctx.Done()
		<-done
		_ = idx.Close()
	}()
	s.Extra = append(s.Extra, dk.Routes)
	return nil
}

// parseWith is parseConfig with a command's own flags beside the configuration.
func parseWith(name string, args []string, extra func(fs *flag.FlagSet)) (config.Config, []string, error) {
	cfg := config.Default()
	fs := flag.NewFlagSet("onewindow "+name, flag.ContinueOnError)
	if err := cfg.Register(fs); err != nil {
		return cfg, nil, err
	}
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	return cfg, fs.Args(), cfg.Validate()
}

func printJSON(v any) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// runReindex rebuilds the Redis indexes from MinIO and tells every API process to rebuild its
// search index.
func runReindex(ctx context.Context, args []string) error {
	cfg, _, err := parseWith("reindex", args, nil)
	if err != nil {
		return err
	}
	d, err := connect(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer d.close()
	res, err := d.desk().Reindex(ctx)
	if err != nil {
		return err
	}
	printJSON(res)
	return nil
}

// runFixity checks the archive once, or every --every until stopped. It exits 3 when an object
// failed, so that cron and monitoring notice.
func runFixity(ctx context.Context, args []string) error {
	var every time.Duration
	var parallel int
	cfg, _, err := parseWith("fixity", args, func(fs *flag.FlagSet) {
		fs.DurationVar(&every, "every", 0, "run again at this interval until stopped (0: once)")
		fs.IntVar(&parallel, "parallel", 4, "objects read at once")
	})
	if err != nil {
		return err
	}
	d, err := connect(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer d.close()
	dk := d.desk()
	for {
		rep, err := dk.Fixity(ctx, parallel)
		if err != nil {
			return err
		}
		printJSON(rep)
		if every <= 0 {
			if len(rep.Failed) > 0 {
				d.close()
				fmt.Fprintf(os.Stderr, "onewindow: fixity: %d of %d objects failed\n", len(rep.Failed), rep.Checked)
				os.Exit(3)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

func runExport(ctx context.Context, args []string) error {
	var caseNo, out string
	cfg, _, err := parseWith("export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&caseNo, "case-no", "", "the case to export")
		fs.StringVar(&out, "out", "", "the zip file to write")
	})
	if err != nil {
		return err
	}
	if caseNo == "" || out == "" {
		return errors.New("export needs --case-no and --out")
	}
	d, err := connect(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer d.close()
	dk := d.desk()
	recs, err := dk.CaseRecords(ctx, caseNo)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return fmt.Errorf("no filed documents have case number %q", caseNo)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := archive.WriteBag(ctx, f, d.blobs, recs, archive.BagInfo{SourceOrganization: cfg.HallName,
		ExternalIdentifier: caseNo, Description: "Case " + caseNo + " as filed by onewindow"}); err != nil {
		f.Close()
		os.Remove(out)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d documents of case %s\n", out, len(recs), caseNo)
	return nil
}

// runVerifyBag checks a zipped bag; it needs no services. Exit status 3 means not intact.
func runVerifyBag(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("onewindow verify-bag", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: onewindow verify-bag FILE.zip")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	rep, err := archive.VerifyBag(f, st.Size())
	if err != nil {
		return err
	}
	printJSON(rep)
	if !rep.OK() {
		fmt.Fprintf(os.Stderr, "onewindow: %s is not intact: %d problems\n", fs.Arg(0), len(rep.Problems))
		os.Exit(3)
	}
	return nil
}
