package archive

import (
	"testing"
	"time"
)

func TestArchivalCode(t *testing.T) {
	f := ArchivalCodeFields{Fonds: "J042", FiledAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), RetentionYears: 30,
		CaseNo: "JL2026000123", BatchID: "b1", Type: "id_card", Seq: 2}
	for _, c := range []struct {
		pattern string
		f       func(ArchivalCodeFields) ArchivalCodeFields
		want    string
	}{
		{DefaultArchivalCodePattern, nil, "J042-ZW·2026-D30-JL2026000123-0002"},
		{"{fonds}-{year}-{retention}-{type}-{seq}", func(f ArchivalCodeFields) ArchivalCodeFields { f.RetentionYears = 100; return f }, "J042-2026-Y-id_card-0002"},
		{"{case}/{seq}", func(f ArchivalCodeFields) ArchivalCodeFields { f.CaseNo = ""; return f }, "b1/0002"},
		{"{batch}-{seq}", func(f ArchivalCodeFields) ArchivalCodeFields { f.Revision = 2; return f }, "b1-0002-R2"},
	} {
		in := f
		if c.f != nil {
			in = c.f(f)
		}
		if err := CheckArchivalCodePattern(c.pattern); err != nil {
			t.Errorf("%s: %v", c.pattern, err)
		}
		if got := ArchivalCode(c.pattern, in); got != c.want {
			t.Errorf("%s: %s, want %s", c.pattern, got, c.want)
		}
	}
	for _, bad := range []string{"{fonds}-{year}", "{fonds}-{month}-{seq}"} {
		if CheckArchivalCodePattern(bad) == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
