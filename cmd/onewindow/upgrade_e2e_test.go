package main

// Upgrades: what an earlier release wrote to MinIO is read by this build. The fixture under
// testdata/upgrade/ holds every object of the inbox, work and archive buckets after that
// release filed a small batch of a case (scripts/make-upgrade-fixture.sh REV rebuilds it from
// REV's source with TestMakeUpgradeFixture). Redis is not in it: MinIO is the record, and
// reindex rebuilds the rest, which is what a hall does after an upgrade that loses nothing.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/minio/minio-go/v7"

	"onewindow/archive"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// upgradeFixture is the release whose data the committed fixture holds.
const upgradeFixture = "testdata/upgrade/220ebf6"

// fixtureManifest says what the fixture holds and what that release answered for it.
type fixtureManifest struct {
	Revision string `json:"revision"` // the commit whose binary wrote the objects
	Version  string `json:"version"`  // its `onewindow version`
	CaseNo   string `json:"case_no"`
	BatchID  string `json:"batch_id"`
	// Documents as that release answered GET /api/v1/documents/{id}, with the SHA-256 of
	// its PDF and the digest its stamp's QR code carries.
	Documents []fixtureDocument `json:"documents"`
	Search    string            `json:"search"` // a word the documents' text holds
	Objects   []fixtureObject   `json:"objects"`
}

type fixtureDocument struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	ArchivalCode string `json:"archival_code"`
	PDFSHA256    string `json:"pdf_sha256"`
	VerifyDigest string `json:"verify_digest"`
}

// fixtureObject is one object; its bytes are objects/BUCKET/KEY beside the manifest.
type fixtureObject struct {
	Bucket        string            `json:"bucket"` // inbox, work or archive
	Key           string            `json:"key"`
	ContentType   string            `json:"content_type,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	RetainUntil   time.Time         `json:"retain_until,omitzero"`
	RetentionMode string            `json:"retention_mode,omitempty"`
}

var fixtureBuckets = map[string]storage.Bucket{"inbox": storage.Inbox, "work": storage.Work, "archive": storage.Archive}

// hallEnv is the settings of every process of a hall on s's Redis and MinIO.
func hallEnv(redisURL string, s3 storage.S3Options) []string {
	return []string{"ONEWINDOW_REDIS_URL=" + redisURL, "ONEWINDOW_S3_ENDPOINT=" + s3.Endpoint,
		"ONEWINDOW_S3_ACCESS_KEY=" + s3.AccessKey, "ONEWINDOW_S3_SECRET_KEY=" + s3.SecretKey,
		"ONEWINDOW_S3_REGION=" + s3.Region, "ONEWINDOW_BUCKET_PREFIX=" + s3.Prefix}
}

func TestUpgradeFromFixture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(upgradeFixture, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx fixtureManifest
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	svc := testenv.Services(t)
	blobs := testenv.Blobs(t, svc)
	ctx := context.Background()
	for _, o := range fx.Objects {
		data, err := os.ReadFile(filepath.Join(upgradeFixture, "objects", o.Bucket, filepath.FromSlash(o.Key)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := blobs.PutBytes(ctx, fixtureBuckets[o.Bucket], o.Key, data, storage.PutOptions{ContentType: o.ContentType,
			Metadata: o.Metadata, RetainUntil: o.RetainUntil, RetentionMode: o.RetentionMode}); err != nil {
			t.Fatalf("load %s/%s: %v", o.Bucket, o.Key, err)
		}
	}
	h := &hall{env: hallEnv(svc.RedisURL(), testenv.S3Options(svc)), blobs: blobs}
	h.run(t, "reindex")
	dataDir := t.TempDir()
	h.api = launch(t, dataDir, "serve", h.env...)
	h.api.waitReady()

	t.Run("batch, documents and case", func(t *testing.T) {
		code, batch := h.api.get("/api/v1/batches/" + fx.BatchID)
		if code != 200 || batch["status"] != "done" {
			t.Fatalf("batch %s: %d %v", fx.BatchID, code, batch)
		}
		for _, want := range fx.Documents {
			code, doc := h.api.get("/api/v1/documents/" + want.ID)
			if code != 200 || doc["type"] != want.Type || doc["archival_code"] != want.ArchivalCode || doc["case_no"] != fx.CaseNo {
				t.Errorf("document %s: %d %v, want type %s, code %s", want.ID, code, doc, want.Type, want.ArchivalCode)
			}
			code, pdf := h.api.getRaw("/api/v1/documents/" + want.ID + "/pdf")
			if sum := sha256.Sum256(pdf); code != 200 || hex.EncodeToString(sum[:]) != want.PDFSHA256 {
				t.Errorf("document %s PDF: %d, not the bytes that release filed", want.ID, code)
			}
		}
		code, c := h.api.get("/api/v1/cases/" + fx.CaseNo)
		if code != 200 || c["case_no"] != fx.CaseNo {
			t.Errorf("case %s: %d %v", fx.CaseNo, code, c)
		}
	})
	t.Run("stamps verify", func(t *testing.T) {
		for _, want := range fx.Documents {
			var v map[string]any
			if code := getPublic(t, h.api.base+"/verify/"+want.ID+"?d="+want.VerifyDigest, "application/json", &v); code != 200 || v["accepted"] != true {
				t.Errorf("verify %s: %d %v", want.ID, code, v)
			}
		}
	})
	t.Run("search", func(t *testing.T) {
		waitSearch(t, h.api, fx)
	})
	t.Run("fixity", func(t *testing.T) {
		cmd := exec.Command(binPath, "fixity")
		cmd.Env = append(os.Environ(), h.env...)
		out, err := cmd.Output()
		var rep archive.FixityReport
		if err != nil || json.Unmarshal(out, &rep) != nil || rep.Records != len(fx.Documents) || rep.Checked == 0 || len(rep.Failed) > 0 {
			t.Errorf("fixity: %v %s", err, out)
		}
	})
	t.Run("build info", func(t *testing.T) {
		var scrape string
		if code := getPublic(t, h.api.base+"/metrics", "text/plain", &scrape); code != 200 || !strings.Contains(scrape, "onewindow_build_info{") {
			t.Errorf("/metrics: %d, no onewindow_build_info", code)
		}
	})
	t.Run("healthcheck", func(t *testing.T) {
		addr := strings.TrimPrefix(h.api.base, "http://")
		if out, err := exec.Command(binPath, "healthcheck", "--addr", addr, "--ready", "serve").CombinedOutput(); err != nil {
			t.Errorf("healthcheck --ready serve: %v %s", err, out)
		}
	})

	// An index written under an older mapping is rebuilt from MinIO once, at the first start
	// of the build that changed it, and not again.
	t.Run("index schema migrates once", func(t *testing.T) {
		h.api.stop()
		markIndexSchema(t, filepath.Join(dataDir, "index", "bleve"), "0")
		const rebuilt = "the index predates the current mapping"
		for i, wantRebuilds := range []int{1, 0} {
			d := launch(t, dataDir, "serve", h.env...)
			d.waitReady()
			waitSearch(t, d, fx)
			d.stop()
			if n := strings.Count(d.log.String(), rebuilt); n != wantRebuilds {
				t.Errorf("start %d after the schema changed: rebuilt %d times, want %d", i+1, n, wantRebuilds)
			}
		}
	})
}

// waitSearch waits until the search finds every document of the fixture by a word of their
// text (the index is rebuilt from MinIO in the background), and fails if it never does.
func waitSearch(t *testing.T, d *daemon, fx fixtureManifest) {
	t.Helper()
	var want []string
	for _, doc := range fx.Documents {
		want = append(want, doc.ID)
	}
	slices.Sort(want)
	var got []string
	dlvWait(t, 2*time.Minute, "search finds the release's documents", func() bool {
		_, body := d.get("/api/v1/search?" + url.Values{"case_no": {fx.CaseNo}}.Encode())
		got = hitIDs(body)
		slices.Sort(got)
		return slices.Equal(got, want)
	})
	_, body := d.get("/api/v1/search?" + url.Values{"q": {fx.Search}}.Encode())
	if hits := hitIDs(body); len(hits) == 0 {
		t.Errorf("full-text search for %q finds nothing: %v", fx.Search, body)
	}
}

// markIndexSchema writes version as the index's schema mark, as an older release left it.
func markIndexSchema(t *testing.T, path, version string) {
	t.Helper()
	idx, err := bleve.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.SetInternal([]byte("index.schema"), []byte(version)); err != nil {
		t.Fatal(err)
	}
}

// TestMakeUpgradeFixture writes the fixture with the binary named by
// ONEWINDOW_UPGRADE_FIXTURE_BIN (an earlier release) into ONEWINDOW_UPGRADE_FIXTURE_OUT:
// scripts/make-upgrade-fixture.sh runs it; the suite skips it.
func TestMakeUpgradeFixture(t *testing.T) {
	oldBin, out := os.Getenv("ONEWINDOW_UPGRADE_FIXTURE_BIN"), os.Getenv("ONEWINDOW_UPGRADE_FIXTURE_OUT")
	if oldBin == "" || out == "" {
		t.Skip("run by scripts/make-upgrade-fixture.sh REV")
	}
	defer func(p string) { binPath = p }(binPath)
	binPath = oldBin // launch and hall.run start the earlier release
	version, err := exec.Command(oldBin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	svc := testenv.Services(t)
	s3 := testenv.S3Options(svc)
	h := startHall(t, svc.RedisURL(), s3, 1)
	d := h.api

	st, c := dlvCall(t, d, d.token, "POST", "/api/v1/cases", []byte(`{"matter":"JL-ZR-001","applicant":{"name":"杨佳","id_number":"220103198909195957"},"channel":"counter"}`), "", nil)
	if st != 201 {
		t.Fatalf("open case: %d %v", st, c)
	}
	fx := fixtureManifest{Revision: os.Getenv("ONEWINDOW_UPGRADE_FIXTURE_REV"), Version: strings.TrimSpace(string(version)),
		CaseNo: c["case_no"].(string), Search: "委托"}
	batch := d.uploadDone(map[string]string{"case_no": fx.CaseNo, "station": "room-2"}, 3*time.Minute, stackPages(t)...)
	fx.BatchID = batch["id"].(string)
	ctx := context.Background()
	for _, doc := range batch["documents"].([]any) {
		id := doc.(map[string]any)["id"].(string)
		_, got := d.get("/api/v1/documents/" + id)
		_, pdf := d.getRaw("/api/v1/documents/" + id + "/pdf")
		rec, err := archive.ReadRecord(ctx, h.blobs, id)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pdf)
		fd := fixtureDocument{ID: id, Type: got["type"].(string), PDFSHA256: hex.EncodeToString(sum[:]), VerifyDigest: archive.VerifyDigest(rec)}
		fd.ArchivalCode, _ = got["archival_code"].(string)
		// The digest is this tree's reading of the record: the release itself must accept it,
		// or it is not what that release printed on the stamp.
		var v map[string]any
		if code := getPublic(t, d.base+"/verify/"+id+"?d="+fd.VerifyDigest, "application/json", &v); code != 200 {
			t.Fatalf("the release does not verify %s with digest %s: %d %v", id, fd.VerifyDigest, code, v)
		}
		fx.Documents = append(fx.Documents, fd)
	}
	waitSearch(t, d, fx)

	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	for name, bk := range fixtureBuckets {
		for o, err := range h.blobs.List(ctx, bk, "") {
			if err != nil {
				t.Fatal(err)
			}
			fx.Objects = append(fx.Objects, dumpObject(t, ctx, h.blobs, name, bk, o, out))
		}
	}
	slices.SortFunc(fx.Objects, func(a, b fixtureObject) int { return strings.Compare(a.Bucket+"/"+a.Key, b.Bucket+"/"+b.Key) })
	m, err := json.MarshalIndent(fx, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), append(m, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dumpObject writes one object's bytes under out/objects and returns what else to restore.
func dumpObject(t *testing.T, ctx context.Context, b *storage.Blobs, name string, bk storage.Bucket, o storage.ObjectInfo, out string) fixtureObject {
	t.Helper()
	data, err := b.Get(ctx, bk, o.Key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(out, "objects", name, filepath.FromSlash(o.Key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fo := fixtureObject{Bucket: name, Key: o.Key}
	// Listings carry no metadata; a stat does.
	info, err := b.Client().StatObject(ctx, b.Name(bk), o.Key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fo.ContentType = info.ContentType
	if len(info.UserMetadata) > 0 {
		fo.Metadata = info.UserMetadata
	}
	if bk == storage.Archive {
		mode, until, err := b.Client().GetObjectRetention(ctx, b.Name(bk), o.Key, "")
		if err == nil && mode != nil && until != nil {
			fo.RetentionMode, fo.RetainUntil = string(*mode), until.UTC()
		}
	}
	return fo
}
