package archive_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/minio/minio-go/v7"

	"onewindow/archive"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// TestAuditChainAgainstRealServices appends from two "processes" at once, verifies the chain,
// survives a Redis flush, then tampers with one entry the way only a governance-bypass holder
// can (delete the retained version, write a forged one) and expects verify to name it.
func TestAuditChainAgainstRealServices(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	blobs := testenv.Blobs(t, svc)
	state := testenv.State(t, svc)
	rdb := state.Redis()
	logs := []*archive.AuditLog{
		{Store: blobs, Coord: state, Origin: "api-1", RetentionMode: "GOVERNANCE", RetentionYears: 1},
		{Store: blobs, Coord: state, Origin: "api-2", RetentionMode: "GOVERNANCE", RetentionYears: 1},
	}
	var wg sync.WaitGroup
	for i, l := range logs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 6 {
				if _, err := l.Append(ctx, archive.AuditEntry{Who: fmt.Sprint("clerk-", i), Role: "archivist",
					Action: "view", Object: fmt.Sprint("doc-", j), Purpose: "案件复查"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	verify := func() *archive.AuditVerification {
		t.Helper()
		head, err := archive.ReadAuditHead(ctx, state)
		if err != nil {
			t.Fatal(err)
		}
		v, err := archive.VerifyAudit(ctx, blobs, head, 4)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := verify(); !v.OK || v.Entries != 12 || v.LastSeq != 12 {
		t.Fatalf("after 12 appends: %+v %+v", v, v.FirstBad)
	}

	// Redis lost: the head is found again in MinIO and the chain continues unbroken.
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	e, err := logs[0].Append(ctx, archive.AuditEntry{Who: "clerk-0", Role: "archivist", Action: "search", Query: "q=委托"})
	if err != nil || e.Seq != 13 {
		t.Fatalf("append after FLUSHALL: seq %d, %v", e.Seq, err)
	}
	for range 2 {
		if _, err := logs[1].Append(ctx, archive.AuditEntry{Who: "clerk-1", Role: "archivist", Action: "export", Object: "JL-1"}); err != nil {
			t.Fatal(err)
		}
	}
	if v := verify(); !v.OK || v.LastSeq != 15 {
		t.Fatalf("after recovery: %+v %+v", v, v.FirstBad)
	}

	// A retained entry cannot simply be overwritten in place or deleted...
	var victim string
	for o, err := range blobs.List(ctx, storage.Archive, "audit/") {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(o.Key, "/000000000007.json") {
			victim = o.Key
		}
	}
	if victim == "" {
		t.Fatal("entry 7 not found")
	}
	c, bucket := blobs.Client(), blobs.Name(storage.Archive)
	st, err := c.StatObject(ctx, bucket, victim, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveObject(ctx, bucket, victim, minio.RemoveObjectOptions{VersionID: st.VersionID}); err == nil {
		t.Fatal("deleting a retained audit entry succeeded")
	}
	// ...but a holder of the governance bypass can, and then forge it.
	if err := c.RemoveObject(ctx, bucket, victim, minio.RemoveObjectOptions{VersionID: st.VersionID, GovernanceBypass: true}); err != nil {
		t.Fatal(err)
	}
	forged := fmt.Sprintf(`{"seq":7,"time":"2020-01-01T00:00:00Z","who":"nobody","role":"archivist","action":"view","object":"doc-x","prev":"%s"}`,
		archive.AuditGenesis)
	if _, err := c.PutObject(ctx, bucket, victim, strings.NewReader(forged), int64(len(forged)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	v := verify()
	if v.OK || v.FirstBad == nil || v.FirstBad.Seq != 7 || v.FirstBad.Key != victim {
		t.Fatalf("after forging entry 7: %+v %+v, want entry 7 named", v, v.FirstBad)
	}
	t.Logf("first bad link: %+v", *v.FirstBad)

	// Altering only the payload of entry 3 (keeping its prev) breaks the link to entry 4.
	// (A new version on top of a retained one needs no bypass at all.)
	v3 := strings.Replace(victim, "7.json", "3.json", 1) // same day: the test runs in seconds
	old, err := blobs.Get(ctx, storage.Archive, v3)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(old), `"who":"clerk-`, `"who":"clerk-X`, 1)
	if _, err := c.PutObject(ctx, bucket, v3, strings.NewReader(changed), int64(len(changed)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if v := verify(); v.FirstBad == nil || v.FirstBad.Seq != 3 {
		t.Fatalf("after altering entry 3: %+v, want entry 3 named", v.FirstBad)
	}
}
