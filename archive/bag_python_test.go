package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onewindow/internal/testfixtures/bagit"
)

// TestVerifyBagReadsBagitPythonBags: bags bagit-python makes, with its defaults and with each
// algorithm it offers, verify as a directory and zipped; a changed file is found by both.
func TestVerifyBagReadsBagitPythonBags(t *testing.T) {
	tool := bagit.Python(t)
	for _, flags := range [][]string{nil, {"--md5"}, {"--sha1"}, {"--sha512"}, {"--md5", "--sha1", "--sha256", "--sha512"}} {
		name := "defaults"
		if flags != nil {
			name = strings.Join(flags, " ")
		}
		dir := testBag{
			"d-001/document.pdf": []byte("%PDF-1.7 test"),
			"d-001/申请书 (1).txt":  []byte("申请人 张三\n"),
			"100% done.txt":      []byte("a percent sign in a name"),
		}.dir(t)
		bagit.PythonMake(t, tool, dir, flags...)
		rep, err := VerifyBagDir(dir)
		if err != nil || !rep.OK() || rep.Files != 3 {
			t.Errorf("%s, directory: %v %+v", name, err, rep)
		}
		z := zipDir(t, dir, "bag")
		if rep, err := VerifyBag(bytes.NewReader(z), int64(len(z))); err != nil || !rep.OK() {
			t.Errorf("%s, zipped: %v %+v", name, err, rep)
		}
		if err := os.WriteFile(filepath.Join(dir, "data", "d-001", "document.pdf"), []byte("%PDF-1.7 tesT"), 0o644); err != nil {
			t.Fatal(err)
		}
		if rep, err := VerifyBagDir(dir); err != nil || rep.OK() {
			t.Errorf("%s, changed: %v %+v; want not intact", name, err, rep)
		}
		if ok, out := bagit.PythonValidate(t, tool, dir); ok {
			t.Errorf("%s, changed: bagit-python finds it valid:\n%s", name, out)
		}
	}
}

// TestBagitPythonAgreesOnTestBags: the test bags in the algorithms bagit-python knows are
// valid to it too, so the table tests do not grade the reader with bags only it accepts.
func TestBagitPythonAgreesOnTestBags(t *testing.T) {
	tool := bagit.Python(t)
	for name, o := range map[string]testBagOptions{
		"sha256 and sha512": {algs: []string{"sha256", "sha512"}, plainNames: true},
		"md5 and sha1":      {algs: []string{"md5", "sha1"}, plainNames: true},
		"./ before paths":   {algs: []string{"sha256"}, prefix: "./", plainNames: true},
		"UTF-16 tag files":  {algs: []string{"sha256"}, enc: utf16BOM(), encName: "UTF-16", plainNames: true},
	} {
		dir := makeTestBag(t, o).dir(t)
		if ok, out := bagit.PythonValidate(t, tool, dir); !ok {
			t.Errorf("%s: bagit-python finds it invalid:\n%s", name, out)
		}
	}
}

// zipDir zips a directory's files under base.
func zipDir(t *testing.T, dir, base string) []byte {
	t.Helper()
	b := testBag{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.zip(t, base)
}
