package cases

import (
	"errors"

	"onewindow/internal/yamlfile"

	"go.yaml.in/yaml/v3"
)

// ErrInvalidFile is wrapped by every error a loader of this package returns for a file it
// refuses (catalogue, calendar).
var ErrInvalidFile = errors.New("invalid file")

// LoadError says where a hall-edited file (catalogue, calendar) is wrong (yamlfile.Error).
type LoadError = yamlfile.Error

// refuse is the LoadError of this package's files.
func refuse(file string, line int, reason string) *LoadError {
	return &LoadError{File: file, Line: line, Reason: reason, Kind: ErrInvalidFile}
}

// decodeStrict decodes data into v refusing unknown fields and returns the document's root
// node, used afterwards to name the line of a value that fails validation.
func decodeStrict(file string, data []byte, v any) (*yaml.Node, error) {
	root, err := yamlfile.Decode(data, v)
	if err != nil {
		return nil, yamlfile.Refuse(file, ErrInvalidFile, err)
	}
	return root, nil
}

// lineOf is yamlfile.LineOf.
var lineOf = yamlfile.LineOf
