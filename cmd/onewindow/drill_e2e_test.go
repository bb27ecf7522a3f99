package main

// The site-loss drill of docs/OPERATIONS.md, run as a hall would run it: a hall files cases on
// its MinIO while MinIO's bucket replication (set up by scripts/replicate.sh) keeps a copy on a
// second one; once `onewindow replica check` says the copy is current, the hall's MinIO and
// Redis are destroyed with their data; onewindow is pointed at the copy with an empty Redis,
// `onewindow reindex` rebuilds, and every case, document, notice, delivery and the audit chain
// are back as they were, fixity clean, retention kept.
//
//	go test ./cmd/onewindow -run '^TestDrillSiteLoss$' -v

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/devservices"
	"onewindow/internal/testenv"
	"onewindow/internal/testfixtures"
	"onewindow/storage"
)

const drillPrefix = "onewindow"

// drillState is what the hall shows of its cases, read through the API: what must come back.
type drillState struct {
	cases      map[string]map[string]any // GET /api/v1/cases/{no}
	deliveries map[string]map[string]any // GET /api/v1/cases/{no}/deliveries
	documents  map[string]map[string]any // GET /api/v1/documents/{id}
	pdfs       map[string]string         // SHA-256 of each document's PDF
	notices    map[string]string         // SHA-256 of each notice's PDF
	audit      int                       // entries in the access audit chain
}

func TestDrillSiteLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	primary := testenv.StartSite(t, "primary")
	copySite := testenv.StartSite(t, "copy")
	setup := time.Now()
	testenv.Replicate(t, primary, copySite, drillPrefix)
	t.Logf("replication set up in %v", time.Since(setup).Round(10*time.Millisecond))

	redisDir := filepath.Join(dir, "redis")
	redis, err := devservices.StartRedis(context.Background(), devservices.RedisOptions{Dir: redisDir,
		Args: []string{"--appendonly", "yes", "--appendfsync", "everysec", "--save", ""}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(redis.Stop)

	depts := []string{"natural-resources", "taxation"} // JL-ZR-001 of the bundled catalogue
	receivers, deptFile := startReceivers(t, dir, depts...)
	hallEnv := []string{"ONEWINDOW_DEPARTMENTS_FILE=" + deptFile, "ONEWINDOW_RECONCILE_EVERY=1s"}
	h := startHall(t, "redis://"+redis.Addr+"/0", primary.S3Options(drillPrefix), 1, hallEnv...)

	cases := []string{drillCase(t, h.api, "220103198909195957", "杨佳"), drillCase(t, h.api, "22010319900307001X", "刘勇然")}
	for _, id := range depts {
		rc := receivers[id]
		dlvWait(t, 90*time.Second, id+" receives both packages", func() bool { return len(rc.find("")) >= len(cases) })
	}
	// The packages are delivered and the cases in review before the drill reads them.
	for _, no := range cases {
		dlvWait(t, 30*time.Second, no+" delivered to both departments and in review", func() bool {
			_, b := h.api.get("/api/v1/cases/" + no + "/deliveries")
			_, c := h.api.get("/api/v1/cases/" + no)
			return countDelivered(b) == len(depts) && c["state"] == "in_review"
		})
	}
	// The copy is current before the fire: the operator's check says so, and the hall showed
	// the same before and after it, so the copy holds what the drill read.
	var before drillState
	for try := 1; ; try++ {
		before = readDrillState(t, h.api, cases)
		check := h.output(t, append(copySite.ReplicaEnv(), "ONEWINDOW_LOG_LEVEL=warn"), "replica", "check", "--wait", "3m")
		var lag struct {
			Current bool                 `json:"current"`
			Buckets []storage.ReplicaLag `json:"buckets"`
		}
		if err := json.Unmarshal(check, &lag); err != nil || !lag.Current {
			t.Fatalf("replica check: %v %s", err, check)
		}
		diff := diffDrill(before, readDrillState(t, h.api, cases))
		if len(diff) == 0 {
			t.Logf("replica current: %+v", lag.Buckets)
			break
		}
		if try == 5 {
			t.Fatalf("the hall kept changing: %v", diff)
		}
	}
	if len(before.documents) < len(cases) || len(before.notices) < len(cases) {
		t.Fatalf("the hall filed %d documents and %d notices for %d cases", len(before.documents), len(before.notices), len(cases))
	}

	// The site is lost: every process, the MinIO and the Redis, with all their data.
	for _, d := range append(h.workers, h.api) {
		d.kill()
	}
	primary.Destroy(t)
	redis.Kill()
	if err := os.RemoveAll(redisDir); err != nil {
		t.Fatal(err)
	}

	// Fail over (docs/OPERATIONS.md): an empty Redis, the copy's settings, reindex, start.
	lost := time.Now()
	redis2, err := devservices.StartRedis(context.Background(), devservices.RedisOptions{Dir: filepath.Join(dir, "redis2"),
		Args: []string{"--appendonly", "yes", "--appendfsync", "everysec", "--save", ""}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(redis2.Stop)
	h2 := &hall{env: append(append([]string{"ONEWINDOW_REDIS_URL=redis://" + redis2.Addr + "/0"}, copySite.Env(drillPrefix)...), hallEnv...)}
	var reindex struct{ Documents, Batches int }
	if err := json.Unmarshal(h2.output(t, nil, "reindex"), &reindex); err != nil {
		t.Fatal(err)
	}
	reindexed := time.Now()
	h2.api = launch(t, t.TempDir(), "serve", h2.env...)
	h2.api.waitReady()
	h2.startWorker(t)
	for _, no := range cases {
		h2.api.search(url.Values{"case_no": {no}}, len(before.cases[no]["documents"].([]any)))
	}
	t.Logf("site lost: reindex of %d documents and %d batches took %v; serving and every case's documents found %v after the start",
		reindex.Documents, reindex.Batches, reindexed.Sub(lost).Round(10*time.Millisecond), time.Since(lost).Round(10*time.Millisecond))

	after := readDrillState(t, h2.api, cases)
	for _, d := range diffDrill(before, after) {
		t.Errorf("after failing over, %s", d)
	}

	// Fixity clean, the audit chain whole and going on from where the site left it.
	var fix archive.FixityReport
	if err := json.Unmarshal(h2.output(t, nil, "fixity"), &fix); err != nil || len(fix.Failed) > 0 || fix.Checked == 0 {
		t.Errorf("fixity on the copy: %v %+v", err, fix)
	}
	if after.audit <= before.audit {
		t.Errorf("audit chain: %d entries after failing over, %d before", after.audit, before.audit)
	}
	checkRetentionKept(t, copySite, after)

	// The hall works on: a new batch is filed on the copy.
	page := testfixtures.TextPage(t, "居民身份证", "姓名 杨佳", "公民身份号码 220103198909195957", "Resident identity card")
	h2.api.uploadDone(map[string]string{"case_no": cases[0]}, 3*time.Minute, file{"again.pdf", testfixtures.ScanPDF(t, page)})

	// The hall on the copy has moved on; once it has settled, fail back.
	dlvWait(t, 30*time.Second, cases[0]+" has the new batch's document", func() bool {
		_, c := h2.api.get("/api/v1/cases/" + cases[0])
		docs, _ := c["documents"].([]any)
		return len(docs) > len(before.cases[cases[0]]["documents"].([]any))
	})
	failBack(t, h2, copySite, cases, fix.Checked, hallEnv)
}

// failBack does docs/OPERATIONS.md's "Failing back" to a rebuilt site from the hall h running
// on copySite: replication to the rebuilt site until it is current (the copy's replicas
// included: ordinary replication never forwards those, the resync does), then the switch. The
// hall on the rebuilt site must show what it showed on the copy.
func failBack(t *testing.T, h *hall, copySite *testenv.Site, cases []string, copyObjects int, hallEnv []string) {
	t.Helper()
	rebuilt := testenv.StartSite(t, "rebuilt")
	start := time.Now()
	testenv.Replicate(t, copySite, rebuilt, drillPrefix)
	quiet := append(rebuilt.ReplicaEnv(), "ONEWINDOW_LOG_LEVEL=warn")
	h.output(t, quiet, "replica", "check", "--wait", "3m")
	t.Logf("failing back: the rebuilt site held a current copy %v after replication to it was set up", time.Since(start).Round(10*time.Millisecond))

	// The switch: the hall stops, the check once more, the rule turned round.
	onCopy := readDrillState(t, h.api, cases)
	for _, d := range append(h.workers, h.api) {
		d.stop()
	}
	h.output(t, quiet, "replica", "check", "--wait", "3m")
	testenv.StopReplication(t, copySite, drillPrefix)
	testenv.Replicate(t, rebuilt, copySite, drillPrefix)
	redis, err := devservices.StartRedis(context.Background(), devservices.RedisOptions{Dir: t.TempDir(),
		Args: []string{"--appendonly", "yes", "--appendfsync", "everysec", "--save", ""}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(redis.Stop)
	h3 := &hall{env: append(append([]string{"ONEWINDOW_REDIS_URL=redis://" + redis.Addr + "/0"}, rebuilt.Env(drillPrefix)...), hallEnv...)}
	h3.output(t, nil, "reindex")
	h3.api = launch(t, t.TempDir(), "serve", h3.env...)
	h3.api.waitReady()
	for _, d := range diffDrill(onCopy, readDrillState(t, h3.api, cases)) {
		t.Errorf("after failing back, %s", d)
	}
	var fix archive.FixityReport
	if err := json.Unmarshal(h3.output(t, nil, "fixity"), &fix); err != nil || len(fix.Failed) > 0 || fix.Checked <= copyObjects {
		t.Errorf("fixity on the rebuilt site: %v %+v (the copy checked %d objects before its last batch)", err, fix, copyObjects)
	}
	// The old copy is the copy again.
	h3.output(t, append(copySite.ReplicaEnv(), "ONEWINDOW_LOG_LEVEL=warn"), "replica", "check", "--wait", "3m")
}

// drillCase opens a case of matter JL-ZR-001 for the applicant, files their ID card under it
// and accepts it, which files the notice and sends the packages; it returns the case number.
func drillCase(t *testing.T, d *daemon, idNumber, name string) string {
	t.Helper()
	st, c := dlvCall(t, d, d.token, "POST", "/api/v1/cases", []byte(`{"matter":"JL-ZR-001","applicant":{"name":"`+name+
		`","id_number":"`+idNumber+`"},"channel":"counter"}`), "", nil)
	if st != 201 {
		t.Fatalf("open case: %d %v", st, c)
	}
	no := c["case_no"].(string)
	page := testfixtures.TextPage(t, "居民身份证", "姓名 "+name, "公民身份号码 "+idNumber, "Resident identity card")
	d.uploadDone(map[string]string{"case_no": no, "station": "room-2"}, 3*time.Minute, file{"id.pdf", testfixtures.ScanPDF(t, page)})
	dlvWait(t, 30*time.Second, no+" has the batch's documents", func() bool {
		_, c = d.get("/api/v1/cases/" + no)
		docs, _ := c["documents"].([]any)
		return len(docs) > 0
	})
	st, c = dlvCall(t, d, d.token, "POST", "/api/v1/cases/"+no+"/decision", []byte(`{"decision":"accept","reason":"drill"}`), "",
		map[string]string{"If-Match": strconv.Itoa(int(c["version"].(float64)))})
	if st != 200 || c["state"] != "accepted" {
		t.Fatalf("decide %s: %d %v", no, st, c)
	}
	dlvWait(t, 30*time.Second, no+" has its notice", func() bool {
		_, c = d.get("/api/v1/cases/" + no)
		n, _ := c["notices"].([]any)
		return len(n) > 0
	})
	return no
}

// readDrillState reads the cases, their deliveries, documents and notices, and the audit chain.
func readDrillState(t *testing.T, d *daemon, cases []string) drillState {
	t.Helper()
	s := drillState{cases: map[string]map[string]any{}, deliveries: map[string]map[string]any{},
		documents: map[string]map[string]any{}, pdfs: map[string]string{}, notices: map[string]string{}}
	for _, no := range cases {
		code, c := d.get("/api/v1/cases/" + no)
		if code != 200 {
			t.Fatalf("case %s: %d %v", no, code, c)
		}
		s.cases[no] = c
		if code, s.deliveries[no] = d.get("/api/v1/cases/" + no + "/deliveries"); code != 200 {
			t.Fatalf("deliveries of %s: %d %v", no, code, s.deliveries[no])
		}
		for _, id := range c["documents"].([]any) {
			id := id.(string)
			if code, s.documents[id] = d.get("/api/v1/documents/" + id); code != 200 {
				t.Fatalf("document %s: %d %v", id, code, s.documents[id])
			}
			s.pdfs[id] = d.digest("/api/v1/documents/" + id + "/pdf")
		}
		for _, n := range c["notices"].([]any) {
			id := n.(map[string]any)["id"].(string)
			s.notices[id] = d.digest("/api/v1/notices/" + id + "/pdf")
		}
	}
	code, v := d.post("/api/v1/admin/audit/verify")
	if code != 200 || v["ok"] != true {
		t.Fatalf("audit verify: %d %v", code, v)
	}
	s.audit = int(v["entries"].(float64))
	return s
}

// digest is the SHA-256 of what path answers, which must be 200.
func (d *daemon) digest(path string) string {
	d.t.Helper()
	code, b := d.getRaw(path)
	if code != 200 || len(b) == 0 {
		d.t.Fatalf("GET %s: %d", path, code)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// diffDrill says what of the cases, deliveries, documents and notices differs (the audit
// chain grows with every read). Presigned links name the MinIO they were signed for, so they
// are left out.
func diffDrill(before, after drillState) []string {
	var out []string
	for name, pair := range map[string][2]any{
		"cases": {before.cases, after.cases}, "deliveries": {before.deliveries, after.deliveries},
		"documents": {before.documents, after.documents}, "document PDFs": {before.pdfs, after.pdfs},
		"notices": {before.notices, after.notices},
	} {
		b, a := withoutLinks(pair[0]), withoutLinks(pair[1])
		if !reflect.DeepEqual(b, a) {
			out = append(out, fmt.Sprintf("%s differ:\nbefore %v\nafter  %v", name, b, a))
		}
	}
	return out
}

// withoutLinks is v as JSON sees it, less every "url" field.
func withoutLinks(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(raw, &out)
	var strip func(any)
	strip = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			delete(x, "url")
			for _, y := range x {
				strip(y)
			}
		case []any:
			for _, y := range x {
				strip(y)
			}
		}
	}
	strip(out)
	return out
}

// checkRetentionKept reads each document's files on the copy: they are under the retention its
// record names, replicated with them.
func checkRetentionKept(t *testing.T, site *testenv.Site, s drillState) {
	t.Helper()
	blobs, err := storage.OpenReplica(context.Background(), site.S3Options(drillPrefix))
	if err != nil {
		t.Fatal(err)
	}
	for id := range s.documents {
		rec, _, err := archive.LoadRecord(context.Background(), blobs, id)
		if err != nil {
			t.Fatal(err)
		}
		// Every file the record names: the PDF, the text, the original scan (whose retention
		// filing extends) are each kept as long as the record says, to the second S3 keeps.
		for _, f := range rec.Files {
			mode, until, err := blobs.Client().GetObjectRetention(context.Background(), blobs.Name(storage.Archive), f.Key, "")
			if err != nil || mode == nil || string(*mode) != rec.Retention.Mode || until == nil ||
				until.Before(rec.Retention.Until.Add(-time.Second)) {
				t.Errorf("%s of document %s on the copy: retention %v %v (%v), its record says %s until %v", f.Role, id, mode, until, err,
					rec.Retention.Mode, rec.Retention.Until)
			}
		}
	}
}

// countDelivered counts a deliveries answer's packages delivered.
func countDelivered(b map[string]any) int {
	n := 0
	list, _ := b["deliveries"].([]any)
	for _, x := range list {
		if m, ok := x.(map[string]any); ok && m["state"] == "delivered" {
			n++
		}
	}
	return n
}

// output runs a onewindow command against the hall's services and returns its standard output;
// it must succeed.
func (h *hall) output(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(append(append(os.Environ(), "ONEWINDOW_REDIS_URL=", "ONEWINDOW_S3_ENDPOINT="), h.env...), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("onewindow %v: %v\n%s\n%s", args, err, out, stderr.String())
	}
	return out
}

// The check's verdicts, as monitoring reads them: exit 1 while the copy has no buckets, 0 once
// it holds every latest version, 3 while it holds what the hall does not.
func TestReplicaCheckExitStatus(t *testing.T) {
	primary, copySite := testenv.StartSite(t, "primary"), testenv.StartSite(t, "copy")
	ctx := context.Background()
	// The copy's secret from a file, as a hall keeps it.
	secret := filepath.Join(t.TempDir(), "copy-secret")
	if err := os.WriteFile(secret, []byte(copySite.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func() (int, string) {
		cmd := exec.Command(binPath, "replica", "check")
		cmd.Env = append(append(os.Environ(), "ONEWINDOW_REDIS_URL=", "ONEWINDOW_REPLICA_S3_ENDPOINT="+copySite.Endpoint(),
			"ONEWINDOW_REPLICA_S3_ACCESS_KEY="+copySite.User, "ONEWINDOW_REPLICA_S3_SECRET_KEY_FILE="+secret), primary.Env(drillPrefix)...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if _, err := storage.OpenBlobs(ctx, primary.S3Options(drillPrefix)); err != nil {
		t.Fatal(err)
	}
	// A copy without its buckets cannot be compared at all.
	if code, out := check(); code != 1 || !strings.Contains(out, "has no bucket") {
		t.Errorf("a copy without buckets: exit %d, want 1\n%s", code, out)
	}
	testenv.Replicate(t, primary, copySite, drillPrefix)
	blobs, err := storage.OpenBlobs(ctx, primary.S3Options(drillPrefix))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blobs.PutBytes(ctx, storage.Inbox, "batches/x/batch.json", []byte("{}"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	// Replication is asynchronous: the object reaches the copy soon after.
	deadline := time.Now().Add(time.Minute)
	code, out := check()
	for code == 3 && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		code, out = check()
	}
	if code != 0 || !strings.Contains(out, `"current": true`) {
		t.Errorf("after replication: exit %d, want 0\n%s", code, out)
	}
	// An object written to the copy alone is one the hall does not hold.
	replica, err := storage.OpenReplica(ctx, copySite.S3Options(drillPrefix))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := replica.PutBytes(ctx, storage.Work, "stray.json", []byte("{}"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if code, out := check(); code != 3 || !strings.Contains(out, `"current": false`) || !strings.Contains(out, `"extra": 1`) {
		t.Errorf("a stray object on the copy: exit %d, want 3\n%s", code, out)
	}
}
