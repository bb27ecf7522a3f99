package casedesk_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onewindow/cases"
	"onewindow/cases/casedesk"
)

// TestStateMessages: with a notifier, each change the applicant cares about (accepted,
// correction needed, refused, result ready, handed out) reaches a real HTTP gateway once, in
// the bundled words, naming the case and matter but not the applicant's ID number, and is
// recorded on the case.
func TestStateMessages(t *testing.T) {
	got := make(chan casedesk.Notification, 16)
	var mu sync.Mutex
	seen := map[string]bool{}
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n casedesk.Notification
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil || !strings.HasPrefix(r.Header.Get("X-Onewindow-Signature"), "sha256=") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		// A gateway keeps one message per Idempotency-Key, as the contract asks of it: the
		// notifier posts again when an answer is lost or late (a loaded machine), and the
		// applicant must still get one text.
		key := r.Header.Get("Idempotency-Key")
		mu.Lock()
		again := seen[key]
		seen[key] = true
		mu.Unlock()
		if again {
			t.Logf("the gateway got %s again and kept one", key)
			return
		}
		got <- n
	}))
	defer gw.Close()
	e := newEnv(t, &casedesk.WebhookNotifier{URL: gw.URL, Secret: "s", Log: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	clerk := cases.Actor{Name: "w", Role: "window", Desk: "window-1"}
	open := func(phone string) *cases.Case {
		c, err := e.desk.Open(ctx, casedesk.OpenInput{Matter: "JL-SC-002", Applicant: cases.Party{Name: "王五", IDNumber: idZhang, Phone: phone}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	decide := func(no string, in casedesk.DecideInput) {
		if _, err := e.desk.Decide(ctx, no, 0, in, clerk); err != nil {
			t.Fatal(err)
		}
	}
	a, b, c := open("13904311111"), open("13904312222"), open("13904313333")
	silent := open("") // no phone: nobody to tell
	decide(a.CaseNo, casedesk.DecideInput{Decision: cases.DecisionAccept, Reason: "材料齐全，窗口核验原件"})
	for _, s := range []string{cases.StateInReview, cases.StateResultReady, cases.StateDelivered} {
		if _, err := e.desk.Advance(ctx, a.CaseNo, 0, s, "", clerk); err != nil {
			t.Fatal(err)
		}
	}
	decide(b.CaseNo, casedesk.DecideInput{Decision: cases.DecisionCorrection, Reason: "缺少身份证复印件"})
	decide(c.CaseNo, casedesk.DecideInput{Decision: cases.DecisionReject, Reason: "不属于本机关职权", Refusals: []string{"not_our_competence"}})
	decide(silent.CaseNo, casedesk.DecideInput{Decision: cases.DecisionAccept, Reason: "窗口核验原件"})

	want := map[string]string{
		a.CaseNo + " accepted":            "已受理",
		a.CaseNo + " result_ready":        "领取结果",
		a.CaseNo + " delivered":           "已送达",
		b.CaseNo + " correction_required": "缺少身份证复印件",
		c.CaseNo + " rejected":            "不予受理",
	}
	phones := map[string]string{a.CaseNo: "13904311111", b.CaseNo: "13904312222", c.CaseNo: "13904313333"}
	for expected := len(want); expected > 0; expected-- { // not "range want": the loop deletes from it
		var n casedesk.Notification
		select {
		case n = <-got:
		case <-time.After(time.Minute):
			t.Fatalf("the gateway got %d of %d messages", len(want)-len(got), len(want))
		}
		key := n.CaseNo + " " + n.What
		words, ok := want[key]
		if !ok {
			t.Errorf("unexpected message %s: %s", key, n.Message)
			continue
		}
		delete(want, key)
		if !strings.Contains(n.Message, words) || !strings.Contains(n.Message, n.CaseNo) || !strings.Contains(n.Message, "个体工商户") ||
			strings.Contains(n.Message, idZhang) || n.Phone != phones[n.CaseNo] || n.Seq == 0 {
			t.Errorf("%s: %+v", key, n)
		}
	}
	// Each message sent is recorded on its case (the record follows the gateway's answer).
	for _, no := range []string{a.CaseNo, b.CaseNo, c.CaseNo} {
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
			cs, err := e.desk.Case(ctx, no)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs.Notified) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no notification recorded", no)
			}
		}
	}
	select {
	case n := <-got:
		t.Errorf("one message too many: %+v", n)
	default:
	}
}

// TestMessagesFile: a hall's file replaces the texts it names and keeps the others; a bad one
// is refused with its line and reason.
func TestMessagesFile(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "m.yaml")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	m, err := casedesk.LoadMessages(write("# 本中心的写法\naccepted: \"{{.Hall}}受理了{{.CaseNo}}\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := casedesk.MessageFields{Hall: "长春", CaseNo: "JL1", Matter: "登记"}
	if s, _ := m.Render("accepted", f); s != "长春受理了JL1" {
		t.Errorf("accepted: %q", s)
	}
	if s, _ := m.Render("delivered", f); !strings.Contains(s, "已送达") {
		t.Errorf("delivered kept the bundled words? %q", s)
	}
	for _, tt := range []struct{ file, want string }{
		{"accepted: ok\nopened: \"{{.CaseNo}}\"\n", "line 2"},
		{"accepted: ok\nrejected: \"{{.CaseNo\"\n", "line 2"},
		{"\n\naccepted: \"{{.Phone}}\"\n", "line 3"},
		{"accepted: [a, b]\n", "line 1"},
	} {
		_, err := casedesk.LoadMessages(write(tt.file))
		if !errors.Is(err, casedesk.ErrInvalidMessages) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %s", tt.file, err, tt.want)
		}
	}
}
