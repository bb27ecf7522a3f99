package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"onewindow/archive"
	"onewindow/internal/esign"
	"onewindow/internal/testenv"
	"onewindow/storage"
)

// TestVerifyPDFWithEvidence: given a filed copy's events (the events/ folder of an exported
// bag), verify-pdf shows the archive time-stamp that renewed an ageing one as the latest and
// the chain intact, and exits 1 when the events belong to another copy.
func TestVerifyPDFWithEvidence(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Now().UTC().Truncate(time.Second)
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, now)
	if err != nil {
		t.Fatal(err)
	}
	short, err := pki.IssueTSA(30*24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	s := *pki.Signer
	s.TSA = short
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	var plain bytes.Buffer
	if err := p.Output(&plain); err != nil {
		t.Fatal(err)
	}
	signed, _, err := s.SignPDFBytes(ctx, plain.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	blobs := testenv.Blobs(t, testenv.Services(t))
	until := now.AddDate(1, 0, 0)
	retain := storage.PutOptions{RetentionMode: "GOVERNANCE", RetainUntil: until, IfAbsent: true}
	rec, _ := json.Marshal(archive.Record{DocumentID: "EVC-001", FiledAt: now, Retention: archive.Retention{Mode: "GOVERNANCE", Until: until}})
	for key, data := range map[string][]byte{storage.DocumentPDFKey("EVC-001"): signed, storage.DocumentRecordKey("EVC-001"): rec} {
		if _, err := blobs.PutBytes(ctx, storage.Archive, key, data, retain); err != nil {
			t.Fatal(err)
		}
	}
	if run, err := archive.RenewEvidence(ctx, blobs, pki.TSA, "", 0, now, archive.RenewMargin); err != nil || run.Renewed != 1 {
		t.Fatalf("%+v, %v", run, err)
	}
	later, err := archive.LoadEvents(ctx, blobs, "EVC-001")
	if err != nil {
		t.Fatal(err)
	}
	events := filepath.Join(dir, "events")
	os.Mkdir(events, 0o755)
	for i, e := range later {
		data, _ := json.Marshal(e)
		os.WriteFile(filepath.Join(events, fmt.Sprintf("%d.json", i)), data, 0o644)
	}
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.CA.Raw}), 0o644)
	filed := filepath.Join(dir, "filed.pdf")
	os.WriteFile(filed, signed, 0o644)
	other := filepath.Join(dir, "other.pdf")
	resigned, _, _ := pki.Signer.SignPDFBytes(ctx, plain.Bytes())
	os.WriteFile(other, resigned, 0o644)

	out, err := exec.Command(binPath, "verify-pdf", "--trust", ca, "--evidence", events, filed).CombinedOutput()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	for _, w := range []string{"签名内的时间戳", "存档时间戳：", "最新时间戳：", "（存档时间戳）", "存档时间戳 1 个，证据链完整"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	out, err = exec.Command(binPath, "verify-pdf", "--trust", ca, "--evidence", events, other).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "证据链不完整") {
		t.Errorf("another copy's evidence verified: %v\n%s", err, out)
	}
}
