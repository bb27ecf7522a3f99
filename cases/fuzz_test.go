package cases

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The hall edits these files and clients type these values: no input may panic, and what is
// accepted must hold the loaders' promises.

func FuzzLoadCatalogue(f *testing.F) {
	f.Add(defaultMattersYAML)
	f.Add([]byte("matters:\n  - code: A\n    name: x\n    departments: [d]\n    materials: [{type: id_card, name: y, count: 2}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := LoadCatalogue(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		for _, m := range c.Matters {
			if got, ok := c.Matter(m.Code); !ok || got.Name == "" || len(got.Departments) == 0 {
				t.Fatalf("accepted matter %q is not whole", m.Code)
			}
			for _, mt := range m.Materials {
				if mt.Count < 1 || !defaultTypes[mt.Type] {
					t.Fatalf("accepted material %+v", mt)
				}
			}
		}
	})
}

func FuzzLoadCalendar(f *testing.F) {
	f.Add(defaultCalendarYAML)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := LoadCalendar(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Any accepted calendar must let time limits end.
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if n := c.WorkingDaysBetween(from, c.AddWorkingDays(from, 20)); n != 20 {
			t.Fatalf("20 working days counted as %d", n)
		}
	})
}

func FuzzCheckWaybill(f *testing.F) {
	for _, s := range []string{"EMS|1180123456789", "EMS|EA123456785CN", "SF|SF1234567890123", "JD|JDVA01234567890", "other|x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		carrier, waybill, _ := strings.Cut(s, "|")
		if CheckWaybill(carrier, waybill) == nil && strings.ContainsAny(NormalizeWaybill(waybill), "/\\ \x00") {
			t.Fatalf("accepted waybill %q", waybill)
		}
	})
}

func FuzzFormatCaseNo(f *testing.F) {
	f.Add(DefaultCaseNoPattern, int64(42))
	f.Add("JL{yyyy}-{seq:06}", int64(7))
	f.Fuzz(func(t *testing.T, pattern string, seq int64) {
		no, err := FormatCaseNo(pattern, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), seq)
		if err == nil && !ValidCaseNo(no) {
			t.Fatalf("pattern %q gave invalid case number %q", pattern, no)
		}
	})
}
