package pages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Active content a PDF can carry. Such files are still evidence, so intake keeps them, flags
// them, and no derivative carries it (pages are re-made from their images).
const (
	ActiveJavaScript   = "javascript"
	ActiveLaunch       = "launch_action"
	ActiveEmbeddedFile = "embedded_file"
	ActiveFormAction   = "form_action"
)

// ActiveContent lists the kinds of active content in a PDF, sorted, or nil.
func ActiveContent(ctx context.Context, data []byte) (found []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			found, err = nil, fmt.Errorf("%w: pdf: parser failure: %v", ErrCorrupt, r)
		}
	}()
	pc, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(data), pdfConfig(Limits{}.withDefaults()))
	if err != nil {
		err = pdfReadError(ctx, data, err)
		if errors.Is(err, ErrCorrupt) {
			return activeContentInBytes(data), nil
		}
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range pc.XRefTable.Table {
		if e == nil || e.Free {
			continue
		}
		scanActive(e.Object, seen, 0)
	}
	for k := range seen {
		found = append(found, k)
	}
	slices.Sort(found)
	return found, nil
}

// scanActive looks through one object's direct values (references are objects of their own
// in the table, so each is visited once).
func scanActive(o types.Object, seen map[string]bool, depth int) {
	if depth > 32 {
		return
	}
	switch v := o.(type) {
	case types.StreamDict:
		scanActive(v.Dict, seen, depth+1)
	case types.Dict:
		if s, ok := v["S"].(types.Name); ok {
			switch s {
			case "JavaScript":
				seen[ActiveJavaScript] = true
			case "Launch":
				seen[ActiveLaunch] = true
			case "SubmitForm", "ImportData":
				seen[ActiveFormAction] = true
			}
		}
		if _, ok := v["JS"]; ok {
			seen[ActiveJavaScript] = true
		}
		if _, ok := v["JavaScript"]; ok { // the names tree of document scripts
			seen[ActiveJavaScript] = true
		}
		if _, ok := v["EmbeddedFiles"]; ok {
			seen[ActiveEmbeddedFile] = true
		}
		if t, ok := v["Type"].(types.Name); ok && t == "EmbeddedFile" {
			seen[ActiveEmbeddedFile] = true
		}
		if _, ok := v["EF"]; ok {
			seen[ActiveEmbeddedFile] = true
		}
		for _, x := range v {
			scanActive(x, seen, depth+1)
		}
	case types.Array:
		for _, x := range v {
			scanActive(x, seen, depth+1)
		}
	}
}
