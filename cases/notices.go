package cases

import "slices"

// Notice kinds.
const (
	NoticeAcceptance         = "acceptance"
	NoticeCorrection         = "correction"
	NoticeDeferredAcceptance = "deferred_acceptance"
	NoticeRefusal            = "refusal"
	NoticeMailReceipt        = "mail_receipt"
)

// NoticeKind is one kind of notice the hall issues.
type NoticeKind struct {
	// Name is the kind, and its template's name: cases/notice/templates/{Name}.txt, whose
	// first line is the notice's title.
	Name string
	// Decision is the window's decision that issues it; "" for the courier desk's receipt.
	Decision string
	// Progress is what an applicant's progress page says when it is issued.
	Progress string
	// Sends tells delivery to send the case to its departments once the notice is out: the
	// applicant hears of the acceptance before the case moves on.
	Sends bool
}

// NoticeKinds is the one list of notice kinds; the notice renderer, the delivery desk and the
// public pages ask it. Adding a kind is a row here and its template file.
var NoticeKinds = []NoticeKind{
	{NoticeAcceptance, DecisionAccept, "出具《受理通知书》", true},
	{NoticeCorrection, DecisionCorrection, "出具《一次性告知书》", false},
	{NoticeDeferredAcceptance, DecisionAcceptDeferred, "出具《容缺受理通知书》", true},
	{NoticeRefusal, DecisionReject, "出具《不予受理通知书》", false},
	{NoticeMailReceipt, "", "出具邮寄材料签收回执", false},
}

// NoticeKindOf returns the kind named name.
func NoticeKindOf(name string) (NoticeKind, bool) {
	i := slices.IndexFunc(NoticeKinds, func(k NoticeKind) bool { return k.Name == name })
	if i < 0 {
		return NoticeKind{}, false
	}
	return NoticeKinds[i], true
}

// NoticeFor returns the kind of notice a decision files ("" for none).
func NoticeFor(decision string) string {
	for _, k := range NoticeKinds {
		if decision != "" && k.Decision == decision {
			return k.Name
		}
	}
	return ""
}
