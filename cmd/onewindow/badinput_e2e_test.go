package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onewindow/internal/testfixtures"
)

// hugePNG declares 100,000 x 100,000 pixels in a few dozen bytes: a decompression bomb.
func hugePNG() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit gray
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// zeroPagePDF is a well-formed PDF whose page tree is empty.
func zeroPagePDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func encryptedPDF(t *testing.T, plain []byte) []byte {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	_ = os.WriteFile(in, plain, 0o600)
	if b, err := exec.Command("qpdf", "--encrypt", "user", "owner", "256", "--", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, b)
	}
	data, _ := os.ReadFile(out)
	return data
}

func TestBadInputGetsClearErrors(t *testing.T) {
	d := startDaemon(t, t.TempDir(), "ONEWINDOW_MAX_UPLOAD_BYTES=20000000")
	good := testfixtures.ScanPDF(t, testfixtures.TextPage(t, "申请表"), testfixtures.TextPage(t, "第二页"))
	tests := []struct {
		name   string
		token  string
		files  []file
		status int
		code   string
	}{
		{"no token", "", []file{{"a.pdf", good}}, 401, "missing_token"},
		{"wrong token", "not-the-token", []file{{"a.pdf", good}}, 401, "invalid_token"},
		{"no file part", testToken, nil, 400, "no_file"},
		{"empty upload", testToken, []file{{"empty.pdf", nil}}, 400, "empty_file"},
		{"zip renamed .pdf", testToken, []file{{"scan.pdf", []byte("PK\x03\x04 this is a zip archive, not a scan")}}, 415, "unsupported_media_type"},
		{"truncated pdf", testToken, []file{{"cut.pdf", good[:len(good)/2]}}, 400, "corrupt_file"},
		{"encrypted pdf", testToken, []file{{"locked.pdf", encryptedPDF(t, good)}}, 400, "encrypted_pdf"},
		{"pdf without pages", testToken, []file{{"none.pdf", zeroPagePDF()}}, 400, "no_pages"},
		{"100000 x 100000 png", testToken, []file{{"bomb.png", hugePNG()}}, 413, "image_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := d.upload(tt.token, nil, nil, tt.files...)
			if code != tt.status || errorCode(body) != tt.code {
				t.Fatalf("got %d %v, want %d %s", code, body, tt.status, tt.code)
			}
			msg, _ := body["error"].(map[string]any)["message"].(string)
			if len(msg) < 10 {
				t.Errorf("message %q is not a sentence", msg)
			}
		})
	}
	t.Run("upload over the limit", func(t *testing.T) {
		req, _ := http.NewRequest("POST", d.base+"/api/v1/batches", io.LimitReader(zeros{}, 30_000_000))
		req.ContentLength = 30_000_000
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Authorization", "Bearer "+testToken)
		code, body := d.do(req)
		if code != 413 || errorCode(body) != "too_large" {
			t.Fatalf("got %d %v", code, body)
		}
	})
	t.Run("scanner may not reindex", func(t *testing.T) {
		req, _ := http.NewRequest("GET", d.base+"/api/v1/batches/nope", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		code, body := d.do(req)
		if code != 404 || errorCode(body) != "batch_not_found" {
			t.Fatalf("got %d %v", code, body)
		}
	})

	// Refused uploads changed nothing but are kept: their bytes and a record of the refusal.
	mc := daemonMinio(t, d)
	ctx := context.Background()
	rejected := 0
	for o := range mc.ListObjects(ctx, "onewindow-inbox", minio.ListObjectsOptions{Prefix: "rejected/", Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		rejected++
	}
	if want := 6; rejected != want { // every refused upload that carried a file
		t.Errorf("%d rejection records, want %d", rejected, want)
	}
	for o := range mc.ListObjects(ctx, "onewindow-inbox", minio.ListObjectsOptions{Prefix: "batches/", Recursive: true}) {
		t.Errorf("a refused upload left a batch behind: %s", o.Key)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// daemonMinio connects to the MinIO a dev daemon started, found from its log and data dir.
func daemonMinio(t *testing.T, d *daemon) *minio.Client {
	t.Helper()
	m := regexp.MustCompile(`started minio" endpoint=(\S+)`).FindStringSubmatch(d.log.String())
	if m == nil {
		t.Fatal("no minio endpoint in the daemon log")
	}
	creds, err := os.ReadFile(filepath.Join(d.dir, "minio.credentials"))
	if err != nil {
		t.Fatal(err)
	}
	user, secret, _ := strings.Cut(strings.TrimSpace(string(creds)), ":")
	c, err := minio.New(m[1], &minio.Options{Creds: credentials.NewStaticV4(user, secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
