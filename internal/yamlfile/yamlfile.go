// Package yamlfile reads the YAML files a hall edits (taxonomy, matter catalogue, calendar,
// departments) strictly, and says on which line a value is wrong, so that every loader
// refuses a bad file the same way: line and reason.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrEmpty is returned for a file with no document.
var ErrEmpty = errors.New("empty file")

// Decode decodes data into v, refusing unknown fields, and returns the document's root node,
// with which a loader names the line of a value that fails its own checks (LineOf).
func Decode(data []byte, v any) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if len(root.Content) == 0 {
		return nil, ErrEmpty
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return nil, err
	}
	return root.Content[0], nil
}

var (
	lineRe     = regexp.MustCompile(`line (\d+):?\s*(.*)`)
	notFoundRe = regexp.MustCompile(`not found in type \S+`)
)

// Where splits an error of Decode into its line (0 when unknown) and a reason a hall's
// administrator understands.
func Where(err error) (line int, reason string) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = notFoundRe.ReplaceAllString(msg, "is not a known setting")
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, msg
}

// LineOf finds the line of the node at path (mapping keys and sequence indexes), falling back
// to the deepest node found. A path ending in a key gives the key's line, where a reader
// looks for "types:" rather than its first item.
func LineOf(n *yaml.Node, path ...any) int {
	line := n.Line
	for _, p := range path {
		var next *yaml.Node
		switch key := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == key {
						next = n.Content[i+1]
						line = n.Content[i].Line
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && key < len(n.Content) {
				next = n.Content[key]
				line = next.Line
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

// Error says where a hall-edited file is wrong, the same way for every loader: the file's
// name as its administrator knows it, the 1-based line (0 when unknown) and the reason. It
// unwraps to the loader's own sentinel (Kind), so callers test for their file with errors.Is,
// and to the decoding error it came from (ErrEmpty for an empty file).
type Error struct {
	File   string // e.g. "catalogue", "taxonomy", "departments file"
	Line   int
	Reason string
	Kind   error
	cause  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Reason)
	}
	return e.File + ": " + e.Reason
}

func (e *Error) Unwrap() []error { return []error{e.Kind, e.cause} }

// File is one kind of hall-edited file as its loader refuses it: the name its administrator
// knows it by and the loader's sentinel. Each loader declares its File once and refuses
// through it.
type File struct {
	Name string
	Kind error
}

// Refuse is f's Error at line (0 when unknown) for reason.
func (f File) Refuse(line int, reason string) *Error {
	return &Error{File: f.Name, Line: line, Reason: reason, Kind: f.Kind}
}

// Decode is Decode with its error as f's *Error (an empty file's wraps ErrEmpty).
func (f File) Decode(data []byte, v any) (*yaml.Node, error) {
	root, err := Decode(data, v)
	if err != nil {
		line, reason := Where(err)
		e := f.Refuse(line, reason)
		e.cause = err
		return nil, e
	}
	return root, nil
}
