package cases

import (
	"errors"
	"fmt"
	"onewindow/internal/yamlfile"

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
	root, err := yamlfile.Decode(data, v)
	if err != nil {
		line, reason := yamlfile.Where(err)
		return nil, &LoadError{File: file, Line: line, Reason: reason}
	}
	return root, nil
}

// lineOf is yamlfile.LineOf.
var lineOf = yamlfile.LineOf
