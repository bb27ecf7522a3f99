package esign

import (
	"context"
	"crypto/elliptic"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"

	"onewindow/internal/errs"
)

// softHSMModule is where Debian's softhsm2 puts its PKCS#11 library.
const softHSMModule = "/usr/lib/softhsm/libsofthsm2.so"

// TestSignWithAKeyInAPKCS11Token signs with a key that never leaves a (software) token, as a
// hall's HSM or USB key would, and refuses a wrong PIN without naming it.
func TestSignWithAKeyInAPKCS11Token(t *testing.T) {
	if _, err := os.Stat(softHSMModule); err != nil {
		t.Skip("softhsm2 not installed")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	os.MkdirAll(filepath.Join(dir, "tokens"), 0o700)
	os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\n"), 0o600)
	t.Setenv("SOFTHSM2_CONF", conf)
	const pin = "271828"
	if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", "hall", "--pin", pin, "--so-pin", "314159").CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v\n%s", err, out)
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: softHSMModule, TokenLabel: "hall", Pin: pin})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ctx.GenerateECDSAKeyPairWithLabel([]byte{1}, []byte("hall-sign"), elliptic.P256())
	if err != nil {
		t.Fatal(err)
	}
	ctx.Close()

	now := time.Now()
	pki, err := NewDevPKI("测试政务服务中心", AlgECDSA, now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.Issue(key.Public(), "测试政务服务中心（令牌）", now)
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, "hall.pem")
	os.WriteFile(certFile, append(pemOf("CERTIFICATE", cert.Raw), pemOf("CERTIFICATE", pki.CA.Raw)...), 0o600)

	s, closeToken, err := LoadPKCS11(PKCS11{Module: softHSMModule, TokenLabel: "hall", KeyLabel: "hall-sign", PIN: pin, CertFile: certFile}, now)
	if err != nil {
		t.Fatal(err)
	}
	s.TSA = pki.TSA
	signed, res, err := s.SignPDFBytes(context.Background(), samplePDF(t))
	if err != nil || res.Level != LevelBLT {
		t.Fatalf("sign: %v %+v", err, res)
	}
	if c := (&Verifier{Roots: s.Roots()}).VerifyPDF(signed); !c.Valid || c.Last().Signer != "测试政务服务中心（令牌）" {
		t.Fatalf("verify: %+v", c)
	}
	if out := pdfsig(t, signed); !contains(out, "Signature is Valid") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	closeToken() // PKCS#11 logins are per process: a second one while this is open would pass

	_, _, err = LoadPKCS11(PKCS11{Module: softHSMModule, TokenLabel: "hall", KeyLabel: "hall-sign", PIN: "000000", CertFile: certFile}, now)
	if errs.CodeOf(err) != "token_unavailable" || contains(err.Error(), "000000") {
		t.Fatalf("a wrong PIN: %v", err)
	}
	_, _, err = LoadPKCS11(PKCS11{Module: softHSMModule, TokenLabel: "hall", KeyLabel: "no-such-key", PIN: pin, CertFile: certFile}, now)
	if errs.CodeOf(err) != "key_not_found" {
		t.Fatalf("an unknown key label: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
