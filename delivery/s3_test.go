package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm3"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onewindow/archive"
	"onewindow/internal/devservices"
	"onewindow/internal/errs"
	"onewindow/internal/testenv"
	"onewindow/internal/testfixtures/bagit"
)

// memDocs is our storage's side: PDFs by document ID. A document listed in fail breaks after
// half of its bytes.
type memDocs struct {
	mu    sync.Mutex
	pdfs  map[string][]byte
	fail  map[string]bool
	opens int
}

func (m *memDocs) OpenDocument(ctx context.Context, id string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opens++
	b, ok := m.pdfs[id]
	if !ok {
		return nil, errs.E("test", errs.NotFound, "document_not_found", "No such document.", nil)
	}
	if m.fail[id] {
		return io.NopCloser(io.MultiReader(bytes.NewReader(b[:len(b)/2]), errReader{})), nil
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("storage went away") }

// s3Package makes a package whose documents are real bytes in docs, with their digests.
func s3Package(docs *memDocs, caseNo, dept string, n, size int) Package {
	p := testPackage(caseNo, dept, 1, n)
	for i := range p.Manifest.Documents {
		d := &p.Manifest.Documents[i]
		b := bytes.Repeat([]byte(fmt.Sprintf("%%PDF-1.7 %s ", d.ID)), size/20+1)[:size]
		docs.mu.Lock()
		docs.pdfs[d.ID] = b
		docs.mu.Unlock()
		sh, sm := sha256.Sum256(b), sm3.Sum(b)
		d.SHA256, d.SM3, d.Size = hex.EncodeToString(sh[:]), hex.EncodeToString(sm[:]), int64(len(b))
	}
	return p
}

func TestS3DeliversAVerifiableBag(t *testing.T) {
	svc := testenv.Services(t) // the department's own object storage
	ctx := context.Background()
	admin := departmentStorage(t, svc, "housing-intake")
	dept := func(id, bucket, secret string) *Department {
		return &Department{ID: id, Kind: KindS3, S3: &S3{Endpoint: svc.S3Endpoint, Bucket: bucket, Prefix: "from-hall/",
			AccessKey: svc.S3AccessKey, SecretKey: Secret(secret)}}
	}
	free, _ := net.Listen("tcp", "127.0.0.1:0")
	downAddr := free.Addr().String()
	free.Close()
	down := &Department{ID: "down", Kind: KindS3, S3: &S3{Endpoint: downAddr, Bucket: "intake", AccessKey: "a", SecretKey: Secret("b")}}
	reg := webhookSet(t, dept("housing", "housing-intake", svc.S3SecretKey), dept("wrongkey", "housing-intake", "not-the-key"),
		dept("nobucket", "no-such-bucket", svc.S3SecretKey), down)
	docs := &memDocs{pdfs: map[string][]byte{}, fail: map[string]bool{}}
	s := NewS3Sender(reg, docs, S3Options{Organization: "Changchun service hall", PartSize: 5 << 20})

	// 3 documents, one larger than a part, so the bag goes up as a multipart upload.
	p := s3Package(docs, "JL2026-0100", "housing", 3, 64<<10)
	big := &p.Manifest.Documents[2]
	bigBytes := bytes.Repeat([]byte("%PDF-1.7 large "), (6<<20)/15)
	docs.pdfs[big.ID] = bigBytes
	sh, sm := sha256.Sum256(bigBytes), sm3.Sum(bigBytes)
	big.SHA256, big.SM3, big.Size = hex.EncodeToString(sh[:]), hex.EncodeToString(sm[:]), int64(len(bigBytes))

	res, err := s.Send(ctx, p)
	if err != nil || res.State != StateDelivered || res.Already {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	bagKey, manKey := BagKey("from-hall/", &p.Manifest), ManifestKey("from-hall/", &p.Manifest)
	if bagKey != "from-hall/JL2026-0100/v1/bag.zip" || res.Target != "housing-intake/"+manKey {
		t.Fatalf("keys %s, target %s", bagKey, res.Target)
	}
	bag := getObject(t, admin, "housing-intake", bagKey)
	rep, err := archive.VerifyBag(bytes.NewReader(bag), int64(len(bag)))
	if err != nil || !rep.OK() || rep.Files != 4 {
		t.Fatalf("VerifyBag: %+v %v", rep, err)
	}
	if b := bagit.Require(t, bag); b.Name != "JL2026-0100-v1" {
		t.Errorf("bag's base directory %q, want JL2026-0100-v1", b.Name)
	}
	var m Manifest
	if err := json.Unmarshal(getObject(t, admin, "housing-intake", manKey), &m); err != nil {
		t.Fatal(err)
	}
	if m.CaseNo != "JL2026-0100" || len(m.Documents) != 3 || m.IdempotencyKey != p.Key() || m.Documents[0].URL != "" {
		t.Fatalf("manifest beside the bag: %+v", m)
	}
	info, err := admin.StatObject(ctx, "housing-intake", bagKey, minio.StatObjectOptions{})
	if err != nil || info.UserMetadata[metaKey] != p.Key() {
		t.Fatalf("bag metadata %v %v", info.UserMetadata, err)
	}

	// Sent again (a task redelivered after a crash): found in place, not written twice.
	opens := docs.opens
	res, err = s.Send(ctx, p)
	if err != nil || !res.Already || docs.opens != opens {
		t.Fatalf("second Send = %+v, %v (opened %d documents)", res, err, docs.opens-opens)
	}
	again, _ := admin.StatObject(ctx, "housing-intake", bagKey, minio.StatObjectOptions{})
	if again.ETag != info.ETag || !again.LastModified.Equal(info.LastModified) {
		t.Fatal("the bag was written again")
	}

	// Broken documents: nothing reaches the department's bucket.
	bad := s3Package(docs, "JL2026-0101", "housing", 2, 4096)
	bad.Manifest.Documents[1].SHA256 = strings.Repeat("0", 64)
	if _, err := s.Send(ctx, bad); errs.CodeOf(err) != "document_digest_mismatch" {
		t.Fatalf("digest mismatch: %v", err)
	}
	broken := s3Package(docs, "JL2026-0102", "housing", 2, 4096)
	docs.fail[broken.Manifest.Documents[1].ID] = true
	if _, err := s.Send(ctx, broken); errs.CodeOf(err) != "document_unreadable" || !errs.Retryable(err) {
		t.Fatalf("unreadable document: %v", err)
	}
	for _, c := range []string{"JL2026-0101", "JL2026-0102"} {
		for o := range admin.ListObjects(ctx, "housing-intake", minio.ListObjectsOptions{Prefix: "from-hall/" + c, Recursive: true}) {
			t.Errorf("a failed package left %s", o.Key)
		}
	}

	tests := []struct {
		dept, code string
		retryable  bool
	}{
		{"wrongkey", "department_rejected", false},
		{"nobucket", "department_rejected", false},
		{"down", "department_unavailable", true},
	}
	for _, tt := range tests {
		_, err := s.Send(ctx, s3Package(docs, "JL2026-0103", tt.dept, 1, 100))
		if errs.CodeOf(err) != tt.code || errs.Retryable(err) != tt.retryable {
			t.Errorf("%s: %v (retryable %v), want %s", tt.dept, err, errs.Retryable(err), tt.code)
		}
	}
}

// departmentStorage is a client of svc's MinIO, standing for a department's own storage, with
// bucket made.
func departmentStorage(t testing.TB, svc *devservices.Services, bucket string) *minio.Client {
	t.Helper()
	admin, err := minio.New(svc.S3Endpoint, &minio.Options{Creds: credentials.NewStaticV4(svc.S3AccessKey, svc.S3SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.MakeBucket(context.Background(), bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	return admin
}

func getObject(t *testing.T, c *minio.Client, bucket, key string) []byte {
	t.Helper()
	o, err := c.GetObject(context.Background(), bucket, key, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return b
}

// TestEventsReachEachKindOfDepartment: a handout event goes to a webhook as a signed POST, into
// an S3 department's bucket beside its packages, and nowhere for a pull department.
func TestEventsReachEachKindOfDepartment(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	admin := departmentStorage(t, svc, "tax-intake")
	var posted atomic.Value
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if Verify("", []byte("s"), r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, time.Now(), 0) == nil {
			posted.Store(r.Header.Get(HeaderEvent) + " " + r.Header.Get(HeaderIdempotencyKey) + " " + string(body))
		}
	}))
	defer hook.Close()
	reg := webhookSet(t,
		&Department{ID: "tax", Kind: KindS3, S3: &S3{Endpoint: svc.S3Endpoint, Bucket: "tax-intake", Prefix: "hall/", AccessKey: svc.S3AccessKey, SecretKey: Secret(svc.S3SecretKey)}},
		hookDept("market", hook.URL, "s", 5*time.Second, 2),
		&Department{ID: "puller", Kind: KindPull})
	r := &Router{Registry: reg, Webhook: NewWebhookSender(reg, WebhookOptions{}), S3: NewS3Sender(reg, nil, S3Options{}), Pull: PullSender{}}
	body := []byte(`{"format":"onewindow.event/1","kind":"handout","case_no":"JL2026-0200"}`)
	for _, dept := range []string{"tax", "market", "puller"} {
		if err := r.SendEvent(ctx, dept, "JL2026-0200", "handout", "key-"+dept, body); err != nil {
			t.Fatalf("%s: %v", dept, err)
		}
	}
	key := EventObjectKey("hall/", "JL2026-0200", "handout")
	if key != "hall/JL2026-0200/events/handout.json" {
		t.Errorf("event key %s", key)
	}
	if got := getObject(t, admin, "tax-intake", key); !bytes.Equal(got, body) {
		t.Errorf("S3 event %s", got)
	}
	if info, err := admin.StatObject(ctx, "tax-intake", key, minio.StatObjectOptions{}); err != nil || info.UserMetadata[metaKey] != "key-tax" {
		t.Errorf("S3 event metadata %v %v", info.UserMetadata, err)
	}
	if got, _ := posted.Load().(string); got != "handout key-market "+string(body) {
		t.Errorf("webhook event %q", got)
	}
	if err := r.SendEvent(ctx, "gone", "JL2026-0200", "handout", "k", body); errs.CodeOf(err) != "unknown_department" {
		t.Errorf("a department not in the file: %v", err)
	}
}
