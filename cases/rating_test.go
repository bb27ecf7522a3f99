package cases

import (
	"strings"
	"testing"
	"time"
)

func TestCheckMatches(t *testing.T) {
	c := &Case{Opening: Opening{Applicant: Party{Kind: KindOrganisation, Name: "甲公司", IDNumber: "22010219900307001X", USCC: "91220101MA0Y3K7G5B", Phone: "0431-88881234"},
		Submitter: &Party{Kind: KindPerson, Name: "李四", IDNumber: "220102199003070013", Phone: "13912345678"}}}
	for check, want := range map[string]bool{
		"1234": true, "001x": true, "001X": true, "7G5B": true, "7g5b": true, // applicant's phone, ID (X either case), credit code
		"5678": true, "0013": true, // the submitter who came for them
		"0000": false, "123": false, "12345": false, "": false, "G5B": false,
	} {
		if got := CheckMatches(c, check); got != want {
			t.Errorf("CheckMatches(%q) = %v, want %v", check, got, want)
		}
	}
}

func TestNewRating(t *testing.T) {
	c := &Case{Opening: Opening{CaseNo: "JL-1", Matter: "A1", Window: "w1"}}
	at := time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC) // a Friday
	r, err := NewRating(c, DefaultCalendar(), 2, []string{" 等候时间长 "}, " 慢 ", at)
	if err != nil || r.FollowUp == nil || r.Reasons[0] != "等候时间长" || r.Comment != "慢" || r.Window != "w1" {
		t.Fatalf("NewRating = %+v, %v", r, err)
	}
	if r.FollowUp.DueDate != "2026-03-13" { // five working days
		t.Errorf("follow-up due %s", r.FollowUp.DueDate)
	}
	if r, _ := NewRating(c, DefaultCalendar(), 3, nil, "", at); r.FollowUp != nil {
		t.Errorf("a middling rating opened a follow-up")
	}
	for _, bad := range []struct {
		score   int
		reasons []string
		comment string
	}{{0, nil, ""}, {6, nil, ""}, {3, []string{""}, ""}, {3, make([]string, 11), ""}, {3, nil, strings.Repeat("字", 501)}} {
		if _, err := NewRating(c, DefaultCalendar(), bad.score, bad.reasons, bad.comment, at); err == nil {
			t.Errorf("NewRating accepted %+v", bad)
		}
	}
}

// A lookup's check comes from anyone: none panics, and only four letters or digits match.
func FuzzCheckMatches(f *testing.F) {
	for _, s := range []string{"5678", "001X", "", "\x00\x00\x00\x00", "１２３４", "12345"} {
		f.Add(s)
	}
	c := &Case{Opening: Opening{Applicant: Party{IDNumber: "22010219900307001X", Phone: "13912345678"}}}
	f.Fuzz(func(t *testing.T, check string) {
		if CheckMatches(c, check) && (!ValidCheck(check) || len(check) != 4) {
			t.Fatalf("%q matched but is not a check", check)
		}
	})
}
