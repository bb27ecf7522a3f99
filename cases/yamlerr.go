package cases

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrInvalidFile is wrapped by every error a loader of this package returns for a file it
// refuses (catalogue, calendar).
var ErrInvalidFile = errors.New("invalid file")

// LoadError says where a hall-edited file is wrong. Line is 1-based, 0 when unknown.
type LoadError struct {
	File   string // "catalogue" or "calendar"
	Line   int
	Reason string
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Reason)
	}
	return e.File + ": " + e.Reason
}

func (e *LoadError) Unwrap() error { return ErrInvalidFile }

// decodeStrict decodes data into v refusing unknown fields and returns the document's root
// node, used afterwards to name the line of a value that fails validation.
func decodeStrict(file string, data []byte, v any) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err)
	}
	if len(root.Content) == 0 {
		return nil, &LoadError{File: file, Reason: "empty file"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return nil, yamlError(file, err)
	}
	return root.Content[0], nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+):?\s*(.*)`)

// yamlError turns a yaml.v3 error, whose text carries the line, into a *LoadError.
func yamlError(file string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &LoadError{File: file, Line: line, Reason: m[2]}
	}
	return &LoadError{File: file, Reason: msg}
}

// lineOf finds the line of the node at path (mapping keys and sequence indexes), falling back
// to the deepest node found. A path ending in a key gives the key's line.
func lineOf(n *yaml.Node, path ...any) int {
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
