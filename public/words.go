package public

import (
	"encoding/json"

	"onewindow/cases"
)

// The timeline in words an applicant reads without knowing the hall's terms.

var stateWords = map[string]string{
	cases.StateSubmitted:                "已收件，等待窗口受理",
	cases.StatePreAccepted:              "邮寄材料已收到，等待窗口受理",
	cases.StateAccepted:                 "已受理，正在办理",
	cases.StateAcceptedWithDeficiencies: "已容缺受理，正在办理，请按期补齐材料",
	cases.StateCorrectionRequired:       "材料需要补正，请按一次性告知书补齐后再来",
	cases.StateRejected:                 "不予受理",
	cases.StateInReview:                 "审批部门正在审查",
	cases.StateResultReady:              "办理结果已出，可以领取",
	cases.StateDelivered:                "办理结果已送达",
	cases.StateClosed:                   "已办结",
}

var decisionWords = map[string]string{
	cases.DecisionAccept:         "窗口已受理",
	cases.DecisionAcceptDeferred: "窗口已容缺受理，部分材料可以后补",
	cases.DecisionCorrection:     "材料需要补正（一次性告知）",
	cases.DecisionReject:         "窗口决定不予受理",
}

var movedWords = map[string]string{
	cases.StateInReview:    "已转审批部门审查",
	cases.StateResultReady: "办理结果已出",
	cases.StateDelivered:   "办理结果已送达",
	cases.StateClosed:      "办结",
}

// eventWords says what e means to the applicant, "" for what is the hall's own business
// (a failed push to a department, a retry).
func (s *Service) eventWords(cat *cases.Catalogue, e cases.Event) string {
	var d struct {
		Channel    string `json:"channel"`
		Decision   string `json:"decision"`
		To         string `json:"to"`
		Kind       string `json:"kind"`
		Department string `json:"department"`
		State      string `json:"state"`
	}
	_ = json.Unmarshal(e.Data, &d) // an event without the field says less, never wrong
	switch e.Type {
	case cases.EvOpened:
		if d.Channel == cases.ChannelMail {
			return "邮寄材料已收到，办件已登记"
		}
		return "窗口已收件，办件已登记"
	case cases.EvBatchDone:
		return "材料已扫描存档"
	case cases.EvDecided:
		return decisionWords[d.Decision]
	case cases.EvStateChanged:
		return movedWords[d.To]
	case cases.EvNoticeFiled:
		k, _ := cases.NoticeKindOf(d.Kind)
		return k.Progress
	case cases.EvMailLinked:
		return "邮寄材料已签收"
	case cases.EvApplicantNotified:
		return "已通知申请人"
	case cases.EvHandover:
		return "纸质原件已移交审批部门"
	case cases.EvHandoverConfirmed:
		return "审批部门已签收纸质原件"
	case cases.EvDelivery:
		switch d.State {
		case "delivered", "acknowledged":
			return "材料已送达" + s.departmentName(cat, d.Department)
		case "answered":
			return s.departmentName(cat, d.Department) + "已作出办理结果"
		}
	}
	return ""
}
