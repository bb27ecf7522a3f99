package extract

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"onewindow/internal/fields"
)

// Every field of the table has one finder and every finder a field: a new field is a row
// there and a finder here.
func TestEveryFieldHasAFinder(t *testing.T) {
	var table, found []string
	for _, f := range fields.Table {
		table = append(table, f.Name)
	}
	for _, f := range Finders {
		found = append(found, f.Field)
		if (f.Code == "") == (f.Find == nil) {
			t.Errorf("%s: a finder reads a code or finds in the text, one of the two", f.Field)
		}
	}
	if diff := cmp.Diff(table, found); diff != "" {
		t.Errorf("finders (-table +finders):\n%s", diff)
	}
}

// A document's values hold every code field, empty or not, and the text fields that found
// something.
func TestValues(t *testing.T) {
	r := Fields("身份证号码：220103198909195957 电话 13912345678")
	got := r.Values()
	want := map[string][]string{fields.IDNumbers: {"220103198909195957"}, fields.USCC: {}, fields.Phones: {"13912345678"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}
