package archive_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/esign"
	"onewindow/internal/testenv"
	"onewindow/internal/testfixtures/bagit"
)

// A signed bag carries tagmanifest-sha256.txt.p7s, which another archive checks with the
// openssl command docs/DELIVERY.md gives; the bag stays a valid bag.
func TestSignedBagVerifiesWithOpenSSL(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	blobs := testenv.Blobs(t, svc)
	pki, err := esign.NewDevPKI("测试政务服务中心", esign.AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	recs := []*archive.Record{fileDocument(t, ctx, blobs, "S1-001", "JL-SIGN")}
	var buf bytes.Buffer
	if err := archive.WriteBag(ctx, &buf, blobs, recs, archive.BagInfo{SourceOrganization: "测试政务服务中心",
		ExternalIdentifier: "JL-SIGN", Signer: pki.Signer}); err != nil {
		t.Fatal(err)
	}
	bag := bagit.Require(t, buf.Bytes())
	sig, manifest := bag.Files[archive.BagSignatureName], bag.Files["tagmanifest-sha256.txt"]
	if len(sig) == 0 {
		t.Fatalf("no %s in the bag", archive.BagSignatureName)
	}
	if got, err := esign.VerifyDetached(bytes.NewReader(manifest), sig, nil); err != nil || got.Signer != "测试政务服务中心" {
		t.Fatalf("verify: %+v %v", got, err)
	}
	rep, err := archive.VerifyBag(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || !rep.OK() || rep.Signature == nil || rep.Signature.Signer != "测试政务服务中心" || rep.Signature.Timestamp.IsZero() {
		t.Fatalf("VerifyBag: %v %+v", err, rep)
	}
	// Another file's signature in its place is a problem verify-bag names.
	other, err := pki.Signer.SignDetached(ctx, strings.NewReader("another manifest\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := bagit.Unzip(t, buf.Bytes())
	if err := os.WriteFile(filepath.Join(dir, archive.BagSignatureName), other, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = archive.VerifyBagDir(dir)
	if err != nil || rep.OK() || rep.Problems[0].Path != archive.BagSignatureName {
		t.Fatalf("a swapped signature: %v %+v", err, rep)
	}
	t.Run("bagit-python validates it", func(t *testing.T) {
		if ok, out := bagit.PythonValidate(t, bagit.Python(t), bagit.Unzip(t, buf.Bytes())); !ok {
			t.Errorf("bagit-python finds the signed bag invalid:\n%s", out)
		}
	})
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir = t.TempDir()
	for name, data := range map[string][]byte{"tagmanifest-sha256.txt": manifest, archive.BagSignatureName: sig,
		"ca.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.CA.Raw})} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-content", "tagmanifest-sha256.txt",
		"-in", "tagmanifest-sha256.txt.p7s", "-CAfile", "ca.pem", "-out", os.DevNull)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || !bytes.Contains(out, []byte("Verification successful")) {
		t.Fatalf("openssl cms -verify: %v\n%s", err, out)
	}
}
