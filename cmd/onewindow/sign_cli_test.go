package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"onewindow/internal/esign"
)

// TestVerifyPDFCommand: verify-pdf names the signer, the time-stamp and whether the file is
// intact, exits 0 for a valid signature and 1 with the reason for a changed, extended or
// unsigned file.
func TestVerifyPDFCommand(t *testing.T) {
	dir := t.TempDir()
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	var plain bytes.Buffer
	if err := p.Output(&plain); err != nil {
		t.Fatal(err)
	}
	pki, err := esign.OpenDevPKI(filepath.Join(dir, "signing"), "测试政务服务中心", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signed, _, err := pki.Signer.SignPDFBytes(context.Background(), plain.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(signed)
	changed[30] ^= 1
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ca := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.CA.Raw}))
	for _, tc := range []struct {
		name string
		pdf  []byte
		code int
		want []string
	}{
		{"signed", signed, 0, []string{"签署者：测试政务服务中心", "时间戳：", "签名内容完整：是", "覆盖整个文件：是", "证书受信任：是", "签名有效"}},
		{"one byte changed", changed, 1, []string{"签名内容完整：否", "改动"}},
		{"appended to", append(bytes.Clone(signed), "\n%%EOF\n"...), 1, []string{"覆盖整个文件：否", "追加"}},
		{"unsigned", plain.Bytes(), 1, []string{"没有数字签名"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(binPath, "verify-pdf", "--trust", ca, write(tc.name+".pdf", tc.pdf))
			out, err := cmd.CombinedOutput()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
