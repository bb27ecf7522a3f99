package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onewindow/archive"
)

// writeCLIBag writes a bag of payload files (by path under data/) into dir, with a SHA-256
// manifest.
func writeCLIBag(t *testing.T, dir string, payload map[string]string) {
	t.Helper()
	var entries []archive.BagEntry
	write := func(name, body string) {
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for p, body := range payload {
		d, _ := archive.DigestOf(strings.NewReader(body))
		entries = append(entries, archive.BagEntry{Path: "data/" + p, D: d})
		write("data/"+p, body)
	}
	write("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
	write("manifest-sha256.txt", archive.BagManifest(entries, "sha256"))
}

// TestVerifyBagCommand: verify-bag takes a directory or a zip and tells the three outcomes
// apart by exit status, 0 intact, 3 not intact, 1 cannot be checked, with a sentence that
// counts the problems.
func TestVerifyBagCommand(t *testing.T) {
	root := t.TempDir()
	bag := func(name string, payload map[string]string, change func(dir string)) string {
		dir := filepath.Join(root, name)
		writeCLIBag(t, dir, payload)
		if change != nil {
			change(dir)
		}
		return dir
	}
	payload := map[string]string{"d-001/document.pdf": "%PDF-1.7", "d-001/text.txt": "申请人"}
	intact := bag("intact", payload, nil)
	zipped := filepath.Join(root, "intact.zip")
	var buf bytes.Buffer
	if err := archive.ZipBagDir(&buf, intact); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipped, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	notAZip := filepath.Join(root, "notes.txt")
	os.WriteFile(notAZip, []byte("not a bag"), 0o644)
	tests := []struct {
		name string
		arg  string
		code int
		msg  string // how the error starts after the argument; "" for none
	}{
		{"a directory bag", intact, 0, ""},
		{"a zipped bag", zipped, 0, ""},
		{"one problem", bag("one", payload, func(dir string) {
			os.WriteFile(filepath.Join(dir, "data", "d-001", "text.txt"), []byte("changed"), 0o644)
		}), 3, " is not intact: 1 problem, data/d-001/text.txt: sha256 checksum differs"},
		{"two problems", bag("two", payload, func(dir string) {
			os.Remove(filepath.Join(dir, "data", "d-001", "text.txt"))
			os.WriteFile(filepath.Join(dir, "data", "extra.txt"), []byte("unlisted"), 0o644)
		}), 3, " is not intact: 2 problems, the first data/d-001/text.txt: listed in manifest-sha256.txt but missing"},
		{"no bagit.txt", bag("nobagit", payload, func(dir string) { os.Remove(filepath.Join(dir, "bagit.txt")) }), 3,
			" is not intact: 1 problem, bagit.txt: missing"},
		{"not a bag", notAZip, 1, " cannot be checked: The file is not a readable zip."},
		{"an empty directory", t.TempDir(), 1, " cannot be checked: The directory holds neither bagit.txt nor a manifest."},
		{"no such file", filepath.Join(root, "none.zip"), 1, " cannot be checked: It cannot be read"},
	}
	for _, tt := range tests {
		code, _, _ := capture(t, "", func() int { return mainCode([]string{"verify-bag", tt.arg}) })
		if code != tt.code {
			t.Errorf("%s: exit status %d, want %d", tt.name, code, tt.code)
		}
		var err error
		capture(t, "", func() int { err = runVerifyBag(context.Background(), []string{tt.arg}); return 0 })
		switch {
		case tt.msg == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.msg != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.arg+tt.msg)):
			t.Errorf("%s: error %v, want it to start %q", tt.name, err, tt.arg+tt.msg)
		}
	}
}
