package pages

import "strings"

// What the archive should know of how a PDF was read, besides its pages: an owner password's
// restrictions (many government and bank PDFs carry one: they open without a password but ask
// readers not to print, copy or change them; such a file is accepted, its pages are what is
// filed) and damage that was repaired to read it.

// NoteRepaired is the note on a damaged PDF that was read by repairing it.
const NoteRepaired = "damaged file, read after repair: compare the filed pages with the paper"

// Notes says what the archive should know of how src was read, e.g. "owner-password
// protected, printing and copying restricted"; nil when there is nothing to say.
func Notes(src Source) []string {
	s, ok := src.(*pdfSource)
	if !ok {
		return nil
	}
	var notes []string
	if s.restrictions != "" {
		notes = append(notes, s.restrictions)
	}
	if s.repaired {
		notes = append(notes, NoteRepaired)
	}
	return notes
}

// permission bits of the standard security handler (ISO 32000-1, table 22), with what a
// clerk calls them.
var permissionNames = []struct {
	bit  int
	name string
}{
	{1 << 2, "printing"},
	{1 << 4, "copying"},
	{1 << 3, "changing"},
	{1 << 5, "adding notes"},
}

// restrictionsOfFlags describes the permission flags P of an encrypted file.
func restrictionsOfFlags(p int) string {
	var denied []string
	for _, pn := range permissionNames {
		if p&pn.bit == 0 {
			denied = append(denied, pn.name)
		}
	}
	return describeRestrictions(denied)
}

// restrictionsOfPdfinfo describes pdfinfo's "yes (print:no copy:yes change:no addNotes:no
// algorithm:AES-256)".
func restrictionsOfPdfinfo(encrypted string) string {
	if encrypted == "" {
		return ""
	}
	names := map[string]string{"print": "printing", "copy": "copying", "change": "changing", "addNotes": "adding notes"}
	var denied []string
	for _, f := range strings.Fields(strings.Trim(strings.TrimPrefix(encrypted, "yes"), " ()")) {
		k, v, _ := strings.Cut(f, ":")
		if name, ok := names[k]; ok && v == "no" {
			denied = append(denied, name)
		}
	}
	return describeRestrictions(denied)
}

func describeRestrictions(denied []string) string {
	const protected = "owner-password protected"
	switch len(denied) {
	case 0:
		return protected + ", nothing restricted"
	case 1:
		return protected + ", " + denied[0] + " restricted"
	}
	return protected + ", " + strings.Join(denied[:len(denied)-1], ", ") + " and " + denied[len(denied)-1] + " restricted"
}
