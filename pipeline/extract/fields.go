package extract

import "onewindow/internal/fields"

// Finder is a field's finder: the fields table (internal/fields) names the field, this says
// where its values come from. Codes (ID numbers, credit codes) are read by Fields with their
// check characters, repairs and confirmation; other fields are found in the text with the
// codes blanked out, so a code's digits are never read as a phone number.
type Finder struct {
	Field string
	// Code is the kind of code (KindID, KindUSCC) whose certain values the field holds.
	Code string
	// Find returns a text field's values in order of first appearance, without duplicates.
	Find func(text string) []string
	// Valid checks a value a reviewer types in; nil: the field is not corrected by hand.
	Valid func(string) bool
}

// Finders has one row per field of fields.Table.
var Finders = []Finder{
	{Field: fields.IDNumbers, Code: KindID, Valid: ValidIDNumber},
	{Field: fields.USCC, Code: KindUSCC, Valid: ValidUSCC},
	{Field: fields.Phones, Find: findPhones},
	{Field: fields.Dates, Find: findDates},
}

// Values are the document's fields by name: every code field (empty lists included, as the
// API shows them), and each text field that found something.
func (r *Result) Values() map[string][]string {
	out := map[string][]string{}
	for _, f := range Finders {
		switch {
		case f.Code != "":
			out[f.Field] = r.Codes(f.Code)
		case len(r.Found[f.Field]) > 0:
			out[f.Field] = r.Found[f.Field]
		}
	}
	return out
}

// Codes are the certain values of the codes of kind.
func (r *Result) Codes(kind string) []string {
	if kind == KindID {
		return r.IDNumbers
	}
	return r.USCC
}

// CodeField is the field of the table that holds codes of kind.
func CodeField(kind string) string {
	for _, f := range Finders {
		if f.Code == kind {
			return f.Field
		}
	}
	return ""
}

// find runs the text fields' finders over text.
func find(text string) map[string][]string {
	found := map[string][]string{}
	for _, f := range Finders {
		if f.Find != nil {
			if vs := f.Find(text); len(vs) > 0 {
				found[f.Field] = vs
			}
		}
	}
	return found
}
