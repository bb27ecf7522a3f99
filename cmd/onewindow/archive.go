package main

// The archive's commands and wiring:
//
//	onewindow reindex                       rebuild Redis (and, via the API processes, search) from MinIO
//	onewindow fixity [--every 24h]          re-read every archived object and compare its digests
//	onewindow export --case-no X --out F    write a case as a zipped BagIt bag
//	onewindow verify-bag F|DIR              check a bag, zipped or a directory, against RFC 8493
//	onewindow import-bag F|DIR              file a verified bag's documents into this installation, then reindex
//	onewindow audit verify                  walk the access log's hash chain; name the first bad link
//	onewindow report --case-no X | --from D --to D [--format json|pdf] [--out F]
//	                                        the four-properties report (DA/T 70)

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"onewindow/api"
	"onewindow/archive"
	"onewindow/archive/archivedesk"
	"onewindow/internal/clock"
	"onewindow/internal/config"
	"onewindow/internal/errs"
	"onewindow/internal/lifecycle"
)

func init() {
	commands["reindex"] = runReindex
	commands["fixity"] = runFixity
	commands["export"] = runExport
	commands["verify-bag"] = runVerifyBag
	commands["import-bag"] = runImportBag
	commands["audit"] = runAudit
	commands["report"] = runReport
}

// indexDir is where this process keeps its search index.
func indexDir(cfg config.Config) string {
	if cfg.IndexDir != "" {
		return cfg.IndexDir
	}
	return filepath.Join(cfg.DataDir, "index")
}

func (d *deps) desk() *archivedesk.Desk {
	host, _ := os.Hostname()
	origin := fmt.Sprintf("%s:%d", host, os.Getpid())
	dk := &archivedesk.Desk{Blobs: d.blobs, State: d.state, Queue: d.queue, Log: d.log, Metrics: d.metrics,
		Origin: origin, HallName: d.cfg.HallName, RetentionMode: d.cfg.RetentionMode, Policy: d.retention(), ReportFont: d.cfg.NoticeFont, Days: d.hall,
		Rebuilders: []archivedesk.Rebuilder{
			{Name: "cases", Rebuild: func(ctx context.Context) (int, error) {
				cd, err := d.caseDesk()
				if err != nil {
					return 0, err
				}
				return cd.Reindex(ctx)
			}},
			{Name: "deliveries", Rebuild: func(ctx context.Context) (int, error) {
				cd, err := d.caseDesk()
				if err != nil {
					return 0, err
				}
				dd, err := d.wireDelivery(nil, cd)
				if err != nil {
					return 0, err
				}
				return dd.Reindex(ctx)
			}},
			{Name: "case summaries", Rebuild: d.rebuildSummaries},
		},
		Healers: []archivedesk.Healer{
			{Name: "cases", Heal: func(ctx context.Context, after string, limit int, settled time.Time) (string, int, error) {
				cd, err := d.caseDesk()
				if err != nil {
					return after, 0, err
				}
				return cd.Heal(ctx, after, limit, settled)
			}},
			{Name: "deliveries", Heal: func(ctx context.Context, after string, limit int, settled time.Time) (string, int, error) {
				cd, err := d.caseDesk()
				if err != nil {
					return after, 0, err
				}
				dd, err := d.wireDelivery(nil, cd)
				if err != nil {
					return after, 0, err
				}
				return dd.Heal(ctx, after, limit, settled)
			}},
		},
		Audit: &archive.AuditLog{Store: d.blobs, Coord: d.state, Origin: origin,
			RetentionMode: d.cfg.RetentionMode, RetentionYears: d.cfg.AuditRetentionYears}}
	// The hall's signer signs bags and reports, and the report trusts the hall's CA.
	if sg, err := d.signer(); err != nil {
		d.log.Warn("bags and reports are not signed: the signing key cannot be loaded", "err", err)
	} else if sg != nil {
		dk.Signer = sg
	}
	if roots, err := trustRoots(d.cfg, dk.Signer); err == nil {
		dk.SignatureRoots = roots
	} else {
		d.log.Warn("the report checks signatures for integrity only: --sign-trust cannot be read", "err", err)
	}
	return dk
}

// validateArchive checks the archive's settings that config cannot parse itself.
func validateArchive(cfg config.Config) error {
	if _, err := retentionPolicy(cfg); err != nil {
		return err
	}
	return archive.CheckArchivalCodePattern(cfg.ArchivalCodePattern)
}

// retention is the hall's retention schedule, which everything filed write-once asks how long
// it is kept. The settings were checked by validateArchive before connecting.
func (d *deps) retention() archive.RetentionPolicy {
	policy, _ := retentionPolicy(d.cfg)
	return policy
}

// retentionPolicy is the hall's retention schedule from the settings.
func retentionPolicy(cfg config.Config) (archive.RetentionPolicy, error) {
	return archive.NewRetentionPolicy(archive.RetentionRule{Years: cfg.RetentionYears, Mode: cfg.RetentionMode},
		cfg.RetentionByType, cfg.RetentionByMatter)
}

// addArchive opens this API process's search index, runs its feed, the scheduled fixity run
// and the reconciler (which resumes transiently failed batches through resumer) in g, and adds
// the archive calls to s. The index is closed after they have stopped, so what it holds in
// memory is written out; the feed position lives inside it, so a crash only repeats work.
func (d *deps) addArchive(g *lifecycle.Group, s *api.Server, resumer archivedesk.Resumer) error {
	dk := d.desk()
	dk.Resumer = resumer
	idx, err := archive.OpenIndex(indexDir(d.cfg))
	if err != nil {
		return err
	}
	dk.Index = idx
	g.OnStop("search index", idx.Close)
	feed := dk.Follower()
	g.Go("search feed", func(ctx context.Context) error { feed.Run(ctx); return nil })
	g.Go("scheduled fixity", func(ctx context.Context) error { dk.ScheduleFixity(ctx, d.cfg.FixityEvery); return nil })
	g.Go("scheduled time-stamps", func(ctx context.Context) error { dk.ScheduleEvidence(ctx, d.cfg.TimestampEvery); return nil })
	g.Go("reconcile", func(ctx context.Context) error { dk.Reconcile(ctx, d.cfg.ReconcileEvery); return nil })
	s.Extra = append(s.Extra, dk.Routes)
	s.Audit = dk.AuditRequest
	return nil
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
	cfg, _, err := parseConfig("reindex", args, nil)
	if err != nil {
		return err
	}
	d, err := connect(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer d.close()
	res, err := d.desk().Reindex(ctx) // documents, batches, then cases and deliveries (Rebuilders)
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
	cfg, _, err := parseConfig("fixity", args, func(fs *flag.FlagSet) {
		fs.DurationVar(&every, "every", 0, "run again at this interval until stopped (0: once)")
		fs.IntVar(&parallel, "parallel", archive.DefaultFixityReaders, "objects read at once (more than eight keep the SM3 lanes full)")
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
				return failed("fixity: %d of %d objects failed", len(rep.Failed), rep.Checked)
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
	cfg, _, err := parseConfig("export", args, func(fs *flag.FlagSet) {
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
	if err := auditCLI(ctx, dk, "export", caseNo); err != nil {
		return err
	}
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
	info := archive.BagInfo{SourceOrganization: cfg.HallName, ExternalIdentifier: caseNo, Description: "Case " + caseNo + " as filed by onewindow"}
	if dk.Signer != nil {
		info.Signer = dk.Signer
	}
	if err := archive.WriteBag(ctx, f, d.blobs, recs, info); err != nil {
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

// runVerifyBag checks a bag, zipped or a directory; it needs no services. Exit status 0: intact;
// 3: not intact, a check found a fault; 1: it cannot be checked (not a bag, unreadable).
func runVerifyBag(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("onewindow verify-bag", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: onewindow verify-bag FILE.zip|DIR")
	}
	name := fs.Arg(0)
	rep, err := verifyBagAt(name)
	if err != nil {
		return fmt.Errorf("%s cannot be checked: %s", name, errs.MessageOf(err))
	}
	printJSON(rep)
	if !rep.OK() {
		return failed("%s is %s", name, rep.Summary())
	}
	return nil
}

// verifyBagAt checks the bag at name, a directory or a zip.
func verifyBagAt(name string) (*archive.BagReport, error) {
	unreadable := func(err error) error {
		return errs.E("verify-bag", errs.Invalid, "unreadable", "It cannot be read: "+err.Error()+".", err)
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, unreadable(err)
	}
	if st.IsDir() {
		return archive.VerifyBagDir(name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, unreadable(err)
	}
	defer f.Close()
	return archive.VerifyBag(f, st.Size())
}

// runImportBag files a bag's documents into this installation and reindexes. Exit status 3
// means the bag is not intact (nothing was filed), 1 that it could not be read as a bag or
// filed. A directory bag is zipped to a temporary file first, the form the import reads.
func runImportBag(ctx context.Context, args []string) error {
	cfg, rest, err := parseConfig("import-bag", args, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: onewindow import-bag FILE.zip|DIR")
	}
	f, err := openBagForImport(rest[0])
	if err != nil {
		return importBagError(rest[0], err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	d, err := connect(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer d.close()
	res, re, err := d.desk().ImportBag(ctx, f, st.Size())
	if err != nil {
		return importBagError(rest[0], err)
	}
	printJSON(map[string]any{"imported": res, "reindex": re})
	return nil
}

// importBagError says why a bag was not imported, exit status 3 for a bag found not intact.
func importBagError(name string, err error) error {
	switch {
	case errors.Is(err, archive.ErrBagNotIntact):
		return failed("%s: %s", name, errs.MessageOf(err))
	case errors.Is(err, archive.ErrNotABag):
		return fmt.Errorf("%s cannot be checked: %s", name, errs.MessageOf(err))
	}
	return err
}

// openBagForImport opens a zipped bag, or zips a directory bag into a temporary file that is
// removed once closed (unlinked at once where the system allows it).
func openBagForImport(name string) (*os.File, error) {
	st, err := os.Stat(name)
	if err != nil || !st.IsDir() {
		return os.Open(name)
	}
	tmp, err := os.CreateTemp("", "onewindow-import-*.zip")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name())
	if err := archive.ZipBagDir(tmp, name); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

// runAudit: `onewindow audit verify` walks the access log. Exit status 3 names a broken chain.
func runAudit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: onewindow audit verify")
	}
	cfg, _, err := parseConfig("audit verify", args[1:], nil)
	if err != nil {
		return err
	}
	d, err := connect(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer d.close()
	v, err := d.desk().VerifyAudit(ctx)
	if err != nil {
		return err
	}
	printJSON(v)
	if !v.OK {
		return failed("audit chain broken at entry %d (%s): %s", v.FirstBad.Seq, v.FirstBad.Key, v.FirstBad.Problem)
	}
	return nil
}

// runReport prints the four-properties report of a case or a date range. Exit status 3 means
// some property failed.
func runReport(ctx context.Context, args []string) error {
	var caseNo, from, to, format, out string
	cfg, _, err := parseConfig("report", args, func(fs *flag.FlagSet) {
		fs.StringVar(&caseNo, "case-no", "", "the case to report on")
		fs.StringVar(&from, "from", "", "first day filed (YYYY-MM-DD)")
		fs.StringVar(&to, "to", "", "last day filed (YYYY-MM-DD)")
		fs.StringVar(&format, "format", "json", "json or pdf")
		fs.StringVar(&out, "out", "", "write here instead of standard output")
	})
	if err != nil {
		return err
	}
	s := archivedesk.ReportScope{CaseNo: caseNo}
	hall, err := clock.Load(cfg.TimeZone) // the days are the hall's, as the API's report takes them
	if err != nil {
		return err
	}
	for _, p := range []struct {
		v   string
		dst *time.Time
	}{{from, &s.From}, {to, &s.To}} {
		if p.v == "" {
			continue
		}
		if *p.dst, err = hall.ParseDate(p.v); err != nil {
			return fmt.Errorf("dates are YYYY-MM-DD: %w", err)
		}
	}
	if caseNo == "" && from == "" && to == "" {
		return errors.New("report needs --case-no or --from/--to")
	}
	if format != "json" && format != "pdf" {
		return errors.New("--format is json or pdf")
	}
	d, err := connect(ctx, cfg, newLogger(cfg))
	if err != nil {
		return err
	}
	defer d.close()
	dk := d.desk()
	if err := auditCLI(ctx, dk, "report", s.String()); err != nil {
		return err
	}
	rep, err := dk.Report(ctx, s)
	if err != nil {
		return err
	}
	var data []byte
	if format == "pdf" {
		data, err = dk.ReportPDF(ctx, rep)
	} else {
		data, err = json.MarshalIndent(rep, "", "  ")
		data = append(data, '\n')
	}
	if err != nil {
		return err
	}
	if out != "" {
		err = os.WriteFile(out, data, 0o644)
	} else {
		_, err = os.Stdout.Write(data)
	}
	if err != nil {
		return err
	}
	if !rep.OK {
		return failed("report: a property failed")
	}
	return nil
}

// auditCLI logs an access made with the storage credentials themselves (the commands), so
// that exports and reports from a shell are in the access audit too.
func auditCLI(ctx context.Context, dk *archivedesk.Desk, action, object string) error {
	who := os.Getenv("USER")
	if who == "" {
		who = "unknown"
	}
	_, err := dk.Audit.Append(ctx, archive.AuditEntry{Who: "cli:" + who, Role: "operator", Action: action, Object: object,
		Purpose: os.Getenv("ONEWINDOW_PURPOSE")})
	if err != nil {
		return fmt.Errorf("cannot write the access audit, so not doing it: %w", err)
	}
	return nil
}
