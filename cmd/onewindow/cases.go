package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/cases/notice"
	"onewindow/internal/config"
	"onewindow/internal/lifecycle"
	"onewindow/storage"
)

// caseDesk is the process's front desk, built once (the notice font alone is 17 MB) from the
// settings: catalogue, calendar, notice templates and the applicant notifier. Bad files are
// refused here, at start-up, with line and reason.
func (d *deps) caseDesk() (*casedesk.Desk, error) {
	d.casesOnce.Do(func() { d.cases, d.casesErr = d.newCaseDesk() })
	return d.cases, d.casesErr
}

func (d *deps) newCaseDesk() (*casedesk.Desk, error) {
	cat, err := loadCatalogue(d.cfg)
	if err != nil {
		return nil, err
	}
	cal, err := loadCalendar(d.cfg.CalendarFile)
	if err != nil {
		return nil, err
	}
	// With --public-base-url a notice's QR code opens its case's progress lookup (/progress).
	notices, err := notice.New(notice.Options{Hall: d.cfg.HallName, FontPath: d.cfg.NoticeFont, TemplateDir: d.cfg.NoticeTemplates, Clock: d.hall,
		LookupBase: d.cfg.PublicBaseURL})
	if err != nil {
		return nil, fmt.Errorf("notices: %w", err)
	}
	var notifier casedesk.Notifier
	if d.cfg.NotifyURL != "" {
		notifier = &casedesk.WebhookNotifier{URL: d.cfg.NotifyURL, Secret: d.cfg.NotifySecret, Log: d.log}
	}
	var messages *casedesk.Messages
	if d.cfg.NotifyTemplates != "" {
		if messages, err = casedesk.LoadMessages(d.cfg.NotifyTemplates); err != nil {
			return nil, fmt.Errorf("notify templates: %w", err)
		}
	}
	opts := casedesk.Options{Store: casedesk.WithAfterEvent(casedesk.WithAfterEvent(storage.NewCaseStore(d.blobs, d.state).Retain(d.retention()),
		d.delivery.afterCaseEvent), d.stats.afterCaseEvent), Notices: notices,
		Catalogue: cat, Calendar: cal, CaseNoPattern: d.cfg.CaseNoPattern, Clock: d.hall, Notifier: notifier, Messages: messages, Log: d.log}
	if s, err := d.signer(); err != nil {
		return nil, err
	} else if s != nil {
		opts.Signer = s
	}
	return casedesk.New(opts)
}

// loadCatalogue reads the hall's matter catalogue, checking every material's type against
// the hall's taxonomy; without a file, the bundled sample.
func loadCatalogue(cfg config.Config) (*cases.Catalogue, error) {
	if cfg.MattersFile == "" {
		return cases.DefaultCatalogue(), nil
	}
	tax, err := loadTaxonomy(cfg)
	if err != nil {
		return nil, err
	}
	names := tax.Names()
	f, err := os.Open(cfg.MattersFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cat, err := cases.LoadCatalogue(f, func(t string) bool { return slices.Contains(names, t) })
	if err != nil {
		return nil, fmt.Errorf("matters %s: %w", cfg.MattersFile, err)
	}
	return cat, nil
}

// watchMatters rereads the matter catalogue into cd when its file changes, once per process:
// serve and work each check cases against it.
func (d *deps) watchMatters(g *lifecycle.Group, cd *casedesk.Desk) {
	d.mattersOnce.Do(func() {
		watchFile(g, d, "matters", d.cfg.MattersFile, func() error {
			cat, err := loadCatalogue(d.cfg)
			if err == nil {
				cd.SetCatalogue(cat)
			}
			return err
		})
	})
}

// watchFile calls reload whenever path's modification time changes, until ctx ends; a file
// that no longer loads is logged and the last good one stays in force.
func watchFile(g *lifecycle.Group, d *deps, name, path string, reload func() error) {
	if path == "" {
		return
	}
	stamp := func() time.Time {
		if fi, err := os.Stat(path); err == nil {
			return fi.ModTime()
		}
		return time.Time{}
	}
	g.Go("reload "+name, func(ctx context.Context) error {
		last := stamp()
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-tick.C:
			}
			if now := stamp(); !now.Equal(last) {
				last = now
				if err := reload(); err != nil {
					d.log.Error("reload refused; the previous file stays in force", "file", path, "err", err)
				} else {
					d.log.Info("reloaded", "file", path)
				}
			}
		}
	})
}
