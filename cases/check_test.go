package cases

import (
	"slices"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	estab := matter(t, "JL-SC-001") // 企业设立登记
	food := matter(t, "JL-SC-003")  // 食品经营许可
	person := Applicant{Kind: KindPerson, Name: "张三", IDNumber: idZhang}
	shop := Applicant{Kind: KindOrganisation, Name: "长春某商贸有限公司", USCC: usccShop}
	agent := &Party{Kind: KindPerson, Name: "李四", IDNumber: idLi}
	type item struct{ typ, status string }
	tests := []struct {
		name      string
		m         Matter
		docs      []DocumentFacts
		a         Applicant
		submitter *Party
		items     []item
		incs      []string
		proposed  string
	}{
		{
			name: "nothing yet", m: estab, a: person,
			items:    []item{{"application_form", "missing"}, {"id_card", "missing"}, {"articles_of_association", "deferrable_missing"}, {"property_certificate", "deferrable_missing"}},
			proposed: DecisionCorrection,
		},
		{
			name: "complete", m: estab, a: person,
			docs: []DocumentFacts{{ID: "1", Type: "application_form", IDNumbers: []string{idZhang}}, {ID: "2", Type: "id_card", IDNumbers: []string{idZhang}},
				{ID: "3", Type: "articles_of_association"}, {ID: "4", Type: "property_certificate"}},
			items:    []item{{"application_form", "present"}, {"id_card", "present"}, {"articles_of_association", "present"}, {"property_certificate", "present"}},
			proposed: DecisionAccept,
		},
		{
			name: "deferrable only", m: estab, a: person,
			docs:     []DocumentFacts{{ID: "1", Type: "application_form"}, {ID: "2", Type: "id_card"}, {ID: "3", Type: "articles_of_association"}},
			items:    []item{{"application_form", "present"}, {"id_card", "present"}, {"articles_of_association", "present"}, {"property_certificate", "deferrable_missing"}},
			proposed: DecisionAcceptDeferred,
		},
		{
			name: "superseded does not count, a later one does", m: estab, a: person,
			docs: []DocumentFacts{{ID: "1", Type: "application_form", Superseded: true}, {ID: "2", Type: "id_card"}, {ID: "3", Type: "articles_of_association"},
				{ID: "4", Type: "property_certificate"}, {ID: "5", Type: "application_form"}},
			items:    []item{{"application_form", "present"}, {"id_card", "present"}, {"articles_of_association", "present"}, {"property_certificate", "present"}},
			proposed: DecisionAccept,
		},
		{
			name: "form and card disagree", m: estab, a: person,
			docs: []DocumentFacts{{ID: "1", Type: "application_form", IDNumbers: []string{idOld}}, {ID: "2", Type: "id_card", IDNumbers: []string{idZhang}},
				{ID: "3", Type: "articles_of_association"}, {ID: "4", Type: "property_certificate"}},
			items:    []item{{"application_form", "present"}, {"id_card", "present"}, {"articles_of_association", "present"}, {"property_certificate", "present"}},
			incs:     []string{IncFormCardID},
			proposed: DecisionCorrection,
		},
		{
			name: "typed id not on the card", m: estab, a: person,
			docs: []DocumentFacts{{ID: "2", Type: "id_card", IDNumbers: []string{idLi}}, {ID: "1", Type: "application_form"},
				{ID: "3", Type: "articles_of_association"}, {ID: "4", Type: "property_certificate"}},
			items:    []item{{"application_form", "present"}, {"id_card", "present"}, {"articles_of_association", "present"}, {"property_certificate", "present"}},
			incs:     []string{IncApplicantID},
			proposed: DecisionCorrection,
		},
		{
			name: "submitter without power of attorney", m: food, a: shop, submitter: agent,
			docs: []DocumentFacts{{ID: "1", Type: "application_form", USCC: []string{usccShop}}, {ID: "2", Type: "business_license", USCC: []string{usccShop}},
				{ID: "3", Type: "id_card"}, {ID: "4", Type: "property_certificate"}, {ID: "5", Type: "commitment_letter"}},
			items: []item{{"application_form", "present"}, {"business_license", "present"}, {"id_card", "present"}, {"property_certificate", "present"},
				{"commitment_letter", "present"}, {"power_of_attorney", "missing"}},
			proposed: DecisionCorrection,
		},
		{
			name: "licence of another company", m: food, a: shop,
			docs: []DocumentFacts{{ID: "1", Type: "application_form", USCC: []string{usccShop}}, {ID: "2", Type: "business_license", USCC: []string{usccOther}},
				{ID: "3", Type: "id_card"}, {ID: "4", Type: "property_certificate"}, {ID: "5", Type: "commitment_letter"}, {ID: "6", Type: "power_of_attorney"}},
			items: []item{{"application_form", "present"}, {"business_license", "present"}, {"id_card", "present"}, {"property_certificate", "present"},
				{"commitment_letter", "present"}, {"power_of_attorney", "present"}},
			incs:     []string{IncFormLicenceUSCC, IncApplicantUSCC},
			proposed: DecisionCorrection,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Evaluate(tt.m, tt.docs, tt.a, tt.submitter, day("2026-03-02"), DefaultCalendar())
			var got []item
			for _, it := range c.Items {
				got = append(got, item{it.Type, it.Status})
				if it.Status == StatusPresent && len(it.Documents) == 0 || it.Documents == nil {
					t.Errorf("item %s: documents %v", it.Type, it.Documents)
				}
				if it.Status == StatusDeferrableMissing && it.DueDate == "" {
					t.Errorf("item %s has no due date", it.Type)
				}
			}
			if !slices.Equal(got, tt.items) {
				t.Errorf("items = %v\nwant %v", got, tt.items)
			}
			var incs []string
			for _, in := range c.Inconsistencies {
				incs = append(incs, in.Code)
			}
			if !slices.Equal(incs, tt.incs) {
				t.Errorf("inconsistencies = %v, want %v", incs, tt.incs)
			}
			if c.Proposed != tt.proposed || c.Complete != (tt.proposed == DecisionAccept) {
				t.Errorf("proposed %s complete %v, want %s", c.Proposed, c.Complete, tt.proposed)
			}
		})
	}
}

func TestEvaluateCountsAndOther(t *testing.T) {
	m := matter(t, "JL-JT-001") // three "other" items, in order
	docs := []DocumentFacts{{ID: "a", Type: "other"}, {ID: "b", Type: "other"}}
	c := Evaluate(m, docs, Applicant{Kind: KindOrganisation, Name: "某运输公司", USCC: usccShop}, nil, day("2026-03-02"), DefaultCalendar())
	var others []string
	for _, it := range c.Items {
		if it.Type == "other" {
			others = append(others, it.Status)
		}
	}
	if !slices.Equal(others, []string{"present", "present"}) {
		t.Errorf("other items = %v", others)
	}
}

// BenchmarkEvaluate checks a full food-licence case with eight documents.
func BenchmarkEvaluate(b *testing.B) {
	m, _ := DefaultCatalogue().Matter("JL-SC-003")
	docs := []DocumentFacts{{ID: "1", Type: "application_form", USCC: []string{usccShop}}, {ID: "2", Type: "business_license", USCC: []string{usccShop}},
		{ID: "3", Type: "id_card", IDNumbers: []string{idZhang}}, {ID: "4", Type: "property_certificate"}, {ID: "5", Type: "commitment_letter"},
		{ID: "6", Type: "power_of_attorney"}, {ID: "7", Type: "other"}, {ID: "8", Type: "id_card", IDNumbers: []string{idLi}}}
	a := Applicant{Kind: KindOrganisation, Name: "某公司", USCC: usccShop}
	cal := DefaultCalendar()
	now := day("2026-03-02")
	for b.Loop() {
		Evaluate(m, docs, a, &Party{Name: "李四", IDNumber: idLi}, now, cal)
	}
}

// An inconsistency names both numbers and where each was read, so the clerk sees which differ.
func TestInconsistencyNamesTheValues(t *testing.T) {
	docs := []DocumentFacts{{ID: "1", Type: "application_form", IDNumbers: []string{idOld}}, {ID: "2", Type: "id_card", IDNumbers: []string{idZhang}}}
	got := inconsistencies(docs, Applicant{Kind: KindPerson, IDNumber: idZhang}, false)
	if len(got) != 1 || got[0].Code != IncFormCardID {
		t.Fatalf("inconsistencies: %+v", got)
	}
	want := []IncValue{{"application_form", idOld, true}, {"id_card", idZhang, true}}
	if !slices.Equal(got[0].Values, want) {
		t.Errorf("values %+v, want %+v", got[0].Values, want)
	}
	if strings.Contains(got[0].Message, idOld) {
		t.Errorf("the message, which notices print, holds a number: %q", got[0].Message)
	}
}
