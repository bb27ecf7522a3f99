package casedesk_test

import (
	"context"
	"testing"
	"time"

	"onewindow/cases"
	"onewindow/cases/casedesk"
	"onewindow/storage"
)

// A partial loss of Redis: one case's view falls back a version (its decision's write was
// lost), one drops out of the lists, one loses its view. Heal, a chunk at a time, rebuilds
// each from its events, and then finds nothing more to do.
func TestHealRepairsCaseViewsAndLists(t *testing.T) {
	hooked := 0
	e := newEnv(t, nil, func(context.Context, string, cases.Event) { hooked++ }) // wrapped, as in production
	ctx := context.Background()
	var nos []string
	for i := range 3 {
		e.at(time.Date(2026, 3, 2+i, 9, 0, 0, 0, cst))
		c, err := e.desk.Open(ctx, casedesk.OpenInput{Matter: "JL-RS-001", Applicant: cases.Party{Name: "王五", IDNumber: idZhang}})
		if err != nil {
			t.Fatal(err)
		}
		nos = append(nos, c.CaseNo)
	}
	e.at(time.Date(2026, 3, 5, 9, 0, 0, 0, cst))
	if _, err := e.desk.Decide(ctx, nos[0], 0, casedesk.DecideInput{Decision: "accept", Reason: "材料齐全"}, cases.Actor{Name: "w"}); err != nil {
		t.Fatal(err)
	}
	settled := time.Now().Add(time.Minute)
	heal := func(limit int) int {
		t.Helper()
		total, after := 0, ""
		for range 10 {
			next, n, err := e.desk.Heal(ctx, after, limit, settled)
			if err != nil {
				t.Fatal(err)
			}
			total += n
			if after = next; after == "" {
				return total
			}
		}
		t.Fatal("Heal never went round")
		return 0
	}
	if n := heal(1000); n != 0 {
		t.Fatalf("whole views: %d repaired", n)
	}
	rdb := e.state.Redis()
	rdb.HSet(ctx, "ow:{case:"+nos[0]+"}:view", "v", 1)
	rdb.ZRem(ctx, "ow:cases:all", nos[1])
	rdb.Del(ctx, "ow:{case:"+nos[2]+"}:view")
	if n := heal(1); n != 3 {
		t.Errorf("repaired %d cases, want 3", n)
	}
	c, err := e.desk.Case(ctx, nos[0])
	if err != nil || c.State != cases.StateAccepted {
		t.Errorf("the case whose decision Redis lost: %v %v", c, err)
	}
	if ids, n, err := e.store.ListCases(ctx, storage.CaseQuery{Limit: 10}); err != nil || n != 3 {
		t.Errorf("list of every case: %v %d %v", ids, n, err)
	}
	if n := heal(2); n != 0 {
		t.Errorf("after the repair: %d repaired again", n)
	}
}
