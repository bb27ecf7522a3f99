package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"

	"onewindow/api"
	"onewindow/archive"
	"onewindow/archive/archivedesk"
	"onewindow/cases/casedesk"
	"onewindow/delivery"
	"onewindow/internal/auth"
	"onewindow/internal/clock"
	"onewindow/internal/config"
	"onewindow/internal/lifecycle"
	"onewindow/internal/metrics"
	"onewindow/internal/tasks"
	"onewindow/pipeline/assemble"
	"onewindow/pipeline/classify"
	"onewindow/pipeline/ocr"
	"onewindow/pipeline/stamp"
	"onewindow/storage"
	"onewindow/watch"
	"onewindow/workers"
)

// parseConfig reads flags and ONEWINDOW_ variables into a Config.
// A command may add flags of its own with extra (nil: none). The arguments after the flags are
// returned.
func parseConfig(name string, args []string, extra func(fs *flag.FlagSet)) (config.Config, []string, error) {
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
	redactor.Add(cfg.Secrets()...)
	if err := cfg.Validate(); err != nil {
		return cfg, nil, err
	}
	// The hall's clock is built from it in connect; time.Local stays the server's, for logs.
	if _, err := clock.Load(cfg.TimeZone); err != nil {
		return cfg, nil, fmt.Errorf("time-zone: %w", err)
	}
	return cfg, fs.Args(), validateArchive(cfg)
}

// redactor keeps every secret this process knows out of its logs and its last error.
var redactor config.Redactor

func newLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	// Every line logged while serving a request names it; none carries a secret.
	return slog.New(api.WithRequestIDs(redactor.Handler(h)))
}

// deps are the connections every role shares.
type deps struct {
	cfg      config.Config
	log      *slog.Logger
	hall     clock.Clock // the hall's clock (--time-zone): every desk, page and notice asks it
	redis    asynq.RedisConnOpt
	blobs    *storage.Blobs
	state    *storage.State
	client   *asynq.Client
	queue    *tasks.Queue
	metrics  *metrics.Metrics
	delivery deliveryWiring // the delivery desk, built once by wireDelivery
	stats    statsWiring    // the statistics, once serve built them

	watcher *watch.Watcher // dev mode's watched folder, once started

	casesOnce   sync.Once // the case desk, built once by caseDesk
	mattersOnce sync.Once // its catalogue file watched once per process
	cases       *casedesk.Desk
	casesErr    error
}

func connect(ctx context.Context, cfg config.Config, log *slog.Logger) (*deps, error) {
	hall, err := clock.Load(cfg.TimeZone)
	if err != nil {
		return nil, err
	}
	if cfg.RedisURL == "" || cfg.S3Endpoint == "" {
		return nil, errors.New("set ONEWINDOW_REDIS_URL and ONEWINDOW_S3_ENDPOINT (or use `onewindow dev`)")
	}
	ropt, err := storage.ParseRedisURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	state, err := storage.NewState(ropt)
	if err != nil {
		return nil, err
	}
	// MinIO may still be starting when a hall boots every host at once.
	var blobs *storage.Blobs
	for attempt := 0; ; attempt++ {
		blobs, err = storage.OpenBlobs(ctx, storage.S3Options{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey,
			SecretKey: cfg.S3SecretKey, Secure: cfg.S3Secure, Region: cfg.S3Region, Prefix: cfg.BucketPrefix,
			PublicURL: cfg.S3PublicURL})
		if err == nil || attempt == 10 || ctx.Err() != nil {
			break
		}
		log.Warn("object storage not ready, retrying", "err", err)
		time.Sleep(2 * time.Second)
	}
	if err != nil {
		return nil, err
	}
	client := asynq.NewClientFromRedisClient(state.Redis())
	return &deps{cfg: cfg, log: log, hall: hall, redis: ropt, blobs: blobs, state: state, client: client,
		queue: &tasks.Queue{Client: client, Limits: tasks.DefaultLimits(cfg.MaxRetry, cfg.TaskTimeout).
			With(delivery.QueuePolicy(), tasks.TypeDeliver, tasks.TypeNotify)},
		metrics: metrics.New()}, nil
}

func (d *deps) close() {
	d.client.Close()
	d.state.Close()
}

func (d *deps) ocrOptions() ocr.Options {
	opts := ocr.Options{Languages: d.cfg.OCRLanguages, LatinLanguages: d.cfg.OCRLatinLangs, PageSegMode: d.cfg.OCRPageSegMode, TessdataPrefix: d.cfg.TessdataPrefix, RecycleAfter: d.cfg.OCRRecycle}
	if d.metrics != nil { // eval runs without
		opts.Stages = d.metrics
	}
	return opts
}

// ocrEngines starts OCR engines in child processes of this binary (see main), one per worker.
func (d *deps) ocrEngines() *ocr.IsolatedPool {
	iso := ocr.IsolationOptions{PageTimeout: d.cfg.OCRPageTimeout}
	if d.log != nil {
		iso.Replaced = func(reason string) {
			d.log.Warn("OCR engine process replaced; its page is tried once more", "reason", reason)
			if d.metrics != nil {
				d.metrics.OCREngineRestarts.Inc()
			}
		}
	}
	return ocr.NewIsolatedPool(d.ocrOptions(), d.cfg.Concurrency, iso)
}

// apiServer builds the HTTP server.
func (d *deps) apiServer(g *lifecycle.Group, withOCR bool) (*http.Server, error) {
	tokens, err := auth.LoadTokens(d.cfg.TokensFile, d.cfg.AdminToken)
	if err != nil {
		return nil, err
	}
	if d.cfg.AdminToken == "" && d.cfg.TokensFile == "" {
		return nil, errors.New("no tokens: set ONEWINDOW_ADMIN_TOKEN or ONEWINDOW_TOKENS_FILE")
	}
	s := &api.Server{Config: d.cfg, Blobs: d.blobs, State: d.state, Queue: d.queue, Tokens: tokens, Log: d.log,
		Metrics:   d.metrics,
		Dashboard: asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: d.redis, ReadOnly: true}),
		ViewerPDF: d.cfg.ViewerPDF, Clock: d.hall}
	if d.cfg.DashboardWrites {
		s.DashboardWrite = asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: d.redis})
	}
	inspector := asynq.NewInspectorFromRedisClient(d.state.Redis())
	d.metrics.WatchQueues(2*time.Second, workers.QueueStats(inspector, slices.Sorted(maps.Keys(tasks.Queues))))
	if withOCR {
		opts := d.ocrOptions()
		s.OCRReady = func() error { return ocr.Ping(opts) }
	}
	tax, err := loadTaxonomy(d.cfg)
	if err != nil {
		return nil, err
	}
	review := &api.Review{Retention: d.retention(), Blobs: d.blobs, State: d.state, Queue: d.queue, Taxonomy: tax, Log: d.log}
	s.Extra = append(s.Extra, review.Routes)
	retrier := &workers.Retrier{Inspector: inspector, Blobs: d.blobs, State: d.state, Log: d.log}
	retry := &api.Retry{Batches: retrier}
	s.Extra = append(s.Extra, retry.Routes)
	if err := d.addArchive(g, s, retrier); err != nil {
		return nil, err
	}
	cd, err := d.caseDesk()
	if err != nil {
		return nil, err
	}
	d.watchMatters(g, cd)
	s.Extra = append(s.Extra, cd.Routes)
	d.metrics.WatchCases(func() map[string]int {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		counts, err := cd.Counts(ctx)
		out := map[string]int{}
		if err == nil {
			for k, v := range counts {
				out[k] = int(v)
			}
		}
		return out
	})
	dd, err := d.wireDelivery(g, cd)
	if err != nil {
		return nil, err
	}
	s.Extra = append(s.Extra, dd.Routes)
	if err := d.addPublicAndStats(s, cd); err != nil {
		return nil, err
	}
	handler, err := d.withPages(s.Handler(), tokens)
	if err != nil {
		return nil, err
	}
	return &http.Server{Addr: d.cfg.Addr, Handler: handler, ReadHeaderTimeout: 30 * time.Second}, nil
}

// workServer builds the asynq server and its processor.
func (d *deps) workServer() (*asynq.Server, *asynq.ServeMux, func(), error) {
	var stamper *stamp.Stamper
	stamper, err := stamp.New(stamp.Options{HallName: d.cfg.HallName})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("stamp font: %w", err)
	}
	tax, err := loadTaxonomy(d.cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	// The planner classifies with the model reviewers train; the store reloads it in place
	// when another worker's training changed it.
	model := &workers.ModelStore{Blobs: d.blobs, Model: classify.NewModel()}
	if err := model.Refresh(context.Background()); err != nil {
		d.log.Warn("classifier model not loaded; rules only until it is", "err", err)
	}
	planner := assemble.NewPlanner(tax, model.Model, d.cfg.ReviewThreshold)
	planner.Stages = d.metrics
	engines := d.ocrEngines()
	filer := &archive.Filer{Store: d.blobs, Retention: d.retention(), CodePattern: d.cfg.ArchivalCodePattern, Fonds: d.cfg.FondsCode}
	if s, err := d.signer(); err != nil {
		return nil, nil, nil, err
	} else if s != nil {
		filer.Signer = archive.PAdES{Signer: s}
	}
	p := &workers.Processor{Config: d.cfg, Filer: filer, Blobs: d.blobs, State: d.state, Queue: d.queue, Engines: engines,
		Planner: planner, Model: model, Stamper: stamper, Metrics: d.metrics, Log: d.log, Filed: archivedesk.Filed(d.state.Redis(), d.log)}
	srv := asynq.NewServerFromRedisClient(d.state.Redis(), asynq.Config{
		Concurrency:       d.cfg.Concurrency,
		Queues:            tasks.Queues,
		StrictPriority:    true,
		ErrorHandler:      asynq.ErrorHandlerFunc(p.HandleError),
		Logger:            asynqLogger{d.log},
		ShutdownTimeout:   30 * time.Second,
		TaskCheckInterval: d.cfg.TaskCheck,
		// A task whose worker died (its lease expired) is taken again at once, and retries
		// due are looked for every second rather than every 5 s: a killed worker's page waits
		// 61 s instead of 66 s (asynq's lease and recoverer set the rest).
		DelayedTaskCheckInterval: time.Second,
		RetryDelayFunc:           d.queue.Limits.RetryDelay,
	})
	mux := asynq.NewServeMux()
	p.Register(mux)
	cd, err := d.caseDesk()
	if err != nil {
		return nil, nil, nil, err
	}
	mux.HandleFunc(tasks.TypeCaseBatch, cd.HandleBatchFiled(func(ctx context.Context, id string) (*storage.Batch, error) {
		return storage.LoadBatch(ctx, d.state, d.blobs, id)
	}))
	dd, err := d.wireDelivery(nil, cd)
	if err != nil {
		return nil, nil, nil, err
	}
	dd.Register(mux)
	return srv, mux, engines.Close, nil
}

// newPlanner plans with the hall's taxonomy and rules only (no learned model).
func newPlanner(cfg config.Config) (*assemble.Planner, error) {
	tax, err := loadTaxonomy(cfg)
	if err != nil {
		return nil, err
	}
	return assemble.NewPlanner(tax, nil, cfg.ReviewThreshold), nil
}

// loadTaxonomy loads the hall's taxonomy, refusing a file that does not parse.
func loadTaxonomy(cfg config.Config) (*classify.Taxonomy, error) {
	tax := classify.Default()
	if cfg.TaxonomyFile != "" {
		f, err := os.Open(cfg.TaxonomyFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if tax, err = classify.Load(f); err != nil {
			return nil, fmt.Errorf("taxonomy %s: %w", cfg.TaxonomyFile, err)
		}
	}
	return tax, nil
}

// asynqLogger sends asynq's own logs to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) {
	a.l.Debug(strings.TrimSpace(fmt.Sprintln(args...)), "component", "asynq")
}
func (a asynqLogger) Info(args ...any) {
	a.l.Info(strings.TrimSpace(fmt.Sprintln(args...)), "component", "asynq")
}
func (a asynqLogger) Warn(args ...any) {
	a.l.Warn(strings.TrimSpace(fmt.Sprintln(args...)), "component", "asynq")
}
func (a asynqLogger) Error(args ...any) {
	a.l.Error(strings.TrimSpace(fmt.Sprintln(args...)), "component", "asynq")
}
func (a asynqLogger) Fatal(args ...any) {
	a.l.Error(strings.TrimSpace(fmt.Sprintln(args...)), "component", "asynq")
	os.Exit(1)
}
