package cases

import (
	"errors"

	"onewindow/internal/yamlfile"
)

// ErrInvalidFile is wrapped by every error a loader of this package returns for a file it
// refuses (catalogue, calendar).
var ErrInvalidFile = errors.New("invalid file")

// The hall-edited files this package loads, as their refusals (*yamlfile.Error) name them.
var (
	catalogueFile = yamlfile.File{Name: "catalogue", Kind: ErrInvalidFile}
	calendarFile  = yamlfile.File{Name: "calendar", Kind: ErrInvalidFile}
)

// lineOf is yamlfile.LineOf.
var lineOf = yamlfile.LineOf
