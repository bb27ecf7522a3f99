// Package fields is the table of the key fields extracted from documents: their names in
// records, the index and the API's JSON, whether they are personal (masked for roles that may
// not see them in full), whether search finds documents by them, and what pages call them.
// It is pure data so that every layer may ask it; pipeline/extract holds each field's finder.
// A new field is a row here and its finder there.
package fields

// Names of the fields that code asks for by name (the ID numbers a redaction blacks out, the
// codes a case check compares).
const (
	IDNumbers = "id_numbers"
	USCC      = "uscc"
	Phones    = "phones"
	Dates     = "dates"
)

// Mask says how a personal field's values are masked for roles without the right to see them.
type Mask int

const (
	Public   Mask = iota // not personal: shown as read
	IDNumber             // region and last four kept: 220102********2247
	Phone                // first three and last four digits kept: 138****5678
)

// Field is one row of the table.
type Field struct {
	Name string
	Mask Mask
	// Searchable fields are indexed as keywords: search finds documents by a value or its
	// beginning.
	Searchable bool
	// Candidates names the field that holds values no reading settled and nothing confirmed
	// (never filed as the field's values); "" when the field has none.
	Candidates string
	// Label and LabelEN are what pages call the field, in Chinese and in English.
	Label, LabelEN string
}

// Table lists the fields in the order records and pages show them.
var Table = []Field{
	{Name: IDNumbers, Mask: IDNumber, Searchable: true, Candidates: IDNumbers + uncertain, Label: "身份证号", LabelEN: "ID numbers"},
	{Name: USCC, Searchable: true, Candidates: USCC + uncertain, Label: "统一社会信用代码", LabelEN: "Credit codes"},
	{Name: Phones, Mask: Phone, Label: "电话", LabelEN: "Phones"},
	{Name: Dates, Label: "日期", LabelEN: "Dates"},
}

const uncertain = "_uncertain"

// Lookup finds a field of the table, or the candidates' field of one (masked like it, and
// labelled as values to check).
func Lookup(name string) (Field, bool) {
	for _, f := range Table {
		switch name {
		case f.Name:
			return f, true
		case f.Candidates:
			if f.Candidates == "" {
				continue
			}
			return Field{Name: f.Candidates, Mask: f.Mask, Label: f.Label + "（待核对）", LabelEN: f.LabelEN + " to check"}, true
		}
	}
	return Field{}, false
}

// Searchable lists the names of the fields search finds documents by.
func Searchable() []string {
	var out []string
	for _, f := range Table {
		if f.Searchable {
			out = append(out, f.Name)
		}
	}
	return out
}
