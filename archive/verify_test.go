package archive

import "testing"

func TestVerifyURL(t *testing.T) {
	const text = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
	rec := &Record{Files: []File{{Role: "pdf", Digests: Digests{SHA256: "ff"}}, {Role: "text", Digests: Digests{SHA256: text}}}}
	tests := []struct{ base, id, digest, want string }{
		{"https://zw.example.gov.cn/", "0193-001", text, "https://zw.example.gov.cn/verify/0193-001?d=0123456789abcdef"},
		{"http://127.0.0.1:8080", "a b", text, "http://127.0.0.1:8080/verify/a%20b?d=0123456789abcdef"},
		{"https://h/hall", "x", "", "https://h/hall/verify/x"},
	}
	for _, tt := range tests {
		if got := VerifyURL(tt.base, tt.id, tt.digest); got != tt.want {
			t.Errorf("VerifyURL(%q, %q) = %q, want %q", tt.base, tt.id, got, tt.want)
		}
	}
	if got := VerifyDigest(rec); got != "0123456789abcdef" {
		t.Errorf("VerifyDigest = %q", got)
	}
	if got := VerifyDigest(&Record{}); got != "" {
		t.Errorf("VerifyDigest of a record without text = %q", got)
	}
}
