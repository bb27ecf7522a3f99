package extract

import (
	"slices"
	"testing"
)

// What the window typed for a case (the applicant's codes, the agent's and the legal
// representative's ID numbers) confirms a reading that was a guess or a near miss of it, and
// nothing else: a guess of another value stays a candidate, and a value read for certain is
// filed as read even when it contradicts the typing (the case check reports that).
func TestWindowConfirms(t *testing.T) {
	const (
		usccLabel = "统一社会信用代码："
		idLabel   = "公民身份号码："
		uscc      = "913307133NDX5HKR18"
		other     = "91640516DCF5UL415B" // another organisation's valid code, far from uscc
		id        = "352005196807140110"
		otherID   = "221430190004109313"
	)
	window := func(kind string, values ...string) []Code {
		var out []Code
		for _, v := range values {
			out = append(out, Code{Kind: kind, Value: v, Source: SourceWindow})
		}
		return out
	}
	tests := []struct {
		name      string
		text      string
		typed     []Code
		want      []string // filed codes
		source    string   // the source of want[0]
		uncertain []string // candidates left for a reviewer
	}{
		{"guess equal to the typed code", usccLabel + "913307133HNDXSHKR18", window(KindUSCC, uscc),
			[]string{uscc}, SourceWindow, nil},
		{"guess equal to the typed ID number", idLabel + "3S22005196807140110", window(KindID, otherID, id),
			[]string{id}, SourceWindow, nil},
		{"near miss of the typed code", usccLabel + "91220102QFWNB541XW", window(KindUSCC, "91220102QFWNB571XW"),
			[]string{"91220102QFWNB571XW"}, SourceWindow, nil},
		{"guess of another valid code", usccLabel + "913307133HNDXSHKR18", window(KindUSCC, other),
			nil, "", []string{uscc}},
		{"guess with the typed code of the other kind", idLabel + "3S22005196807140110", window(KindUSCC, other),
			nil, "", []string{id}},
		{"read for certain, typed otherwise", usccLabel + uscc, window(KindUSCC, other),
			[]string{uscc}, SourceClean, nil},
		{"nothing typed", usccLabel + "913307133HNDXSHKR18", nil, nil, "", []string{uscc}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Fields("授权委托书\n" + tt.text + "\n")
			Confirm([]*Result{&r}, tt.typed)
			got := append(slices.Clone(r.IDNumbers), r.USCC...)
			var candidates []string
			for _, u := range r.Uncertain {
				candidates = append(candidates, u.Candidates...)
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(candidates, tt.uncertain) {
				t.Fatalf("filed %v, candidates %v; want %v, %v", got, candidates, tt.want, tt.uncertain)
			}
			if len(tt.want) > 0 && r.Sources[tt.want[0]] != tt.source {
				t.Errorf("source %q, want %q", r.Sources[tt.want[0]], tt.source)
			}
		})
	}
}

// The window's typing and a code read elsewhere in the case confirming the same guess: it is
// filed as the window's, whichever came first.
func TestWindowSourceWins(t *testing.T) {
	const uscc = "913307133NDX5HKR18"
	for _, filed := range [][]Code{
		{{Kind: KindUSCC, Value: uscc}, {Kind: KindUSCC, Value: uscc, Source: SourceWindow}},
		{{Kind: KindUSCC, Value: uscc, Source: SourceWindow}, {Kind: KindUSCC, Value: uscc}},
	} {
		r := Fields("统一社会信用代码：913307133HNDXSHKR18\n")
		Confirm([]*Result{&r}, filed)
		if !slices.Equal(r.USCC, []string{uscc}) || r.Sources[uscc] != SourceWindow {
			t.Errorf("filed %v with %v, want %s from the window", r.USCC, r.Sources, uscc)
		}
	}
}
