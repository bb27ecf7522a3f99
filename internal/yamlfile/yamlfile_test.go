package yamlfile

import (
	"errors"
	"testing"
)

func TestDecodeNamesTheLine(t *testing.T) {
	type entry struct {
		Name string `yaml:"name"`
	}
	type file struct {
		Types []entry `yaml:"types"`
	}
	tests := []struct {
		name, data string
		line       int
		reason     string
	}{
		{"unknown field", "types:\n  - name: a\n    colour: red\n", 3, "field colour is not a known setting"},
		{"bad syntax", "types:\n  - name: a\n  -name: b: c\n", 1, "did not find expected '-' indicator"},
		{"wrong type", "types: 3\n", 1, ""},
	}
	for _, tt := range tests {
		var f file
		_, err := Decode([]byte(tt.data), &f)
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		line, reason := Where(err)
		if line != tt.line || (tt.reason != "" && reason != tt.reason) {
			t.Errorf("%s: line %d %q; want line %d %q", tt.name, line, reason, tt.line, tt.reason)
		}
	}
	var f file
	if _, err := Decode([]byte("# nothing\n"), &f); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty file: %v", err)
	}
	root, err := Decode([]byte("types:\n  - name: a\n  - name: b\n"), &f)
	if err != nil {
		t.Fatal(err)
	}
	if got := LineOf(root, "types", 1, "name"); got != 3 {
		t.Errorf("LineOf types[1].name = %d, want 3", got)
	}
	if got := LineOf(root, "types"); got != 1 {
		t.Errorf("LineOf types = %d, want the key's line 1", got)
	}
}

// A File's refusals name the file and line and unwrap to its sentinel, and an empty file's
// to ErrEmpty as well, so a loader that takes an empty file as "nothing" can tell.
func TestFileRefuses(t *testing.T) {
	errBad := errors.New("invalid things file")
	f := File{Name: "things file", Kind: errBad}
	type thing struct {
		Name string `yaml:"name"`
	}
	var v thing
	_, err := f.Decode([]byte("name: a\ncolour: red\n"), &v)
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || !errors.Is(err, errBad) || err.Error() != "things file line 2: field colour is not a known setting" {
		t.Errorf("unknown field: %v", err)
	}
	if _, err := f.Decode([]byte("# nothing\n"), &v); !errors.Is(err, ErrEmpty) || !errors.Is(err, errBad) {
		t.Errorf("empty file: %v", err)
	}
	if err := f.Refuse(0, "no things"); err.Error() != "things file: no things" || !errors.Is(err, errBad) {
		t.Errorf("Refuse: %v", err)
	}
}
