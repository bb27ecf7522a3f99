// Package testenv starts real services for integration tests: a private redis-server and
// MinIO server on free loopback ports, stopped when the test ends. Tests never share an
// instance and never use one they did not start.
package testenv

import (
	"context"
	"os"
	"testing"
	"time"

	"onewindow/internal/devservices"
	"onewindow/storage"
)

// Services starts Redis and MinIO for t. Without the binaries the test fails: the README's
// set-up installs them, and a skipped integration test proves nothing.
func Services(t testing.TB) *devservices.Services {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs redis-server and minio (run without -short)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var out *os.File
	if os.Getenv("ONEWINDOW_TEST_VERBOSE") != "" {
		out = os.Stderr
	}
	s, err := devservices.Start(ctx, devservices.Options{DataDir: t.TempDir(), LogOutput: out})
	if err != nil {
		t.Fatalf("start services: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// S3Options are the options that reach the MinIO of s.
func S3Options(s *devservices.Services) storage.S3Options {
	return storage.S3Options{Endpoint: s.S3Endpoint, AccessKey: s.S3AccessKey, SecretKey: s.S3SecretKey,
		Region: "us-east-1", Prefix: "test"}
}

// Blobs opens the buckets of s (creating them, the archive one with object lock).
func Blobs(t testing.TB, s *devservices.Services) *storage.Blobs {
	t.Helper()
	b, err := storage.OpenBlobs(context.Background(), S3Options(s))
	if err != nil {
		t.Fatalf("open buckets: %v", err)
	}
	return b
}

// State connects to the Redis of s, closed when the test ends.
func State(t testing.TB, s *devservices.Services) *storage.State {
	t.Helper()
	return StateAt(t, s.RedisURL())
}

// StateAt connects to the Redis at url (any form ONEWINDOW_REDIS_URL takes: a cluster, a
// sentinel group), closed when the test ends.
func StateAt(t testing.TB, url string) *storage.State {
	t.Helper()
	opt, err := storage.ParseRedisURL(url)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.NewState(opt)
	if err != nil {
		t.Fatalf("connect to redis: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
