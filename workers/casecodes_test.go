package workers

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"onewindow/cases"
	"onewindow/pipeline/extract"
)

// The worker reads the parties from a case's opening event as the front desk files it
// (cases.OpenedData), without importing cases: this holds the two to the same JSON.
func TestTypedIn(t *testing.T) {
	opened := func(typ string, o cases.Opening) []byte {
		data, _ := json.Marshal(cases.OpenedData{Opening: o})
		raw, _ := json.Marshal(cases.Event{Seq: 1, Type: typ, Data: data})
		return raw
	}
	const (
		uscc   = "91220102QFWNB571XW"
		repID  = "220102198404222247"
		subID  = "220103198909195957"
		person = "352005196807140110"
	)
	window := func(kind, v string) extract.Code {
		return extract.Code{Kind: kind, Value: v, Source: extract.SourceWindow}
	}
	tests := []struct {
		name string
		raw  []byte
		want []extract.Code
	}{
		{"organisation with agent and representative", opened(cases.EvOpened, cases.Opening{
			Applicant:      cases.Party{Kind: cases.KindOrganisation, Name: "长春市某某食品有限公司", USCC: uscc},
			Submitter:      &cases.Party{Kind: cases.KindPerson, Name: "杨佳", IDNumber: subID},
			Representative: &cases.Party{Kind: cases.KindPerson, Name: "王某", IDNumber: repID}}),
			[]extract.Code{window(extract.KindUSCC, uscc), window(extract.KindID, subID), window(extract.KindID, repID)}},
		{"person alone", opened(cases.EvOpened, cases.Opening{
			Applicant: cases.Party{Kind: cases.KindPerson, Name: "杨佳", IDNumber: person}}),
			[]extract.Code{window(extract.KindID, person)}},
		{"not an opening", opened(cases.EvDecided, cases.Opening{Applicant: cases.Party{IDNumber: person}}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := typedIn("JL2026-0001", tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("typed codes (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := typedIn("JL2026-0001", []byte("{")); err == nil {
		t.Error("a broken event decoded")
	}
}
