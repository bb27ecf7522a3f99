package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// Every setting is read by the code it configures: --max-retry and --task-timeout were once
// parsed and documented while no task carried them. A field of Config with a flag that no
// code outside this package reads (as cfg.X or Config.X) fails here; the tests beside each
// package show what the setting does.
func TestEverySettingIsRead(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	use := regexp.MustCompile(`\b(?:cfg|Config)\.([A-Z]\w*)\b`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || path == filepath.Join(root, "internal", "config")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range use.FindAllStringSubmatch(string(src), -1) {
			read[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(Config{})
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if name := f.Tag.Get("flag"); name != "" && !read[f.Name] {
			t.Errorf("--%s (Config.%s) is parsed and documented but nothing reads it", name, f.Name)
		}
	}
}
