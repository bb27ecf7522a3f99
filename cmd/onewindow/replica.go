package main

// The copy of the buckets on a second MinIO (docs/OPERATIONS.md): MinIO's bucket replication
// keeps it, set up with `mc` (scripts/replicate.sh); this command tells whether it is current.
//
//	onewindow replica check [--wait 10m]    compare every bucket with its copy (exit 3 if behind)

import (
	"context"
	"errors"
	"flag"
	"os"
	"strconv"
	"strings"
	"time"

	"onewindow/storage"
)

func init() {
	commands["replica"] = runReplica
	help["replica"] = command{summary: "check that the copy of the buckets on a second MinIO is current (exit 3 if behind)",
		usage: "onewindow replica check --replica-s3-endpoint HOST:PORT [--wait D] [flags]",
		about: "Lists the latest version of every object in the inbox, work and archive buckets and in their copies, and counts what the copy lacks " +
			"(missing), holds in another version (differ) or still holds after a delete (extra). Set replication up with scripts/replicate.sh (docs/OPERATIONS.md).\n" +
			"Exit status: 0 current; 3 behind; 1 cannot be checked.",
		flags: [][2]string{
			{"replica-s3-endpoint", "the second MinIO (ONEWINDOW_REPLICA_S3_ENDPOINT)"},
			{"replica-s3-access-key", "its access key (ONEWINDOW_REPLICA_S3_ACCESS_KEY)"},
			{"replica-s3-secret-key-file", "a file holding its secret key (ONEWINDOW_REPLICA_S3_SECRET_KEY_FILE, or ONEWINDOW_REPLICA_S3_SECRET_KEY)"},
			{"replica-s3-secure", "HTTPS to it (ONEWINDOW_REPLICA_S3_SECURE)"},
			{"wait", "check again every 2 s until current or this long has passed (0: once)"}},
		groups: []string{"storage", "logging"}}
}

func runReplica(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return errors.New("usage: onewindow replica check --replica-s3-endpoint HOST:PORT [--wait D]")
	}
	var ro storage.S3Options
	var secretFile string
	var wait time.Duration
	secure, _ := strconv.ParseBool(os.Getenv("ONEWINDOW_REPLICA_S3_SECURE"))
	cfg, _, err := parseConfig("replica check", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&ro.Endpoint, "replica-s3-endpoint", os.Getenv("ONEWINDOW_REPLICA_S3_ENDPOINT"), "the second MinIO")
		fs.StringVar(&ro.AccessKey, "replica-s3-access-key", os.Getenv("ONEWINDOW_REPLICA_S3_ACCESS_KEY"), "its access key")
		fs.StringVar(&secretFile, "replica-s3-secret-key-file", os.Getenv("ONEWINDOW_REPLICA_S3_SECRET_KEY_FILE"), "a file holding its secret key")
		fs.BoolVar(&ro.Secure, "replica-s3-secure", secure, "HTTPS to it")
		fs.DurationVar(&wait, "wait", 0, "check again until current or this long has passed")
	})
	if err != nil {
		return err
	}
	// The secret never comes as a flag: ps would show it.
	ro.SecretKey = os.Getenv("ONEWINDOW_REPLICA_S3_SECRET_KEY")
	if secretFile != "" {
		if ro.SecretKey != "" {
			return errors.New("set ONEWINDOW_REPLICA_S3_SECRET_KEY or its _FILE twin, not both")
		}
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return err
		}
		ro.SecretKey = strings.TrimSpace(string(b))
	}
	redactor.Add(ro.SecretKey)
	if ro.Endpoint == "" || cfg.S3Endpoint == "" {
		return errors.New("replica check needs ONEWINDOW_S3_ENDPOINT (the hall's MinIO) and --replica-s3-endpoint (its copy)")
	}
	ro.Region, ro.Prefix = cfg.S3Region, cfg.BucketPrefix
	log := newLogger(cfg)
	primary, err := storage.OpenReplica(ctx, storage.S3Options{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Secure: cfg.S3Secure, Region: cfg.S3Region, Prefix: cfg.BucketPrefix})
	if err != nil {
		return err
	}
	replica, err := storage.OpenReplica(ctx, ro)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for {
		start := time.Now()
		lags, err := storage.CompareReplica(ctx, primary, replica)
		if err != nil {
			return err
		}
		behind := 0
		for _, l := range lags {
			behind += l.Missing + l.Differ + l.Extra
		}
		if behind == 0 || !time.Now().Before(deadline) {
			printJSON(map[string]any{"current": behind == 0, "buckets": lags, "seconds": time.Since(start).Seconds()})
			if behind > 0 {
				return failed("replica: %d objects behind", behind)
			}
			return nil
		}
		log.Info("replica behind, checking again", "objects_behind", behind)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}
