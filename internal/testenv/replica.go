package testenv

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"onewindow/internal/devservices"
	"onewindow/storage"
)

// Site is a MinIO server of its own, with a data directory of its own, that a test may destroy
// as a fire or a flood would: the primary of a hall, or the copy it replicates to.
type Site struct {
	Name         string // also its mc alias
	Dir          string
	User, Secret string
	minio        *devservices.Child
}

// StartSite starts a MinIO server named name on a free loopback port, stopped when the test ends.
func StartSite(t testing.TB, name string) *Site {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs minio (run without -short)")
	}
	s := &Site{Name: name, Dir: filepath.Join(t.TempDir(), name), User: name + "-root", Secret: name + "-secret-0123456789"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var err error
	s.minio, err = devservices.StartMinio(ctx, devservices.MinioOptions{Drives: []string{s.Dir}, User: s.User, Secret: s.Secret,
		LogOutput: verboseOutput()})
	if err != nil {
		t.Fatalf("start minio %s: %v", name, err)
	}
	t.Cleanup(s.minio.Stop)
	return s
}

// Endpoint is the site's host:port.
func (s *Site) Endpoint() string { return s.minio.Addr }

// S3Options reach the site's buckets under prefix.
func (s *Site) S3Options(prefix string) storage.S3Options {
	return storage.S3Options{Endpoint: s.minio.Addr, AccessKey: s.User, SecretKey: s.Secret, Region: "us-east-1", Prefix: prefix}
}

// Env is the settings that point onewindow at the site.
func (s *Site) Env(prefix string) []string {
	return []string{"ONEWINDOW_S3_ENDPOINT=" + s.minio.Addr, "ONEWINDOW_S3_ACCESS_KEY=" + s.User,
		"ONEWINDOW_S3_SECRET_KEY=" + s.Secret, "ONEWINDOW_S3_SECURE=false", "ONEWINDOW_S3_REGION=us-east-1",
		"ONEWINDOW_BUCKET_PREFIX=" + prefix}
}

// ReplicaEnv is the settings that name the site to `onewindow replica check` as the copy.
func (s *Site) ReplicaEnv() []string {
	return []string{"ONEWINDOW_REPLICA_S3_ENDPOINT=" + s.minio.Addr, "ONEWINDOW_REPLICA_S3_ACCESS_KEY=" + s.User,
		"ONEWINDOW_REPLICA_S3_SECRET_KEY=" + s.Secret}
}

// Destroy kills the server at once and deletes every byte it held.
func (s *Site) Destroy(t testing.TB) {
	t.Helper()
	s.minio.Kill()
	if err := os.RemoveAll(s.Dir); err != nil {
		t.Fatal(err)
	}
}

// Replicate sets up replication of the buckets under prefix from one site to another the way
// docs/OPERATIONS.md tells a hall to: scripts/replicate.sh with MinIO's mc, once onewindow's
// first start has made the buckets.
func Replicate(t testing.TB, from, to *Site, prefix string) {
	t.Helper()
	if _, err := storage.OpenBlobs(context.Background(), from.S3Options(prefix)); err != nil {
		t.Fatal(err)
	}
	replicateScript(t, []*Site{from, to}, from.Name, to.Name, prefix)
}

// StopReplication removes the rule Replicate added to the buckets of from, as failing back does.
func StopReplication(t testing.TB, from *Site, prefix string) {
	t.Helper()
	replicateScript(t, []*Site{from}, "--stop", from.Name, prefix)
}

// replicateScript runs scripts/replicate.sh with args, each site an mc alias of its name.
func replicateScript(t testing.TB, sites []*Site, args ...string) {
	t.Helper()
	mc := devservices.FindMC()
	if mc == "" {
		t.Fatal("MinIO's mc not found: the README's set-up builds it into .tools/bin (or set ONEWINDOW_MC_BIN)")
	}
	cmd := exec.Command("bash", append([]string{filepath.Join(moduleRoot(t), "scripts", "replicate.sh")}, args...)...)
	cmd.Env = append(os.Environ(), "MC="+mc, "MC_CONFIG_DIR="+t.TempDir())
	for _, s := range sites {
		cmd.Env = append(cmd.Env, "MC_HOST_"+s.Name+"=http://"+s.User+":"+s.Secret+"@"+s.minio.Addr)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/replicate.sh %v: %v\n%s", args, err, out)
	}
	t.Logf("%s", out)
}

// moduleRoot is the directory of go.mod above the working directory.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// verboseOutput is where servers write: nowhere unless ONEWINDOW_TEST_VERBOSE is set.
func verboseOutput() io.Writer {
	if os.Getenv("ONEWINDOW_TEST_VERBOSE") != "" {
		return os.Stderr
	}
	return nil
}
