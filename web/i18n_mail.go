package web

import "maps"

// mailMessages are the courier desk's words for scanning, repeats and wrong fields, kept
// beside its page so that the main catalogue stays under the house limit.
var mailMessages = map[string][2]string{
	"mail.required":          {"带 * 的为必填项。", "Fields marked * are required."},
	"mail.carrier_auto":      {"按运单号自动识别", "Tell by the waybill"},
	"mail.carrier_found":     {"已按运单号识别为：", "Told by the waybill: "},
	"mail.fix_fields":        {"以下几处需要修改，已填的内容都保留着。", "Please correct the fields marked below; what you typed is kept."},
	"mail.duplicate":         {"这个运单号最近已经登记过。如果确实是另一件（同一运单多件分批到达），请点“仍要登记”；如果是重复扫描，请不要再登记。", "This waybill was logged recently. If this really is another parcel, choose “Log it anyway”; if it was scanned twice, do not log it again."},
	"mail.confirm_duplicate": {"仍要登记", "Log it anyway"},
	"carrier.YTO":            {"圆通速递", "YTO Express"},
	"carrier.ZTO":            {"中通快递", "ZTO Express"},
	"carrier.STO":            {"申通快递", "STO Express"},
	"carrier.YUNDA":          {"韵达速递", "Yunda"},
	"err.missing_waybill":    {"请扫描或填写运单号。", "Scan or type the waybill number."},
	"err.duplicate_waybill":  {"这个运单号最近已经登记过。", "This waybill was logged recently."},
	"err.mail_not_found":     {"没有找到这条收件登记。", "There is no such mail entry."},
	"err.bad_case_no":        {"办件编号只能由字母、数字、“-”和“_”组成。", "A case number is letters, digits, “-” and “_”."},
}

func init() { maps.Copy(catalogue, mailMessages) }
