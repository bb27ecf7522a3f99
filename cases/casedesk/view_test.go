package casedesk

import (
	"testing"

	"onewindow/cases"
	"onewindow/internal/auth"
)

// The numbers an inconsistency names are masked for a role that sees IDs masked, and the
// stored case keeps them whole.
func TestCaseViewMasksInconsistencyValues(t *testing.T) {
	const typed, card = "220103198909195957", "11010519491231002X"
	c := &cases.Case{Check: cases.Check{Inconsistencies: []cases.Inconsistency{{Code: cases.IncApplicantID,
		Values: []cases.IncValue{{Source: cases.SourceWindow, Value: typed, IDNumber: true}, {Source: "id_card", Value: card + "、" + typed, IDNumber: true}}}}}}
	d := &Desk{}
	v := d.caseView(c, auth.Principal{Role: auth.RoleManager})
	got := v.Check.Inconsistencies[0].Values
	if got[0].Value != auth.MaskID(typed) || got[1].Value != auth.MaskID(card)+"、"+auth.MaskID(typed) {
		t.Errorf("masked values: %+v", got)
	}
	if c.Check.Inconsistencies[0].Values[0].Value != typed {
		t.Errorf("masking changed the stored case: %+v", c.Check.Inconsistencies[0].Values)
	}
	if full := d.caseView(c, auth.Principal{Role: auth.RoleWindow}); full.Check.Inconsistencies[0].Values[0].Value != typed {
		t.Errorf("the window sees %+v", full.Check.Inconsistencies[0].Values)
	}
}
