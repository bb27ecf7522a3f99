package delivery

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"onewindow/internal/errs"
)

func TestReadResult(t *testing.T) {
	pdf, err := os.ReadFile("../pipeline/pages/testdata/scan3.pdf")
	if err != nil {
		t.Fatal(err)
	}
	encrypted, err := os.ReadFile("../pipeline/pages/testdata/encrypted-user.pdf")
	if err != nil {
		t.Fatal(err)
	}
	png := []byte("\x89PNG\r\n\x1a\n0000") // the type is told from the first bytes
	type part struct {
		name, file string
		data       []byte
	}
	tests := []struct {
		name  string
		parts []part
		ctype string
		max   int64
		code  string // "" = accepted
	}{
		{"a result", []part{{"file", "licence.pdf", pdf}, {"kind", "", []byte("licence")}, {"note", "", []byte(" approved ")}}, "", 0, ""},
		{"unknown parts are ignored", []part{{"extra", "", []byte("x")}, {"file", "r.pdf", pdf}}, "", 0, ""},
		{"no file", []part{{"kind", "", []byte("decision")}}, "", 0, "missing_file"},
		{"two files", []part{{"file", "a.pdf", pdf}, {"file", "b.pdf", pdf}}, "", 0, "one_file_only"},
		{"too large", []part{{"file", "r.pdf", pdf}}, "", int64(len(pdf) - 1), "too_large"},
		{"encrypted", []part{{"file", "r.pdf", encrypted}}, "", 0, "encrypted_pdf"},
		{"an image", []part{{"file", "r.pdf", png}}, "", 0, "not_a_pdf"},
		{"not a document", []part{{"file", "r.pdf", []byte("PK\x03\x04 zip")}}, "", 0, "unsupported_media_type"},
		{"truncated", []part{{"file", "r.pdf", pdf[:len(pdf)/3]}}, "", 0, "corrupt_file"},
		{"empty", []part{{"file", "r.pdf", nil}}, "", 0, "empty_file"},
		{"bad kind", []part{{"file", "r.pdf", pdf}, {"kind", "", []byte("verdict")}}, "", 0, "bad_result_kind"},
		{"long note", []part{{"file", "r.pdf", pdf}, {"note", "", bytes.Repeat([]byte("x"), 2001)}}, "", 0, "bad_field"},
		{"not multipart", nil, "application/pdf", 0, "unsupported_media_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for _, p := range tt.parts {
				var w io.Writer
				if p.name == "file" {
					w, _ = mw.CreateFormFile(p.name, p.file)
				} else {
					w, _ = mw.CreateFormField(p.name)
				}
				w.Write(p.data)
			}
			mw.Close()
			req := httptest.NewRequest(http.MethodPost, "/api/v1/cases/C1/results", &body)
			ct := mw.FormDataContentType()
			if tt.ctype != "" {
				ct = tt.ctype
			}
			req.Header.Set("Content-Type", ct)
			up, err := ReadResult(context.Background(), req, tt.max)
			if tt.code != "" {
				if errs.CodeOf(err) != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if up.Pages < 1 || up.Digest.Size != int64(len(pdf)) || len(up.Digest.SHA256) != 64 || up.FileName == "" {
				t.Fatalf("upload %+v", up)
			}
			if tt.name == "a result" && (up.Kind != "licence" || up.Note != "approved") {
				t.Fatalf("kind %q note %q", up.Kind, up.Note)
			}
			if !strings.HasPrefix(string(up.Data), "%PDF") {
				t.Fatal("data is not the PDF")
			}
		})
	}
}
