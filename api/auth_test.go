package api

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"onewindow/internal/errs"
)

func TestTokensFromFileAreHashedAndRoled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	data := `[{"name": "station-3", "role": "scanner", "sha256": "` + HashToken("scan-secret") + `"},
	          {"name": "archive", "role": "archivist", "sha256": "` + HashToken("arch-secret") + `"}]`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := LoadTokens(path, "admin-secret")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		header string
		role   string
		code   string
	}{
		{"Bearer scan-secret", RoleScanner, ""},
		{"Bearer arch-secret", RoleArchivist, ""},
		{"Bearer admin-secret", RoleAdmin, ""},
		{"Bearer nope", "", "invalid_token"},
		{"", "", "missing_token"},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/api/v1/batches/x", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		p, err := tok.Authenticate(r)
		if p.Role != tt.role || (err != nil) != (tt.code != "") || (err != nil && errs.CodeOf(err) != tt.code) {
			t.Errorf("%q: got %+v, %v", tt.header, p, err)
		}
	}
}

func TestBadTokensFileIsRefused(t *testing.T) {
	for name, data := range map[string]string{
		"not json":     `{`,
		"bad hash":     `[{"name": "x", "role": "scanner", "sha256": "abc"}]`,
		"unknown role": `[{"name": "x", "role": "janitor", "sha256": "` + HashToken("t") + `"}]`,
	} {
		path := filepath.Join(t.TempDir(), "tokens.json")
		_ = os.WriteFile(path, []byte(data), 0o600)
		if _, err := LoadTokens(path, ""); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRoles(t *testing.T) {
	if !allows(RoleAdmin, []string{RoleArchivist}) || allows(RoleScanner, []string{RoleArchivist}) || allows(RoleViewer, nil) {
		t.Fatal("role checks are wrong")
	}
}

func ExampleMaskID() {
	fmt.Println(MaskID("220103198909195957"))
	// Output: 220103********5957
}

func TestMaskID(t *testing.T) {
	if got := MaskID("220103198909195957"); got != "220103********5957" {
		t.Fatalf("MaskID = %s", got)
	}
}

// A viewer's text shows no ID number in full: neither those the extractor found (even where
// OCR misread a digit, so only the field knows it) nor anything else shaped like one.
func TestMaskText(t *testing.T) {
	text := "委托人：杨佳 身份证号码：220103198909195957\n受托人：王芳 身份证号码：22010219850312002X\n账号 6222021234567890123 电话 13800000000"
	got := MaskText(text, []string{"220103198909195957"})
	want := "委托人：杨佳 身份证号码：220103********5957\n受托人：王芳 身份证号码：220102********002X\n账号 6222021234567890123 电话 13800000000"
	if got != want {
		t.Errorf("MaskText:\n%s\nwant\n%s", got, want)
	}
}
