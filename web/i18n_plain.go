package web

import (
	"fmt"
	"maps"
	"strings"
)

// plainMessages are the words that replace codes on the pages (issue 25): inconsistencies with
// the numbers that differ, documents by their type and place rather than their ID.
var plainMessages = map[string][2]string{
	"inc.form_id_card_mismatch":      {"身份证号不一致", "ID numbers differ"},
	"inc.form_licence_uscc_mismatch": {"统一社会信用代码不一致", "Unified social credit codes differ"},
	"inc.applicant_id_mismatch":      {"申请人身份证号不一致", "The applicant's ID number differs"},
	"inc.applicant_uscc_mismatch":    {"统一社会信用代码不一致", "The unified social credit code differs"},
	"inc.other":                      {"材料之间不一致", "Materials disagree"},
	"inc.source_window":              {"窗口登记的", "typed at the window"},
	"inc.id":                         {"身份证号", "ID number"},
	"inc.uscc":                       {"统一社会信用代码", "unified social credit code"},
	"inc.differs":                    {"不一致", "differ"},
	"inc.and":                        {"与", "and"},
	"case.doc_n":                     {"第%d件", "no. %d"},
	"handout.signature":              {"领取人签名", "Collector's signature"},
	"handout.signature_hint":         {"请领取人在框内签名（可选；不签名时请勾选下方确认）。", "The collector signs in the box (optional; without a signature tick the confirmation below)."},
	"handout.signature_clear":        {"重签", "Clear"},
	"handout.signature_alt":          {"领取人在窗口所签的名字", "The collector's signature, drawn at the window"},
	"doc.open_batch":                 {"查看所在批次", "Open its batch"},
	// a case's timeline; the archive's events keep their own words under event.
	"caseevent.opened":             {"登记办件", "case opened"},
	"caseevent.batch_done":         {"扫描材料已入卷", "scanned papers filed"},
	"caseevent.decided":            {"作出受理决定", "decision made"},
	"caseevent.state_changed":      {"办件状态变更", "state changed"},
	"caseevent.notice_filed":       {"出具通知书", "notice issued"},
	"caseevent.mail_linked":        {"邮寄材料关联本件", "mailed papers linked"},
	"caseevent.applicant_notified": {"已通知申请人", "applicant told"},
	"caseevent.handover":           {"纸质材料移交", "papers handed over"},
	"caseevent.handover_confirmed": {"纸质材料移交已确认", "hand-over of papers confirmed"},
	"caseevent.delivery":           {"部门推送与答复", "department delivery"},
	"caseevent.other":              {"办件记录", "case record"},
	// the hall's own workers that file case events, by the actor name they file under
	"caseactor.pipeline": {"扫描处理系统", "scan processing"},
	"caseactor.delivery": {"部门推送系统", "department delivery"},
}

func init() { maps.Copy(catalogue, plainMessages) }

// inconsistency is one of the check's disagreements with the values on each side.
type inconsistency struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Values  []struct {
		Source   string `json:"source"`
		Value    string `json:"value"`
		IDNumber bool   `json:"id_number"`
	} `json:"values"`
}

// Inconsistency says an inconsistency in the page's language, naming the two values and where
// each was read: "申请书上身份证号 2201…12 与居民身份证上 2201…21 不一致". Without values (a
// case checked before they were kept) it says which numbers disagree.
func (l lang) Inconsistency(in inconsistency) string {
	title := l.or("inc."+in.Code, l.T("inc.other"))
	if len(in.Values) != 2 {
		return title
	}
	what := l.T("inc.uscc")
	if in.Values[0].IDNumber {
		what = l.T("inc.id")
	}
	src := func(s string) string {
		if s == "window" {
			return l.T("inc.source_window")
		}
		if l.idx() == en {
			return l.TypeName(s)
		}
		return l.TypeName(s) + "上" // only the Chinese sentence says where
	}
	a, b := in.Values[0], in.Values[1]
	if l.idx() == en {
		return title + ": " + what + " " + a.Value + " (" + src(a.Source) + ") and " + b.Value + " (" + src(b.Source) + ")"
	}
	var sb strings.Builder
	sb.WriteString(src(a.Source) + what + " " + a.Value + " ")
	sb.WriteString(l.T("inc.and") + " " + src(b.Source) + what + " " + b.Value + " " + l.T("inc.differs"))
	return sb.String()
}

// CaseEvent is a case timeline event's name; an event this page does not know yet is a
// "case record" rather than its code.
func (l lang) CaseEvent(typ string) string { return l.or("caseevent."+typ, l.T("caseevent.other")) }

// CaseActor is who filed a case event: a person's name as filed, a worker by its role's words.
func (l lang) CaseActor(by string) string { return l.or("caseactor."+by, by) }

// ServerSentence is the API's own sentence where the page's language is its language
// (English); a Chinese page says the code's words only, never English under Chinese headings.
func (l lang) ServerSentence(msg string) string {
	if l.idx() == en {
		return msg
	}
	return ""
}

// DocN names the i-th (0-based) document of a list by its place, not its ID.
func (l lang) DocN(i int) string { return fmt.Sprintf(l.T("case.doc_n"), i+1) }

// DocType is the type of document id among a case's facts, in the page's language; "" unknown.
func (c caseDetail) DocType(l lang, id string) string {
	for _, f := range c.Facts {
		if f.ID == id {
			return l.TypeName(f.Type)
		}
	}
	return ""
}
