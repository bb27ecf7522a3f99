package bagit

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// bagit-python (the Library of Congress's bagit.py) is the tool most departments check bags
// with, so it is the second opinion on every bag onewindow writes and on the bags the tests
// make.

// Python is bagit-python's command: `bagit` as Debian's python3-bagit installs it, or
// `bagit.py` as pip does. Without it the test is skipped, but not in CI wherever the system's
// package index offers python3-bagit: there setup installs it, so its absence is a broken
// install step and fails the test.
func Python(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"bagit", "bagit.py"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" && exec.Command("apt-cache", "show", "python3-bagit").Run() == nil {
		t.Fatal("bagit-python is missing although python3-bagit is packaged here: scripts/setup.sh installs it")
	}
	t.Skip("bagit-python (python3-bagit) is not installed: the bags go without its second opinion")
	return ""
}

// PythonValidate runs bagit-python's full validation of the bag in dir: every checksum of
// every manifest, completeness and Payload-Oxum.
func PythonValidate(t testing.TB, tool, dir string) (ok bool, output string) {
	t.Helper()
	out, err := exec.Command(tool, "--validate", dir).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s --validate: %v", tool, err)
	}
	return err == nil, string(out)
}

// PythonMake turns dir into a bag in place with bagit-python, with its flags (none: its
// defaults, SHA-256 and SHA-512).
func PythonMake(t testing.TB, tool, dir string, flags ...string) {
	t.Helper()
	args := append(append([]string{"--quiet"}, flags...), dir)
	if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
}

// Unzip writes a zipped bag into a new directory and returns the bag's own directory: the
// base directory when the zip has a single one, else the directory unzipped into.
func Unzip(t testing.TB, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tops := map[string]bool{}
	for _, f := range zr.File {
		name := path.Clean(f.Name)
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			t.Fatalf("zip entry %q leads outside", f.Name)
		}
		top, _, nested := strings.Cut(name, "/")
		tops[top] = tops[top] || nested || f.FileInfo().IsDir()
		if f.FileInfo().IsDir() {
			continue
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(tops) == 1 {
		for top, isDir := range tops {
			if isDir {
				return filepath.Join(dir, top)
			}
		}
	}
	return dir
}
