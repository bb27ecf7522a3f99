package main

// The fault suite (`make faults`): a hall of one `serve` and two `work` processes against a
// redis-server and a MinIO that the test starts itself, so it can kill and restart them. Each
// scenario breaks one thing in the middle of the work, repairs it, and then checks what
// operators rely on: every batch done, every page in exactly one document or the dropped list,
// no document filed twice (the batches, the search and the archive bucket agree), and an
// upload retried with its Idempotency-Key answered with its first batch. It prints a table of
// what it measured and asserts nothing about speed.
//
//	ONEWINDOW_FAULTS=full go test ./cmd/onewindow -run '^TestFaults$' -v   # every scenario
//	go test ./cmd/onewindow -run '^TestFaults$' -v                          # the short version

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/hibiken/asynq"

	"onewindow/internal/devservices"
	"onewindow/internal/tasks"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// faultScenario breaks the hall in the middle of its batches and repairs it; it answers
// when the repair was done (recovery is measured from there).
type faultScenario struct {
	name    string
	short   bool     // part of the short version that runs in `make test` and CI
	noAOF   bool     // Redis without persistence
	env     []string // settings for every process of the hall
	batches int
	disrupt func(t *testing.T, fh *faultHall, ids []string) (repaired time.Time)
	check   func(t *testing.T, fh *faultHall, ids []string)
}

// faultRow is one line of the printed table.
type faultRow struct {
	scenario         string
	batches, pages   int
	documents        int
	outage, recovery time.Duration
	note             string
}

func TestFaults(t *testing.T) {
	full := os.Getenv("ONEWINDOW_FAULTS") == "full"
	var rows []faultRow
	for _, sc := range faultScenarios() {
		if !full && !sc.short {
			continue
		}
		t.Run(sc.name, func(t *testing.T) { rows = append(rows, runFault(t, sc)) })
	}
	var out bytes.Buffer
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tbatches\tpages\tdocuments\toutage s\trecovery s\t\t")
	for _, r := range rows {
		outage := "-" // a killed process is started again at once
		if r.outage > 0 {
			outage = fmt.Sprintf("%.1f", r.outage.Seconds())
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%.1f\t\t%s\n", r.scenario, r.batches, r.pages, r.documents,
			outage, r.recovery.Seconds(), r.note)
	}
	tw.Flush()
	t.Logf("fault suite (recovery: from the repair until every batch was done)\n%s", out.String())
}

func faultScenarios() []faultScenario {
	return []faultScenario{
		{name: "worker killed mid-page", batches: 4, disrupt: killWorkerMidPage},
		{name: "workers killed mid-assembly", batches: 3, disrupt: killWorkersMidAssembly},
		{name: "serve killed mid-upload", batches: 2, disrupt: killServeMidUpload},
		{name: "MinIO down 20 s", batches: 3, disrupt: minioDown(20 * time.Second)},
		// Two retries, a few seconds apart, are the budget here: the outage outlasts it, a
		// batch fails as transient, and the reconciler resumes it once MinIO is back.
		{name: "MinIO down past the retry budget", short: true, batches: 2, env: []string{"ONEWINDOW_MAX_RETRY=2"},
			disrupt: minioDownUntilFailed, check: checkAutoResumed},
		{name: "Redis killed, AOF kept", batches: 3, disrupt: killRedis(true)},
		// What the last second of an AOF or an unreplicated failover takes, made certain: the
		// newest documents' entries and feed notices, while the epoch mark stays.
		{name: "Redis loses its newest writes", batches: 2, disrupt: loseNewestWrites},
		{name: "Redis lost (no AOF)", short: true, noAOF: true, batches: 2, disrupt: killRedis(false)},
	}
}

// faultHall is a hall whose Redis and MinIO the test may kill and start again on the same
// addresses.
type faultHall struct {
	*hall
	caseNo string

	redis     *devservices.Child
	redisDir  string
	redisPort int
	redisArgs []string
	minio     *devservices.Child
	minioOpt  devservices.MinioOptions
	inspector *asynq.Inspector
	log       io.Writer // the services' output (ONEWINDOW_TEST_VERBOSE)

	ids    []string        // the scenario's batches; a disruption may add the one it uploads
	lost   map[string]bool // documents a disruption took out of the indexes
	outage time.Duration
	note   string
}

func startFaultHall(t *testing.T, sc faultScenario) *faultHall {
	t.Helper()
	if testing.Short() {
		t.Skip("fault suite: starts redis-server, MinIO and four processes")
	}
	fh := &faultHall{caseNo: "FAULT-" + strings.NewReplacer(" ", "-", ",", "").Replace(sc.name)}
	if os.Getenv("ONEWINDOW_TEST_VERBOSE") != "" {
		fh.log = os.Stderr
	}
	dir := t.TempDir()
	fh.redisArgs = []string{"--appendonly", "yes", "--appendfsync", "everysec", "--save", ""}
	if sc.noAOF {
		fh.redisArgs = []string{"--appendonly", "no", "--save", ""}
	}
	fh.redisDir = filepath.Join(dir, "redis")
	fh.startRedis(t)
	fh.redisPort = portOf(t, fh.redis.Addr)
	fh.minioOpt = devservices.MinioOptions{Drives: []string{filepath.Join(dir, "minio")}, User: "faults",
		Secret: "faults-secret-0123456789", LogOutput: fh.log}
	fh.startMinio(t)
	fh.minioOpt.Port = portOf(t, fh.minio.Addr)
	t.Cleanup(func() { fh.minio.Stop(); fh.redis.Stop() })

	s3 := storage.S3Options{Endpoint: fh.minio.Addr, AccessKey: fh.minioOpt.User, SecretKey: fh.minioOpt.Secret,
		Region: "us-east-1", Prefix: "faults"}
	// The reconciler looks every second, so a lost Redis or a passed outage is noticed at once.
	env := append([]string{"ONEWINDOW_RECONCILE_EVERY=1s"}, sc.env...)
	fh.hall = startHall(t, "redis://"+fh.redis.Addr+"/0", s3, 2, env...)
	fh.inspector = asynq.NewInspector(asynq.RedisClientOpt{Addr: fh.redis.Addr})
	t.Cleanup(func() { fh.inspector.Close() })
	fh.waitWorkers(t, 2)
	return fh
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func (fh *faultHall) startRedis(t *testing.T) {
	t.Helper()
	c, err := devservices.StartRedis(context.Background(), devservices.RedisOptions{Dir: fh.redisDir, Port: fh.redisPort,
		Args: fh.redisArgs, LogOutput: fh.log})
	if err != nil {
		t.Fatal(err)
	}
	fh.redis = c
}

func (fh *faultHall) startMinio(t *testing.T) {
	t.Helper()
	c, err := devservices.StartMinio(context.Background(), fh.minioOpt)
	if err != nil {
		t.Fatal(err)
	}
	fh.minio = c
}

// waitWorkers waits until n work processes have told the queue they serve.
func (fh *faultHall) waitWorkers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if servers, err := fh.inspector.Servers(); err == nil && len(servers) >= n {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("fewer than %d work processes joined the queue", n)
}

func runFault(t *testing.T, sc faultScenario) faultRow {
	fh := startFaultHall(t, sc)
	fh.ids = fh.uploadStacks(t, fh.caseNo, sc.batches)
	repaired := sc.disrupt(t, fh, fh.ids)
	ids := fh.ids
	// A killed worker's task waits for asynq's lease, up to two minutes; a batch may show
	// failed until the reconciler resumes it.
	fh.waitAllDone(t, ids, 6*time.Minute)
	recovery := time.Since(repaired)
	fh.checkFiledOnce(t, ids, time.Minute)
	if sc.check != nil {
		sc.check(t, fh, ids)
	}
	row := faultRow{scenario: sc.name, batches: len(ids), outage: fh.outage, recovery: recovery, note: fh.note}
	for _, id := range ids {
		_, b := fh.api.get("/api/v1/batches/" + id)
		row.pages += int(b["pages_total"].(float64))
		docs, _ := b["documents"].([]any)
		row.documents += len(docs)
	}
	// The search, Redis and the archive bucket agree with the batches: each document once.
	fh.api.search(url.Values{"case_no": {fh.caseNo}, "per_page": {"100"}}, row.documents)
	fh.waitCaseSet(t, row.documents, 20*time.Second)
	if pdfs := fh.countObjects(t, "/document.pdf"); pdfs != row.documents {
		t.Errorf("the archive holds %d filed PDFs, the batches list %d documents", pdfs, row.documents)
	}
	// A station retrying its first upload now gets its first batch, not a second one.
	code, again := fh.api.upload(testToken, map[string]string{"Idempotency-Key": fh.caseNo + "-0"},
		map[string]string{"case_no": fh.caseNo}, stackPages(t)...)
	if code != 202 || again["id"] != ids[0] {
		t.Errorf("upload retried with its key after the fault: %d %v, want batch %s", code, again, ids[0])
	}
	t.Logf("%s: %d batches, %d pages, %d documents, recovered %.1f s after the repair", sc.name, row.batches,
		row.pages, row.documents, recovery.Seconds())
	return row
}

// countObjects counts the archived objects under documents/ whose key ends with suffix.
func (fh *faultHall) countObjects(t *testing.T, suffix string) int {
	t.Helper()
	n := 0
	for o, err := range fh.blobs.List(context.Background(), storage.Archive, "documents/") {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(o.Key, suffix) {
			n++
		}
	}
	return n
}

// waitAllDone waits until every batch is done; failed is not final here.
func (fh *faultHall) waitAllDone(t *testing.T, ids []string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for _, id := range ids {
		for {
			code, b := fh.api.get("/api/v1/batches/" + id)
			if code == 200 && b["status"] == "done" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("batch %s not done %s after the fault: %d %v %v", id, limit, code, b["status"], b["error"])
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
}

// workerOf finds the work process running a task of type taskType (asynq's server list names
// each process's active tasks, refreshed at its heartbeat).
func (fh *faultHall) workerOf(taskType string) *daemon {
	servers, err := fh.inspector.Servers()
	if err != nil {
		return nil
	}
	for _, s := range servers {
		for _, w := range s.ActiveWorkers {
			if w.TaskType != taskType {
				continue
			}
			for _, d := range fh.workers {
				if d.cmd.Process != nil && d.cmd.ProcessState == nil && d.cmd.Process.Pid == s.PID {
					return d
				}
			}
		}
	}
	return nil
}

// replaceWorker kills w with SIGKILL and starts another work process in its place.
func (fh *faultHall) replaceWorker(t *testing.T, w *daemon) {
	w.kill()
	fh.startWorker(t)
}

func killWorkerMidPage(t *testing.T, fh *faultHall, ids []string) time.Time {
	fh.waitProgress(t, ids[0])
	deadline := time.Now().Add(30 * time.Second)
	var victim *daemon
	for victim == nil && time.Now().Before(deadline) {
		victim = fh.workerOf(tasks.TypePage)
		time.Sleep(100 * time.Millisecond)
	}
	if victim == nil {
		victim = fh.workers[0]
		fh.note = "killed worker 1 (no page seen active)"
	}
	fh.replaceWorker(t, victim)
	return time.Now()
}

// killWorkersMidAssembly kills every work process once a batch has all its pages done but is
// not filed yet, so whichever one was assembling it dies in the middle.
func killWorkersMidAssembly(t *testing.T, fh *faultHall, ids []string) time.Time {
	deadline := time.Now().Add(4 * time.Minute)
	for time.Now().Before(deadline) {
		for _, id := range ids {
			_, b := fh.api.get("/api/v1/batches/" + id)
			total, _ := b["pages_total"].(float64)
			done, _ := b["pages_done"].(float64)
			if b["status"] == "processing" && total > 0 && done == total {
				workers := fh.workers
				fh.workers = nil
				for _, w := range workers {
					w.kill()
				}
				fh.startWorker(t)
				fh.startWorker(t)
				fh.note = "batch " + id[len(id)-6:] + " between its last page and filing"
				return time.Now()
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no batch was caught between its last page and its filing")
	return time.Time{}
}

// killServeMidUpload kills `serve` while it receives an upload, starts it again, and the
// station retries the upload with the same Idempotency-Key until it is answered.
func killServeMidUpload(t *testing.T, fh *faultHall, ids []string) time.Time {
	const key = "upload-cut-by-kill"
	fields := map[string]string{"case_no": fh.caseNo}
	files := stackPages(t)
	cut := make(chan error, 1)
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		req, _ := http.NewRequest("POST", fh.api.base+"/api/v1/batches", pr)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("answered %d", resp.StatusCode)
		}
		pr.CloseWithError(err)
		cut <- err
	}()
	_ = mw.WriteField("case_no", fh.caseNo)
	w, _ := mw.CreateFormFile("file", files[0].name)
	half := files[0].data[:len(files[0].data)/2]
	if _, err := w.Write(half); err != nil {
		t.Fatalf("the upload ended before serve was killed: %v", err)
	}
	time.Sleep(500 * time.Millisecond) // serve is reading the body
	fh.api.kill()
	pw.CloseWithError(errors.New("serve killed"))
	if err := <-cut; err == nil || strings.HasPrefix(err.Error(), "answered") {
		t.Fatalf("the cut upload was answered: %v", err)
	}
	fh.api = launch(t, fh.api.dir, "serve", fh.env...)
	fh.api.waitReady()
	repaired := time.Now()
	// The station retries: refused while the cut upload's receiving mark lasts (409), then
	// accepted once; a second retry gets the same batch.
	var id string
	deadline := time.Now().Add(3 * time.Minute)
	for id == "" {
		code, body, err := tryUpload(fh.api, key, fields, files)
		switch {
		case err == nil && code == 202:
			id = body["id"].(string)
		case time.Now().After(deadline):
			t.Fatalf("the retried upload was never accepted: %d %v %v", code, body, err)
		case err == nil && code != 409 && code < 500:
			t.Fatalf("the retried upload: %d %v", code, body)
		default:
			time.Sleep(2 * time.Second)
		}
	}
	fh.note = fmt.Sprintf("retry accepted %.0f s after restart", time.Since(repaired).Seconds())
	if code, body, err := tryUpload(fh.api, key, fields, files); err != nil || code != 202 || body["id"] != id {
		t.Errorf("the upload retried once more: %d %v %v, want %s", code, body, err, id)
	}
	fh.ids = append(fh.ids, id) // the cut upload is one of the hall's batches from now on
	return repaired
}

// tryUpload is an upload whose connection may fail (serve restarting).
func tryUpload(d *daemon, key string, fields map[string]string, files []file) (int, map[string]any, error) {
	req := uploadRequest(d.base, testToken, map[string]string{"Idempotency-Key": key}, fields, files...)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, out, nil
}

func minioDown(d time.Duration) func(t *testing.T, fh *faultHall, ids []string) time.Time {
	return func(t *testing.T, fh *faultHall, ids []string) time.Time {
		fh.waitProgress(t, ids[0])
		fh.minio.Kill()
		start := time.Now()
		time.Sleep(d)
		fh.startMinio(t)
		fh.outage = time.Since(start)
		return time.Now()
	}
}

// minioDownUntilFailed keeps MinIO down until a batch has given up (its steps spent their
// retries), then brings it back.
func minioDownUntilFailed(t *testing.T, fh *faultHall, ids []string) time.Time {
	fh.waitProgress(t, ids[0])
	fh.minio.Kill()
	start := time.Now()
	deadline := start.Add(4 * time.Minute)
	for !fh.anyFailed(ids) {
		if time.Now().After(deadline) {
			t.Fatal("no batch gave up while MinIO was down")
		}
		time.Sleep(500 * time.Millisecond)
	}
	fh.startMinio(t)
	fh.outage = time.Since(start)
	return time.Now()
}

func (fh *faultHall) anyFailed(ids []string) bool {
	for _, id := range ids {
		if code, b := fh.api.get("/api/v1/batches/" + id); code == 200 && b["status"] == "failed" {
			return true
		}
	}
	return false
}

// checkAutoResumed: the batches that failed were resumed by the reconciler, not by hand, and
// the status says so.
func checkAutoResumed(t *testing.T, fh *faultHall, ids []string) {
	resumed := 0
	for _, id := range ids {
		_, b := fh.api.get("/api/v1/batches/" + id)
		if n, _ := b["auto_resumes"].(float64); n > 0 {
			resumed++
		}
	}
	if resumed == 0 {
		t.Error("no batch records an automatic resume")
	}
	fh.note = fmt.Sprintf("%d of %d batches resumed by the reconciler", resumed, len(ids))
}

// killRedis kills redis-server mid-batch and starts it again on the same port: on its own
// data directory (the AOF replays), or on an empty one (Redis lost; the reconciler rebuilds).
func killRedis(keepAOF bool) func(t *testing.T, fh *faultHall, ids []string) time.Time {
	return func(t *testing.T, fh *faultHall, ids []string) time.Time {
		fh.waitProgress(t, ids[0])
		fh.redis.Kill()
		start := time.Now()
		if !keepAOF {
			fh.redisDir = t.TempDir()
		}
		time.Sleep(time.Second)
		fh.startRedis(t)
		fh.outage = time.Since(start)
		return time.Now()
	}
}

// waitCaseSet waits until Redis's set of the case's documents holds want of them, as the
// reconciler leaves it after any loss.
func (fh *faultHall) waitCaseSet(t *testing.T, want int, limit time.Duration) {
	t.Helper()
	st := testenv.StateAt(t, "redis://"+fh.redis.Addr+"/0")
	var ids []string
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var err error
		if ids, err = st.DocumentsOfCase(context.Background(), fh.caseNo); err == nil && len(ids) == want {
			return
		}
	}
	t.Errorf("Redis lists %d documents of the case (%v), the batches %d", len(ids), ids, want)
}

// loseNewestWrites pauses serve (its search feed reads nothing), lets the first batch be
// filed, then removes from Redis its documents' entries and their notices on the search
// feed, as a Redis restarted on an AOF without its last second, or a replica promoted before
// it had them, would: the epoch mark stays, so only the reconciler's comparison with MinIO
// can bring them back. serve resumes at once; the loss counts as the repair time.
func loseNewestWrites(t *testing.T, fh *faultHall, ids []string) time.Time {
	ctx := context.Background()
	st := testenv.StateAt(t, "redis://"+fh.redis.Addr+"/0")
	pid := fh.api.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(pid, syscall.SIGCONT) }()
	var b *storage.Batch
	for deadline := time.Now().Add(4 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		var err error
		if b, err = st.GetBatch(ctx, ids[0]); err == nil && b.Status == storage.StatusDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %s not filed while serve was paused: %+v", ids[0], b)
		}
	}
	rdb := st.Redis()
	lost := map[string]bool{}
	for _, d := range b.Documents {
		lost[d.ID] = true
		for _, err := range []error{rdb.Del(ctx, "ow:doc:"+d.ID).Err(), rdb.SRem(ctx, "ow:docs", d.ID).Err(),
			rdb.SRem(ctx, "ow:case:"+fh.caseNo, d.ID).Err()} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	msgs, err := rdb.XRange(ctx, "ow:filed", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, m := range msgs {
		if doc, _ := m.Values["doc"].(string); lost[doc] {
			if err := rdb.XDel(ctx, "ow:filed", m.ID).Err(); err != nil {
				t.Fatal(err)
			}
			removed++
		}
	}
	t.Logf("removed %v from Redis and %d notices of the %d on the feed", slices.Sorted(maps.Keys(lost)), removed, len(msgs))
	fh.lost = lost
	lostAt := time.Now()
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	checkRepaired(t, fh, ids)
	fh.note = fmt.Sprintf("%d documents' Redis entries and feed notices removed; repaired %.1f s later", len(lost),
		time.Since(lostAt).Seconds())
	return lostAt
}

// checkRepaired waits until serve counts the repair of each lost document in Redis, once, and
// in search: the feed's read that was waiting when serve was paused may already hold the first
// notice (Redis answered it into the socket), so search may lack one document fewer.
func checkRepaired(t *testing.T, fh *faultHall, ids []string) {
	lost := float64(len(fh.lost))
	for _, index := range []string{"documents", "search"} {
		want, n := lost, 0.0
		if index == "search" {
			want = lost - 1
		}
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if n = indexRepairs(t, fh.api, index); n >= want {
				break
			}
		}
		if n < want || n > lost {
			t.Errorf("serve counted %v repairs of %s after %v documents were lost", n, index, lost)
		}
	}
}
