package deliverydesk

import (
	"testing"

	"onewindow/cases"
)

func TestCollectorAuthority(t *testing.T) {
	const applicant, agent, stranger = "220103198909195957", "11010519491231002X", "440524188001010014"
	poa := func(ids ...string) cases.DocumentFacts {
		return cases.DocumentFacts{ID: "d1", Type: "power_of_attorney", IDNumbers: ids}
	}
	for _, tc := range []struct {
		name      string
		c         cases.Case
		collector string
		want      string
	}{
		{"the applicant", cases.Case{Opening: cases.Opening{Applicant: cases.Party{IDNumber: applicant}}}, applicant, "applicant"},
		{"lower-case x matches", cases.Case{Opening: cases.Opening{Applicant: cases.Party{IDNumber: agent}}}, "11010519491231002x", "applicant"},
		{"named by a power of attorney", cases.Case{Facts: []cases.DocumentFacts{poa(applicant, agent)}}, agent, "power_of_attorney"},
		{"the submitter, with a power of attorney on file", cases.Case{Opening: cases.Opening{Submitter: &cases.Party{IDNumber: agent}},
			Facts: []cases.DocumentFacts{poa()}}, agent, "power_of_attorney"},
		{"the submitter without one", cases.Case{Opening: cases.Opening{Submitter: &cases.Party{IDNumber: agent}}}, agent, ""},
		{"a superseded power of attorney counts for nothing", cases.Case{Facts: []cases.DocumentFacts{{ID: "d1", Type: "power_of_attorney",
			IDNumbers: []string{agent}, Superseded: true}}}, agent, ""},
		{"a stranger", cases.Case{Opening: cases.Opening{Applicant: cases.Party{IDNumber: applicant}}, Facts: []cases.DocumentFacts{poa(agent)}}, stranger, ""},
	} {
		if got := collectorAuthority(&tc.c, tc.collector); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
