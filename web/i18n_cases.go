package web

import "maps"

// caseMessages are the window's intake and decision words (issue 25), kept beside the
// catalogue they join so that neither file outgrows the house limit.
var caseMessages = map[string][2]string{
	"cases.search":              {"查找办件", "Find cases"},
	"cases.search_label":        {"办件编号或申请人", "Case number or applicant"},
	"cases.search_submit":       {"查找", "Find"},
	"cases.search_clear":        {"显示全部", "Show all"},
	"cases.found":               {"件", "cases"},
	"cases.page":                {"页", "page"},
	"cases.prev":                {"上一页", "Previous page"},
	"cases.next":                {"下一页", "Next page"},
	"cases.matter_filter":       {"筛选事项（名称、编码或部门）", "Filter matters (name, code or department)"},
	"cases.matter_filter_go":    {"筛选", "Filter"},
	"cases.matter_filter_none":  {"没有符合筛选的事项，已显示全部事项。", "No matter fits the filter; all matters are shown."},
	"cases.applicant":           {"申请人", "Applicant"},
	"cases.optional":            {"以下各项选填", "Optional"},
	"case.phone":                {"联系电话", "Phone"},
	"case.address":              {"联系地址", "Address"},
	"case.agent":                {"经办人（代为提交材料的人）", "Agent (hands in for the applicant)"},
	"case.agent_hint":           {"经办人不是申请人本人时，材料清单会要求授权委托书。", "When the agent is not the applicant, the checklist asks for a power of attorney."},
	"case.representative":       {"法定代表人（单位申请时）", "Legal representative (organisations)"},
	"case.person_name":          {"姓名", "Name"},
	"case.person_id":            {"身份证号", "ID number"},
	"case.material":             {"材料名称", "Material"},
	"case.proposed":             {"系统建议", "Proposed"},
	"case.proposed_why":         {"依据材料齐全性检查", "From the completeness check"},
	"case.proposed_all_present": {"材料齐全，未发现不一致。", "All materials present, nothing inconsistent."},
	"case.refusals":             {"不予受理理由（可多选，至少选一项）", "Refusal reasons (one or more)"},
	"case.refusals_none":        {"事项目录未列出这个事项的不予受理理由，无法出具不予受理决定书。", "The catalogue lists no refusal reasons for this matter; no refusal notice can be issued."},
	"case.basis":                {"依据", "Basis"},
	"case.reason_hint":          {"改变系统建议时必填；会写入通知书。", "Needed when you decide other than proposed; printed on the notice."},
	"err.refusal_reason_required": {"不予受理须至少勾选一项事项目录中的不予受理理由，请勾选后再提交。",
		"A refusal needs at least one of the matter's refusal reasons; tick one and submit again."},
	"err.no_refusal_reasons": {"事项目录没有列出这个事项的不予受理理由，请联系管理员补充后再作不予受理决定。",
		"The catalogue lists no refusal reasons for this matter; ask the administrator to add them."},
	"err.unknown_refusal": {"所选不予受理理由不属于这个事项，请刷新页面后重新选择。", "That refusal reason is not one of the matter's; reload and choose again."},
	"err.representative_for_person": {"个人申请没有法定代表人，请清空法定代表人各项。",
		"A person has no legal representative; clear those fields."},
}

func init() { maps.Copy(catalogue, caseMessages) }
