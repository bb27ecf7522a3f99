package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync/atomic"

	"github.com/hibiken/asynq"

	"onewindow/api"
	"onewindow/archive"
	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/internal/tasks"
	"onewindow/public"
	"onewindow/stats"
	"onewindow/storage"
	"onewindow/workers"
)

// publicPaths are the pages an applicant reaches without signing in (package public); the
// API's handler serves them beside its own routes.
var publicPaths = []string{"/guide", "/guide/", "/progress", "/rate", "/rate/", "/public/"}

// addPublicAndStats adds the applicants' guides, lookup and rating (no sign-in) and the
// management's statistics to s, over the case desk cd and the delivery desk's departments.
func (d *deps) addPublicAndStats(s *api.Server, cd *casedesk.Desk) error {
	hall := d.hall // the desks' clock: the lookup's times and the figures' days are the hall's
	cal, err := loadCalendar(d.cfg.CalendarFile)
	if err != nil {
		return err
	}
	caseStore := storage.NewCaseStore(d.blobs, d.state)
	ratings := storage.NewRatingStore(d.blobs, d.retention())
	audit := d.desk().Audit
	pub, err := public.New(public.Options{Catalogue: cd.Catalogue, DepartmentName: d.departmentName, Events: caseStore,
		Ratings: ratings, Handouts: storage.NewDeliveryStore(d.blobs, d.state), Calendar: cal, Clock: hall,
		BaseURL: d.cfg.PublicBaseURL, FontPath: d.cfg.NoticeFont, Log: d.log.With("component", "public"),
		Audit: func(ctx context.Context, action, object, remote string) error {
			_, err := audit.Append(ctx, archive.AuditEntry{Who: "public", Role: "public", Action: action, Object: object, Remote: remote})
			return err
		}})
	if err != nil {
		return err
	}
	st := d.newStats(cd, cal)
	d.stats.Store(st) // from now on the case desk's events keep the case summaries current
	s.Extra = append(s.Extra, pub.Routes, st.Routes)
	return nil
}

// newStats is the management's figures over the case desk cd.
func (d *deps) newStats(cd *casedesk.Desk, cal *cases.Calendar) *stats.Stats {
	caseStore := storage.NewCaseStore(d.blobs, d.state)
	ratings := storage.NewRatingStore(d.blobs, d.retention())
	return stats.New(stats.Options{Cases: caseStore, Summaries: caseStore, Ratings: ratings, FollowUps: ratings, Catalogue: cd.Catalogue,
		DepartmentName: d.departmentName, Calendar: cal, Clock: d.hall, FontPath: d.cfg.NoticeFont, Log: d.log.With("component", "stats"),
		Pages:  d.state,
		Queues: workers.QueueStats(asynq.NewInspectorFromRedisClient(d.state.Redis()), slices.Sorted(maps.Keys(tasks.Queues)))})
}

// departmentName is a department's name in the departments file, "" when it has none.
func (d *deps) departmentName(id string) string {
	if reg := d.delivery.reg; reg != nil {
		if dep, ok := reg.Current().Get(id); ok {
			return dep.Name
		}
	}
	return ""
}

// statsWiring hands the case desk's events to this process's statistics, once serve built
// them (a work process has none: the next report folds what moved there).
type statsWiring struct{ atomic.Pointer[stats.Stats] }

// afterCaseEvent is the case desk's after-event hook (casedesk.WithAfterEvent).
func (w *statsWiring) afterCaseEvent(ctx context.Context, caseNo string, e cases.Event) {
	if st := w.Load(); st != nil {
		st.Observe(ctx, caseNo, e)
	}
}

// rebuildSummaries is the reindex's part of the statistics: the case summaries in Redis
// dropped and folded afresh from the events in MinIO.
func (d *deps) rebuildSummaries(ctx context.Context) (int, error) {
	cd, err := d.caseDesk()
	if err != nil {
		return 0, err
	}
	cal, err := loadCalendar(d.cfg.CalendarFile)
	if err != nil {
		return 0, err
	}
	return d.newStats(cd, cal).Reset(ctx)
}

// loadCalendar reads the hall's working-day calendar; without a file, the bundled one.
func loadCalendar(path string) (*cases.Calendar, error) {
	if path == "" {
		return cases.DefaultCalendar(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cal, err := cases.LoadCalendar(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("calendar %s: %w", path, err)
	}
	return cal, nil
}
