package auth

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"onewindow/internal/errs"
)

func TestMaskIDs(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"alone", "220102199003072247", "220102********2247"},
		{"in Chinese text", "身份证号220102199003072247。", "身份证号220102********2247。"},
		{"check character X", "11010519491231002X", "110105********002X"},
		{"inside a longer run of digits", "12220102199003072247", "12220102199003072247"},
		{"followed by a digit", "2201021990030722471", "2201021990030722471"},
		{"impossible month", "220102199013072247", "220102199013072247"},
		{"impossible day", "220102199001322247", "220102199001322247"},
		{"two numbers", "a 220102199003072247 b 110105194912310021", "a 220102********2247 b 110105********0021"},
		{"nothing", "统一社会信用代码 91220101MA17X0000X", "统一社会信用代码 91220101MA17X0000X"},
	}
	for _, tt := range tests {
		if got := MaskIDs(tt.in); got != tt.want {
			t.Errorf("%s: MaskIDs(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	if got := MaskIDs("号码 2201O2199003072247", "2201O2199003072247"); got != "号码 2201O2********2247" {
		t.Errorf("a known odd-shaped number is masked too: %q", got)
	}
}

func TestMaskPersonal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"电话13812345678", "电话138****5678"},
		{"电话 138-1234-5678", "电话 138-1234-5678"}, // not a contiguous mobile; MaskPhone handles typed ones
		{"220102199003072247 13812345678", "220102********2247 138****5678"},
		{"order 913812345678901", "order 913812345678901"},
	}
	for _, tt := range tests {
		if got := MaskPersonal(tt.in); got != tt.want {
			t.Errorf("MaskPersonal(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := MaskPhone("138-1234-5678"); got != "138-****-5678" {
		t.Errorf("MaskPhone = %q", got)
	}
}

func TestWhoSeesFullIDs(t *testing.T) {
	full := map[string]bool{RoleAdmin: true, RoleArchivist: true, RoleScanner: true, RoleReviewer: true,
		RoleWindow: true, RoleCourier: true, RoleDepartment: true, RoleViewer: false, RoleOperator: false, "": false}
	for role, want := range full {
		if got := (Principal{Role: role}).SeesFullIDs(); got != want {
			t.Errorf("role %q sees full IDs: %v, want %v", role, got, want)
		}
	}
}

func TestTokensAndPasswords(t *testing.T) {
	pw, err := HashPassword("s3cret-pw")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokens.json")
	data := `[{"name": "station-3", "role": "scanner", "sha256": "` + HashToken("scan-secret") + `", "station": "room-3"},
	          {"name": "zhang", "role": "window", "password_bcrypt": "` + pw + `"},
	          {"name": "tax", "role": "department", "department": "tax", "sha256": "` + HashToken("dept-secret") + `"}]`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := LoadTokens(path, "admin-secret")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		header string
		want   Principal
		code   string
	}{
		{"Bearer scan-secret", Principal{Name: "station-3", Role: RoleScanner, Station: "room-3"}, ""},
		{"Bearer dept-secret", Principal{Name: "tax", Role: RoleDepartment, Department: "tax"}, ""},
		{"Bearer admin-secret", Principal{Name: "admin", Role: RoleAdmin}, ""},
		{"Bearer nope", Principal{}, "invalid_token"},
		{"", Principal{}, "missing_token"},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/api/v1/batches/x", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		p, err := tok.Authenticate(r)
		if p != tt.want || (err != nil) != (tt.code != "") || (err != nil && errs.CodeOf(err) != tt.code) {
			t.Errorf("%q: got %+v, %v", tt.header, p, err)
		}
	}
	if p, err := tok.Password("zhang", "s3cret-pw"); err != nil || p.Role != RoleWindow {
		t.Errorf("password sign-in: %+v, %v", p, err)
	}
	for _, c := range [][2]string{{"zhang", "wrong"}, {"nobody", "s3cret-pw"}} {
		if _, err := tok.Password(c[0], c[1]); errs.CodeOf(err) != "bad_credentials" {
			t.Errorf("%v: %v", c, err)
		}
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r = r.WithContext(WithPrincipal(context.Background(), Principal{Name: "web", Role: RoleArchivist}))
	if p, err := tok.Authenticate(r); err != nil || p.Name != "web" {
		t.Errorf("principal from context: %+v, %v", p, err)
	}
}

func TestBadTokensFileIsRefused(t *testing.T) {
	for name, data := range map[string]string{
		"not json":         `{`,
		"bad hash":         `[{"name": "x", "role": "scanner", "sha256": "abc"}]`,
		"unknown role":     `[{"name": "x", "role": "janitor", "sha256": "` + HashToken("t") + `"}]`,
		"no secret":        `[{"name": "x", "role": "scanner"}]`,
		"department alone": `[{"name": "x", "role": "department", "sha256": "` + HashToken("t") + `"}]`,
	} {
		path := filepath.Join(t.TempDir(), "tokens.json")
		_ = os.WriteFile(path, []byte(data), 0o600)
		if _, err := LoadTokens(path, ""); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
