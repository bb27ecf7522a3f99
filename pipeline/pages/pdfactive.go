package pages

import (
	"regexp"
	"slices"
)

// activeName is a PDF name that only active content uses, as scanActive knows them.
var activeName = regexp.MustCompile(`/(JavaScript|JS|Launch|SubmitForm|ImportData|EmbeddedFiles?|EF)\b`)

var activeKinds = map[string]string{
	"JavaScript": ActiveJavaScript, "JS": ActiveJavaScript, "Launch": ActiveLaunch,
	"SubmitForm": ActiveFormAction, "ImportData": ActiveFormAction,
	"EmbeddedFiles": ActiveEmbeddedFile, "EmbeddedFile": ActiveEmbeddedFile, "EF": ActiveEmbeddedFile,
}

// activeContentInBytes finds active content in a PDF that pdfcpu cannot read (Open read it
// by poppler's repair) from the names in its bytes: it errs towards flagging, and misses only
// what sits in compressed object streams.
func activeContentInBytes(data []byte) []string {
	var found []string
	for _, m := range activeName.FindAllSubmatch(data, -1) {
		if k := activeKinds[string(m[1])]; !slices.Contains(found, k) {
			found = append(found, k)
		}
	}
	slices.Sort(found)
	return found
}
