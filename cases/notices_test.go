package cases

import "testing"

// Every decision files exactly one kind of notice, and a kind is named once.
func TestNoticeKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range NoticeKinds {
		if seen[k.Name] {
			t.Errorf("kind %q twice", k.Name)
		}
		seen[k.Name] = true
		if k.Progress == "" {
			t.Errorf("kind %q says nothing on the progress page", k.Name)
		}
	}
	for decision := range decisionState {
		n := 0
		for _, k := range NoticeKinds {
			if k.Decision == decision {
				n++
			}
		}
		if n != 1 || NoticeFor(decision) == "" {
			t.Errorf("decision %q files %d kinds of notice, want 1", decision, n)
		}
	}
	if NoticeFor("") != "" {
		t.Error("no decision files the mail receipt")
	}
	if k, ok := NoticeKindOf(NoticeDeferredAcceptance); !ok || !k.Sends {
		t.Errorf("deferred acceptance: %+v %v", k, ok)
	}
}
