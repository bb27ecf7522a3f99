package deliverydesk

import (
	"testing"
	"time"

	"onewindow/cases"
)

func TestPlanWaitsForTheDecisionsNotice(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	c := &cases.Case{Opening: cases.Opening{CaseNo: "JL-T-0009"}, Events: []cases.Event{
		{Seq: 1, Type: cases.EvOpened, At: now.Add(-time.Hour)},
		{Seq: 2, Type: cases.EvDecided, At: now.Add(-time.Second)},
	}}
	if !noticePending(c, now) {
		t.Error("a decision a second old without its notice does not hold the plan back")
	}
	if noticePending(c, now.Add(noticeWait)) {
		t.Error("a notice that never came holds the packages back for good")
	}
	c.Notices = []cases.NoticeRef{{ID: cases.NoticeID(c.CaseNo, 2), Kind: "acceptance"}}
	if noticePending(c, now) {
		t.Error("the decision's notice is filed and the plan still waits")
	}
	c.Events = append(c.Events, cases.Event{Seq: 3, Type: cases.EvDecided, At: now})
	if !noticePending(c, now) {
		t.Error("a second decision waits for its own notice, not the first one's")
	}
}
