package esign

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// TestDetachedSignatureOpenSSLVerifies is the command docs/DELIVERY.md gives another archive.
func TestDetachedSignatureOpenSSLVerifies(t *testing.T) {
	pki, err := NewDevPKI("测试政务服务中心", AlgECDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	manifest := []byte("0f343b0931126a20f133d67c2b018a3b  manifest-sha256.txt\n")
	sig, err := pki.Signer.SignDetached(context.Background(), bytes.NewReader(manifest))
	if err != nil {
		t.Fatal(err)
	}
	roots := []*smx509.Certificate{pki.CA}
	got, err := VerifyDetached(bytes.NewReader(manifest), sig, roots)
	if err != nil || got.Signer != "测试政务服务中心" || got.Stamp == nil {
		t.Fatalf("verify: %+v %v", got, err)
	}
	changed := append(bytes.Clone(manifest), '\n')
	if _, err := VerifyDetached(bytes.NewReader(changed), sig, roots); err == nil {
		t.Fatal("a changed manifest verified")
	}

	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	content := write("tagmanifest-sha256.txt", manifest)
	p7s := write("tagmanifest-sha256.txt.p7s", sig)
	ca := write("ca.pem", pemOf("CERTIFICATE", pki.CA.Raw))
	out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-content", content, "-in", p7s, "-CAfile", ca, "-out", os.DevNull).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("Verification successful")) {
		t.Fatalf("openssl cms -verify: %v\n%s", err, out)
	}
	write("tagmanifest-sha256.txt", changed)
	if out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-content", content, "-in", p7s, "-CAfile", ca, "-out", os.DevNull).CombinedOutput(); err == nil {
		t.Fatalf("openssl verified a changed manifest:\n%s", out)
	}
}
