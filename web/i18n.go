package web

import (
	"net/http"
	"strings"

	"onewindow/internal/auth"
	"onewindow/internal/fields"
)

// lang is the language a page is shown in: Chinese by default, English on request.
type lang struct{ code string }

const (
	zh = 0
	en = 1
)

// langOf is the language cookie, else the browser's first preference, else Chinese.
func langOf(r *http.Request) lang {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "zh" || c.Value == "en") {
		return lang{c.Value}
	}
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(first)), "en") {
		return lang{"en"}
	}
	return lang{"zh"}
}

func (l lang) idx() int {
	if l.code == "en" {
		return en
	}
	return zh
}

// HTMLLang is the page's lang attribute.
func (l lang) HTMLLang() string {
	if l.idx() == en {
		return "en"
	}
	return "zh-CN"
}

// Other is the language the switch offers.
func (l lang) Other() string {
	if l.idx() == en {
		return "zh"
	}
	return "en"
}

// Has reports whether key is in the catalogue.
func (l lang) Has(key string) bool { _, ok := catalogue[key]; return ok }

// T is the message for key; a missing key shows itself, so that it is noticed.
func (l lang) T(key string) string {
	if m, ok := catalogue[key]; ok {
		return m[l.idx()]
	}
	return key
}

// or is the message for key, or fallback as it is when there is none.
func (l lang) or(key, fallback string) string {
	if m, ok := catalogue[key]; ok {
		return m[l.idx()]
	}
	return fallback
}

// Err is an error code in words a clerk understands.
func (l lang) Err(code string) string { return l.or("err."+code, l.T("err.generic")) }

// TypeName is a document type's name.
func (l lang) TypeName(t string) string { return l.or("type."+t, t) }

// Field is an extracted field's name, as the fields table labels it.
func (l lang) Field(f string) string {
	if field, ok := fields.Lookup(f); ok {
		return [...]string{zh: field.Label, en: field.LabelEN}[l.idx()]
	}
	return f
}

// Role is a role's name, as the role table labels it.
func (l lang) Role(role string) string { return auth.Label(role, l.idx() == en) }

// Event is a provenance or case event's name.
func (l lang) Event(e string) string { return l.or("event."+e, e) }

// Check is a four-properties check's name.
func (l lang) Check(c string) string { return l.or("check."+c, c) }

// State is a case's or a delivery's state.
func (l lang) State(s string) string { return l.or("state."+s, s) }

// catalogue holds every message in both languages: {Chinese, English}.
var catalogue = map[string][2]string{
	"app.name":   {"一窗受理 · 材料数字化", "One Window · Digitisation"},
	"a11y.skip":  {"跳到正文", "Skip to content"},
	"nav.label":  {"工作台", "Desks"},
	"lang.other": {"English", "中文"},
	"signout":    {"退出登录", "Sign out"},

	"nav.scan":             {"扫描上传", "Scan station"},
	"nav.scan.about":       {"上传扫描件，实时查看识别进度和结果", "Upload scans and watch them being read"},
	"nav.review":           {"复核", "Review"},
	"nav.review.about":     {"确认或更正待复核材料的类型", "Confirm or correct documents that need review"},
	"nav.search":           {"档案检索", "Archive search"},
	"nav.search.about":     {"全文检索、查看原件、导出案卷与四性检测", "Full-text search, documents, export and four-properties report"},
	"nav.cases":            {"综合窗口", "Window"},
	"nav.cases.about":      {"办件列表、材料齐全性与受理决定", "Cases, completeness and decisions"},
	"nav.mail":             {"寄递收件", "Courier desk"},
	"nav.mail.about":       {"登记邮寄材料、打印回执、今日登记簿", "Log mailed submissions, print receipts"},
	"nav.department":       {"部门办件", "Department"},
	"nav.department.about": {"待办、已接收与失败的推送，上传办理结果", "Packages waiting, received and failed; upload results"},
	"nav.ops":              {"运行监控", "Operations"},
	"nav.ops.about":        {"服务健康、队列积压、失败批次与重试", "Health, queue depth, failed batches and retries"},
	"nav.manager":          {"统计分析", "Statistics"},
	"nav.manager.about":    {"收件量、受理决定、一次办成率、部门按时率与好差评，可导出", "Intake, decisions, first-visit acceptance, departments on time and ratings; export"},

	"mgr.title":                             {"统计分析", "Statistics"},
	"mgr.from":                              {"开始日期", "From"},
	"mgr.to":                                {"结束日期", "To"},
	"mgr.show":                              {"查看", "Show"},
	"mgr.csv":                               {"下载 CSV", "Download CSV"},
	"mgr.xlsx":                              {"下载 Excel", "Download XLSX"},
	"mgr.pdf":                               {"下载 PDF 报告", "Download PDF report"},
	"mgr.key":                               {"主要指标", "Key figures"},
	"mgr.cases_opened":                      {"收件量", "Cases opened"},
	"mgr.first_visit":                       {"一次受理（件 / 已决定）", "Accepted at first visit (of decided)"},
	"mgr.overdue":                           {"当前超期办件", "Overdue now"},
	"mgr.due_soon":                          {"两个工作日内到期", "Due within 2 working days"},
	"mgr.deferred":                          {"容缺材料按期补齐", "容缺 items supplied on time"},
	"mgr.rating_mean":                       {"评价平均分", "Mean rating"},
	"mgr.intake":                            {"每日收件量", "Intake per day"},
	"mgr.numbers":                           {"查看数据", "Show the numbers"},
	"mgr.date":                              {"日期", "Date"},
	"mgr.counter":                           {"窗口", "Counter"},
	"mgr.mail":                              {"邮寄", "Mail"},
	"mgr.decisions":                         {"受理决定", "Decisions"},
	"mgr.decision.accept":                   {"受理", "Accepted"},
	"mgr.decision.accept_with_deficiencies": {"容缺受理", "Accepted, items owed"},
	"mgr.decision.correction_required":      {"一次性告知", "Correction required"},
	"mgr.decision.reject":                   {"不予受理", "Refused"},
	"mgr.departments":                       {"部门按时办结率", "Departments on time"},
	"mgr.department":                        {"部门", "Department"},
	"mgr.due":                               {"应办结", "Due"},
	"mgr.on_time":                           {"按时", "On time"},
	"mgr.late":                              {"超时", "Late"},
	"mgr.overdue_results":                   {"超期未办结", "Overdue"},
	"mgr.mean_days":                         {"平均工作日", "Mean working days"},
	"mgr.ratings":                           {"好差评（按分数）", "Ratings by score"},
	"mgr.low":                               {"差评", "Low ratings"},
	"mgr.follow_ups":                        {"待回访整改", "Follow-ups open"},
	"mgr.workload":                          {"工作量", "Workload"},
	"mgr.follow_up_due":                     {"回访期限", "follow up by"},
	"mgr.outcome":                           {"整改情况", "What was done"},
	"mgr.record":                            {"登记", "Record"},
	"mgr.no_follow_ups":                     {"没有待回访的差评。", "No low rating waits for a follow-up."},
	"flash.outcome_recorded":                {"已登记整改情况。", "The follow-up's outcome is recorded."},
	"err.outcome_recorded":                  {"这条差评已登记过整改情况。", "This rating's outcome is recorded already."},
	"err.bad_outcome":                       {"请填写整改情况（最多 2000 字）。", "Say what was done (at most 2000 characters)."},
	"mgr.by_matter":                         {"按事项", "By matter"},
	"mgr.by_window":                         {"按窗口", "By window"},
	"mgr.by_clerk":                          {"按经办人", "By clerk"},
	"err.bad_range":                         {"开始日期晚于结束日期。", "The start date is after the end date."},
	"err.range_too_long":                    {"统计区间最长 366 天。", "A range covers at most 366 days."},
	"err.bad_date":                          {"日期格式应为 年-月-日。", "Dates are YYYY-MM-DD."},
	"err.bad_format":                        {"只能导出 CSV 或 Excel。", "Export as CSV or XLSX."},

	"signin.title":      {"登录", "Sign in"},
	"signin.intro":      {"请输入用户名和密码。", "Enter your user name and password."},
	"signin.user":       {"用户名", "User name"},
	"signin.password":   {"密码或令牌", "Password or token"},
	"signin.token_hint": {"只有 API 令牌时：用户名留空，把令牌填在密码栏。", "With an API token only: leave the user name empty and type the token as the password."},
	"signin.submit":     {"登录", "Sign in"},

	"home.title":    {"工作台", "Start"},
	"home.welcome":  {"%s，您好。请选择工作台：", "Hello, %s. Choose a desk:"},
	"home.no_desks": {"您的角色暂无可用的工作台。", "Your role has no desk here yet."},

	"flash.expired":      {"登录已过期，请重新登录。", "Your session has expired; please sign in again."},
	"flash.signed_out":   {"您已退出登录。", "You have signed out."},
	"flash.retyped":      {"类型已更正，正在重新归档。", "Type corrected; the document is being filed anew."},
	"flash.confirmed":    {"已确认类型。", "Type confirmed."},
	"flash.regrouped":    {"分组已更正，正在重新归档。", "Grouping corrected; the documents are being filed anew."},
	"flash.hold":         {"法律保全已更新。", "Legal hold updated."},
	"flash.retried":      {"已重新排队。", "Queued again."},
	"flash.case_opened":  {"办件已创建。", "Case opened."},
	"flash.decided":      {"决定已保存，通知书已生成。", "Decision saved; its notice is filed."},
	"flash.result_filed": {"办理结果已上传。", "Result uploaded."},

	"scan.title":       {"扫描上传", "Scan station"},
	"scan.case_no":     {"办件编号", "Case number"},
	"scan.case_hint":   {"留空则自动编号。", "Leave empty to number a new case automatically."},
	"scan.station":     {"扫描工位", "Station"},
	"scan.source":      {"来源", "Source"},
	"scan.source_scan": {"窗口扫描", "Counter scan"},
	"scan.source_mail": {"邮寄材料", "Mail"},
	"scan.files":       {"扫描文件", "Scanned files"},
	"scan.files_hint":  {"可多选，或把文件拖到这里。PDF、TIFF、JPEG、PNG；多个文件按顺序作为一叠材料。", "Pick several or drop them here. PDF, TIFF, JPEG, PNG; several files are one stack, in order."},
	"scan.submit":      {"上传", "Upload"},
	// a result a department uploaded is filed under the department, not a station
	"scan.station_department": {"%s（部门结果）", "%s (department's result)"},

	"batch.title":             {"批次", "Batch"},
	"scan.recent":             {"最近的批次", "Recent batches"},
	"batch.status.queued":     {"排队中", "queued"},
	"batch.status.processing": {"处理中", "processing"},
	"batch.status.done":       {"已完成", "done"},
	"batch.status.failed":     {"失败", "failed"},
	"batch.id":                {"批次号", "Batch"},
	"batch.progress":          {"处理进度", "Progress"},
	"batch.pages_of":          {"已处理 %d / %d 页", "%d of %d pages done"},
	"batch.documents":         {"材料", "Documents"},
	"batch.dropped":           {"已去除的页", "Pages dropped"},
	"dropped.blank":           {"空白页", "blank"},
	"dropped.separator":       {"分隔页", "separator"},

	"stage.queued":     {"排队等候处理", "Waiting in the queue"},
	"stage.pages":      {"正在识别文字：第 %d 页，共 %d 页", "Reading the pages: %d of %d"},
	"stage.assembling": {"正在拆分、分类、盖章并归档", "Splitting, classifying, stamping and filing"},
	"stage.done":       {"已完成", "Done"},
	"stage.failed":     {"处理失败", "Failed"},

	"doc.title":         {"题名", "Title"},
	"doc.id":            {"材料编号", "Document"},
	"doc.type":          {"材料类型", "Type"},
	"doc.confidence":    {"置信度", "Confidence"},
	"doc.pages":         {"页码", "Pages"},
	"doc.page":          {"第几页", "Page"},
	"doc.needs_review":  {"待复核", "needs review"},
	"doc.reviewed":      {"已复核", "reviewed"},
	"doc.archival_code": {"档号", "Archival code"},
	"doc.applicant":     {"申请人", "Applicant"},
	"doc.matter":        {"事项", "Matter"},
	"doc.open_pdf":      {"在浏览器中打开 PDF", "Open the PDF"},
	"doc.details":       {"详情与来源记录", "Details and provenance"},
	"doc.fix_type":      {"更正类型", "Correct type"},
	"doc.reason":        {"原因", "Reason"},
	"doc.save_type":     {"保存类型", "Save type"},
	"doc.confirm":       {"类型正确", "Type is right"},
	"doc.created":       {"归档时间", "Filed"},
	"doc.superseded_by": {"已被更正为", "Superseded by"},
	"doc.export":        {"导出案卷", "Export case"},
	"doc.report":        {"四性检测", "Four-properties report"},
	"doc.events":        {"来源与访问记录", "Provenance and access"},
	"document.title":    {"材料", "Document"},

	"doc.signature":         {"电子签名", "Signature"},
	"doc.signature_valid":   {"有效", "valid"},
	"doc.signature_invalid": {"无效", "not valid"},
	"doc.timestamp":         {"时间戳", "time-stamped"},
	"doc.intact":            {"存档文件与签名时一致", "the filed copy is the one signed"},
	"doc.not_intact":        {"存档文件在签名后被改动", "the filed copy changed after signing"},

	"type.application_form":        {"申请表", "Application form"},
	"type.id_card":                 {"身份证", "ID card"},
	"type.business_license":        {"营业执照", "Business licence"},
	"type.power_of_attorney":       {"授权委托书", "Power of attorney"},
	"type.commitment_letter":       {"承诺书", "Commitment letter"},
	"type.property_certificate":    {"不动产权证书", "Property certificate"},
	"type.household_register":      {"户口簿", "Household register"},
	"type.articles_of_association": {"公司章程", "Articles of association"},
	"type.foreign_document":        {"境外文书", "Foreign document"},
	"type.other":                   {"其他材料", "Other"},

	"regroup.title":  {"调整分组（移动页、拆分、合并）", "Regroup (move pages, split, merge)"},
	"regroup.hint":   {"每行一份材料，填写页码，如 1, 2 或 3-5。清空一行即合并到其他行；在最后一行填写页码即拆出新材料。", "One document per row: page numbers such as 1, 2 or 3-5. Empty a row to merge it away; fill the last row to split off a new document."},
	"regroup.new":    {"新材料的页码", "Pages of a new document"},
	"regroup.auto":   {"自动分类", "Classify automatically"},
	"regroup.submit": {"保存分组", "Save grouping"},

	"review.title":      {"待复核材料", "Documents to review"},
	"review.count":      {"共 %d 份待复核。", "%d documents to review."},
	"review.open":       {"操作", "Open"},
	"review.open_batch": {"打开批次复核", "Review in its batch"},
	"review.empty":      {"没有待复核的材料。", "Nothing to review."},

	"search.title":      {"档案检索", "Archive search"},
	"search.q":          {"全文检索", "Search text"},
	"search.any":        {"不限", "Any"},
	"search.from":       {"归档日期从", "Filed from"},
	"search.to":         {"至", "to"},
	"search.purpose":    {"查阅目的", "Purpose"},
	"search.submit":     {"检索", "Search"},
	"search.facets":     {"筛选", "Filters"},
	"search.total":      {"共 %d 条结果", "%d results"},
	"search.none":       {"没有找到匹配的材料。", "No documents match."},
	"search.prev":       {"上一页", "Previous"},
	"search.next":       {"下一页", "Next"},
	"facet.type":        {"类型", "Type"},
	"facet.case_no":     {"办件", "Case"},
	"facet.matter":      {"事项", "Matter"},
	"facet.departments": {"部门", "Department"},

	"event.time":                {"时间", "Time"},
	"event.type":                {"事件", "Event"},
	"event.agent":               {"执行者", "Agent"},
	"event.detail":              {"说明", "Detail"},
	"event.received":            {"接收", "received"},
	"event.digitised":           {"数字化", "digitised"},
	"event.ocr":                 {"文字识别", "OCR"},
	"event.classified":          {"分类", "classified"},
	"event.stamped":             {"盖章", "stamped"},
	"event.filed":               {"归档", "filed"},
	"event.signed":              {"电子签名", "signed"},
	"event.accessed":            {"访问", "accessed"},
	"event.legal_hold":          {"法律保全", "legal hold"},
	"event.imported":            {"导入", "imported"},
	"event.corrected":           {"更正", "corrected"},
	"event.delivered":           {"已推送", "delivered"},
	"event.legal_hold_set":      {"设置法律保全", "legal hold set"},
	"event.legal_hold_released": {"解除法律保全", "legal hold released"},
	"event.timestamped":         {"补加时间戳", "time-stamped later"},
	"event.archive_timestamped": {"存档时间戳（证据续期）", "archive time-stamp (evidence renewed)"},

	"agent.onewindow":       {"本系统", "onewindow"},
	"agent.tesseract":       {"Tesseract 文字识别", "Tesseract OCR"},
	"agent.station":         {"扫描工位", "station"},
	"agent.station.unnamed": {"扫描工位（未注明）", "station (not named)"},
	"agent.reviewer":        {"复核员", "reviewer"},
	"agent.token":           {"用户", "user"},
	"agent.department":      {"部门", "department"},
	"access.view":           {"查看著录信息", "view"},
	"access.view_pdf":       {"查看 PDF", "view PDF"},
	"access.view_text":      {"查看识别文本", "view text"},
	"access.link":           {"生成下载链接", "link"},
	"delivered_by.webhook":  {"接口推送", "webhook"},
	"delivered_by.s3":       {"对象存储投递", "S3"},
	"delivered_by.pull":     {"部门拉取", "pull"},

	"hold.title":  {"法律保全", "Legal hold"},
	"hold.action": {"操作", "Action"},
	"hold.on":     {"设置保全", "Place a hold"},
	"hold.off":    {"解除保全", "Release the hold"},
	"hold.submit": {"保存", "Save"},

	"report.title":               {"四性检测报告", "Four-properties report"},
	"report.ok":                  {"全部通过", "All passed"},
	"report.not_ok":              {"有未通过项", "Some checks failed"},
	"report.pdf":                 {"打印版（PDF）", "Printable (PDF)"},
	"prop.authenticity":          {"真实性", "Authenticity"},
	"prop.integrity":             {"完整性", "Integrity"},
	"prop.usability":             {"可用性", "Usability"},
	"prop.security":              {"安全性", "Security"},
	"status.pass":                {"通过", "pass"},
	"status.warn":                {"警告", "warning"},
	"status.fail":                {"未通过", "fail"},
	"status.":                    {"—", "—"},
	"check.archival_code_unique": {"档号唯一性", "Archival code unique"},
	"check.archival_code_claim":  {"档号登记", "Archival code claimed"},
	"report.code_shared":         {"档号 %s 同时属于", "Archival code %s is also held by"},

	"ops.title":          {"运行监控", "Operations"},
	"ops.health":         {"服务健康", "Health"},
	"ops.svc.redis":      {"Redis 队列与索引", "Redis (queues, indexes)"},
	"ops.svc.minio":      {"MinIO 对象存储", "MinIO (object storage)"},
	"ops.svc.ocr":        {"OCR 文字识别", "OCR engine"},
	"ops.up":             {"正常", "up"},
	"ops.down":           {"异常", "down"},
	"ops.build":          {"本进程版本", "This process's release"},
	"ops.queues":         {"队列积压", "Queue depth"},
	"ops.queue":          {"队列", "Queue"},
	"ops.depth":          {"待处理任务", "Tasks waiting"},
	"ops.no_queues":      {"暂无队列数据。", "No queue figures yet."},
	"ops.dashboard":      {"打开队列面板", "Open the queue dashboard"},
	"ops.dashboard_hint": {"（用户名任意，密码为运维或管理员令牌）", "(any user name; an operator's or the admin token as password)"},
	"ops.failed":         {"失败批次", "Failed batches"},
	"ops.failed_total":   {"本进程启动以来 %s 个", "%s since this process started"},
	"ops.failed_missing": {"接口暂不提供失败批次列表。", "The API does not list failed batches yet."},
	"ops.no_failed":      {"没有失败的批次。", "No failed batches."},
	"ops.error":          {"原因", "Error"},
	"ops.retry":          {"重试", "Retry"},
	"ops.watch":          {"扫描共享文件夹", "Watched scanner folder"},
	"ops.watch_waiting":  {"%d 个文件等待中（仍在写入或待上传）", "%d files waiting (still being written or not yet taken)"},
	"ops.watch_file":     {"文件", "File"},
	"ops.watch_outcome":  {"结果", "Outcome"},
	"ops.watch_uploaded": {"已上传，查看批次", "Uploaded: open the batch"},
	"err.duplicate_file": {"同样的文件已经上传过，未重复处理。", "The same file was uploaded before; it was not processed twice."},

	"ops.evidence":         {"时间戳与证据续期", "Time-stamps and evidence renewal"},
	"ops.evidence_off":     {"未运行：没有配置时间戳服务（--tsa-url）或 --timestamp-every 为 0", "Not running: no time-stamp service (--tsa-url) or --timestamp-every is 0"},
	"ops.evidence_last":    {"上次运行", "Last run"},
	"ops.evidence_never":   {"尚未运行", "not yet"},
	"ops.evidence_counts":  {"查看 %d 份，补加时间戳 %d 份，续期（存档时间戳）%d 份", "%d checked, %d time-stamped later, %d renewed with an archive time-stamp"},
	"ops.evidence_waiting": {"%d 份文件等待时间戳", "%d copies waiting for a time-stamp"},
	"ops.evidence_next":    {"下次运行约在", "Next run about"},

	"desk.not_yet": {"该工作台的接口尚未启用，稍后即可使用。", "This desk's API is not available yet."},

	"cases.title":                       {"综合窗口", "Window"},
	"cases.list":                        {"办件（逾期在前）", "Cases (overdue first)"},
	"cases.none":                        {"暂无办件。", "No cases."},
	"cases.new":                         {"新建办件", "Open a case"},
	"cases.open":                        {"创建", "Open"},
	"case.title":                        {"办件", "Case"},
	"case.state":                        {"状态", "State"},
	"case.due":                          {"办结时限", "Due"},
	"case.overdue":                      {"已逾期", "overdue"},
	"case.channel":                      {"受理渠道", "Channel"},
	"case.applicant_name":               {"申请人姓名或单位名称", "Applicant's name"},
	"case.id_number":                    {"身份证号（个人）", "ID number (person)"},
	"case.uscc":                         {"统一社会信用代码（单位）", "Credit code (organisation)"},
	"case.check":                        {"材料齐全性", "Completeness"},
	"case.complete":                     {"齐全", "complete"},
	"case.incomplete":                   {"不齐全", "incomplete"},
	"case.item_status":                  {"情况", "Status"},
	"case.notices":                      {"通知书", "Notices"},
	"case.deliveries":                   {"部门推送", "Deliveries"},
	"case.department":                   {"部门", "Department"},
	"case.attempts":                     {"尝试次数", "Attempts"},
	"case.result_due":                   {"结果应返回日期", "Result due"},
	"case.decide":                       {"受理决定", "Decision"},
	"case.decision":                     {"决定", "Decision"},
	"case.decide_submit":                {"保存决定并生成通知书", "Decide and file the notice"},
	"case.scan_more":                    {"为此办件扫描补充材料", "Scan more for this case"},
	"case.result":                       {"上传办理结果", "Upload the result"},
	"case.result_file":                  {"结果文件（PDF）", "Result (PDF)"},
	"case.result_submit":                {"上传", "Upload"},
	"case.result_kind":                  {"结果类别", "Kind of result"},
	"case.result_note":                  {"说明", "Note"},
	"result.decision":                   {"审批决定", "Decision"},
	"result.certificate":                {"证书", "Certificate"},
	"result.licence":                    {"许可证照", "Licence"},
	"result.other":                      {"其他", "Other"},
	"err.bad_result_kind":               {"没有这种结果类别。", "No such kind of result."},
	"case.timeline":                     {"办理经过", "Timeline"},
	"channel.counter":                   {"窗口", "counter"},
	"channel.mail":                      {"邮寄", "mail"},
	"item.present":                      {"已提交", "present"},
	"item.missing":                      {"缺少", "missing"},
	"item.deferrable_missing":           {"缺少（可容缺）", "missing, may follow"},
	"decision.accept":                   {"受理", "Accept"},
	"decision.accept_with_deficiencies": {"容缺受理", "Accept with deficiencies"},
	"decision.correction_required":      {"一次性告知补正", "Ask for corrections"},
	"decision.reject":                   {"不予受理", "Refuse"},
	"notice.acceptance":                 {"受理通知书", "Acceptance notice"},
	"notice.correction":                 {"补正材料通知书", "Correction notice"},
	"notice.deferred_acceptance":        {"容缺受理通知书", "Deferred acceptance notice"},
	"notice.refusal":                    {"不予受理通知书", "Refusal notice"},
	"notice.mail_receipt":               {"寄递收件回执", "Mail receipt"},
	"state.received":                    {"已接收", "received"},
	"state.accepted":                    {"已受理", "accepted"},
	"state.accepted_with_deficiencies":  {"容缺受理", "accepted with deficiencies"},
	"state.correction_required":         {"待补正", "corrections asked"},
	"state.rejected":                    {"不予受理", "refused"},
	"state.pending":                     {"待推送", "pending"},
	"state.delivered":                   {"已送达", "delivered"},
	"state.acknowledged":                {"已接收", "acknowledged"},
	"state.failed":                      {"失败", "failed"},

	"mail.title":        {"寄递收件", "Courier desk"},
	"mail.carrier":      {"快递公司", "Carrier"},
	"mail.waybill":      {"运单号", "Waybill"},
	"mail.waybill_hint": {"可直接用扫码枪扫描，回车后自动跳到下一栏。", "Scan it with the barcode scanner; Enter moves on to the next field."},
	"mail.sender":       {"寄件人", "Sender"},
	"mail.phone":        {"寄件人电话", "Sender's phone"},
	"mail.address":      {"寄件地址", "Sender's address"},
	"mail.signed_by":    {"签收人", "Signed for by"},
	"mail.pieces":       {"件数", "Pieces"},
	"mail.submit":       {"登记", "Log it"},
	"mail.receipt":      {"收件回执", "Receipt"},
	"mail.id":           {"登记号", "Entry"},
	"mail.at":           {"登记时间", "Logged at"},
	"mail.print":        {"打印回执", "Print the receipt"},
	"mail.today":        {"今日登记簿", "Today's register"},
	"mail.none":         {"今天还没有登记。", "Nothing logged today."},
	"carrier.EMS":       {"EMS 中国邮政", "EMS"},
	"carrier.SF":        {"顺丰", "SF Express"},
	"carrier.JD":        {"京东物流", "JD Logistics"},
	"carrier.other":     {"其他", "other"},

	"department.title":             {"部门办件", "Department"},
	"department.none":              {"暂无。", "None."},
	"department.delivered":         {"已送达，待接收", "Delivered, waiting for you"},
	"department.pending":           {"正在推送", "Being delivered"},
	"department.failed":            {"推送失败", "Failed"},
	"department.acknowledged":      {"已接收", "Acknowledged"},
	"department.updated":           {"更新时间", "Updated"},
	"department.action":            {"操作", "Action"},
	"department.ack":               {"确认接收", "Acknowledge"},
	"department.open":              {"打开办件", "Open the case"},
	"department.ready":             {"待领取，可确认接收", "Ready for you to fetch"},
	"department.answered":          {"已答复办理结果", "Result sent"},
	"state.answered":               {"已答复", "answered"},
	"handout.title":                {"结果发放", "Hand the result out"},
	"handout.method":               {"发放方式", "How"},
	"handout.pickup":               {"窗口领取", "Collected at the window"},
	"handout.mail":                 {"邮寄送达", "Mailed"},
	"handout.collector_name":       {"领取人姓名", "Collector's name"},
	"handout.collector_id":         {"领取人身份证号", "Collector's ID number"},
	"handout.id_end":               {"申请人身份证号末四位", "Last four of the applicant's ID number"},
	"handout.id_end_hint":          {"请与领取人所持身份证核对；受托人领取须有在案的授权委托书。", "Hold them beside the collector's card; someone else collects only with a power of attorney on file."},
	"handout.confirmed":            {"已核验领取人身份证件，领取人当面确认领取", "I checked the collector's ID card and they confirmed receipt in person"},
	"handout.address":              {"寄送地址（不填则寄往申请人登记的地址）", "Address (empty: the applicant's)"},
	"handout.note":                 {"备注", "Note"},
	"handout.submit":               {"发放并办结", "Hand out and close the case"},
	"handout.done":                 {"已发放", "Handed out"},
	"handout.by":                   {"经办人", "By"},
	"authority.applicant":          {"申请人本人", "the applicant"},
	"authority.power_of_attorney":  {"受托人（凭授权委托书）", "an agent with a power of attorney"},
	"flash.handed_out":             {"结果已发放，办件已办结。", "The result is handed out and the case closed."},
	"err.handout_unconfirmed":      {"请勾选：已核验领取人身份证件并当面确认领取。", "Tick the box: the collector's ID was checked and receipt confirmed."},
	"err.missing_collector":        {"请填写领取人姓名和身份证号。", "Give the collector's name and ID number."},
	"err.collector_not_authorised": {"领取人既不是申请人本人，也不是在案授权委托书载明的受托人。", "The collector is neither the applicant nor named by a power of attorney on file."},
	"err.already_handed_out":       {"该办件的结果已经发放。", "This case's result was handed out already."},
	"err.bad_method":               {"请选择发放方式。", "Choose how the result is handed out."},
	"err.bad_confirmation":         {"领取确认方式无效。", "The confirmation is not valid."},
	"flash.acknowledged":           {"已确认接收。", "Acknowledged."},
	"mail.register_pdf":            {"打印今日登记簿（PDF）", "Print today's register (PDF)"},
	"state.submitted":              {"已提交", "submitted"},
	"state.pre_accepted":           {"预受理", "pre-accepted"},
	"state.in_review":              {"审查中", "in review"},
	"state.result_ready":           {"已出结果", "result ready"},
	"state.closed":                 {"已办结", "closed"},

	"error.title": {"出错了", "Something went wrong"},
	"error.code":  {"错误代码", "Error code"},
	"error.back":  {"返回上一页", "Back"},
	"error.home":  {"回到工作台", "Start page"},

	"err.generic":                {"操作未能完成。请返回上一页再试一次；仍不成功时，请把下方的错误代码告诉运维人员。", "That did not work. Go back and try again; if it still fails, tell the operators the error code below."},
	"err.internal":               {"服务器出现问题，已记录，请稍后再试。", "The server failed; it has been logged. Try again later."},
	"err.forbidden":              {"您的角色无权进行此操作。", "Your role may not do that."},
	"err.bad_csrf":               {"表单已失效或来源不明，已拒绝。请刷新页面后重试。", "The form is stale or forged and was refused. Reload the page and try again."},
	"err.bad_credentials":        {"用户名、密码或令牌不正确。", "The user name, password or token is wrong."},
	"err.rate_limited":           {"尝试次数过多，请稍等片刻再试。", "Too many attempts; wait a moment and try again."},
	"err.page_not_found":         {"没有这个页面。", "No such page."},
	"err.not_found":              {"没有找到。", "Not found."},
	"err.batch_not_found":        {"没有这个批次。", "No such batch."},
	"err.document_not_found":     {"没有这份材料。", "No such document."},
	"err.case_not_found":         {"没有这个办件。", "No such case."},
	"err.bad_request":            {"上传内容无法读取，请重新上传。", "The upload could not be read; send it again."},
	"err.no_file":                {"请选择要上传的扫描文件。", "Choose the scanned files to upload."},
	"err.empty_file":             {"有一个文件是空的（0 字节），请检查扫描件。", "One file is empty (0 bytes); check the scan."},
	"err.corrupt_file":           {"文件已损坏或不完整，请重新扫描。", "A file is damaged or incomplete; scan it again."},
	"err.encrypted_pdf":          {"PDF 设有密码，请上传未加密的文件。", "The PDF is password-protected; upload an unprotected one."},
	"err.no_pages":               {"文件里没有页面。", "The file has no pages."},
	"err.unreadable_image":       {"有一页的图像编码本系统无法读取，请重新扫描，或另存为 PDF 后上传。", "A page is stored in an image encoding this service cannot read; scan it again or save it as PDF."},
	"err.ocr_engine_crashed":     {"有一页连续两次使文字识别程序出错，其他批次不受影响。请重新扫描这一页（尽量清晰）后再上传。", "One page made the text-recognition engine fail twice; other batches are unaffected. Scan that page again, as clean as you can, and upload it."},
	"err.too_large":              {"文件太大，超过本厅允许的上限。", "The upload is larger than this hall accepts."},
	"err.too_many_pages":         {"页数太多，请分批上传。", "Too many pages; upload in several batches."},
	"err.image_too_large":        {"有一页的图像尺寸过大，请降低扫描分辨率。", "A page image is too large; scan at a lower resolution."},
	"err.unsupported_media_type": {"不支持的文件类型。请上传 PDF、TIFF、JPEG 或 PNG 扫描件。", "Unsupported file type. Upload PDF, TIFF, JPEG or PNG scans."},
	"err.bad_source":             {"来源只能是窗口扫描或邮寄。", "The source must be scan or mail."},
	"err.queue_unavailable":      {"处理队列暂时不可用，文件已保存，请稍后重试。", "The queue is unavailable; the file is kept. Try again shortly."},
	"err.storage_unavailable":    {"存储暂时不可用，请稍后重试。", "Storage is unavailable; try again shortly."},
	"err.redis_unavailable":      {"索引服务暂时不可用，请稍后重试。", "The index service is unavailable; try again shortly."},
	"err.ocr_failed":             {"文字识别失败，请检查扫描质量后重试。", "Text recognition failed; check the scan and try again."},
	"err.batch_not_done":         {"批次还在处理中，完成后才能更正。", "The batch is still being processed; correct it once done."},
	"err.correction_pending":     {"上一次更正仍在处理，请稍候。", "An earlier correction is still being applied; wait a moment."},
	"err.document_superseded":    {"这份材料已被更正版本取代，请处理新版本。", "This document was replaced; work on its successor."},
	"err.unknown_type":           {"没有这种材料类型。", "No such document type."},
	"err.missing_type":           {"请选择材料类型。", "Choose a type."},
	"err.bad_page_list":          {"页码格式不对，请写成 1, 2 或 3-5。", "Write page numbers as 1, 2 or 3-5."},
	"err.page_out_of_range":      {"页码超出了本批次的范围。", "A page number is not in this batch."},
	"err.duplicate_page":         {"同一页出现了两次。", "A page appears twice."},
	"err.missing_page":           {"有页面没有分到任何材料。", "A page was left out of every document."},
	"err.no_documents":           {"请至少保留一份材料。", "Keep at least one document."},
	"err.empty_document":         {"有一份材料没有页面。", "A document has no pages."},
	"err.bad_json":               {"提交的内容格式不对。", "The request was not in the expected form."},
	"err.bad_parameter":          {"检索条件格式不对（日期请用 年-月-日）。", "A search field is not valid (dates: YYYY-MM-DD)."},
	"err.search_unavailable":     {"检索服务暂不可用。", "Search is not available."},
	"err.audit_unavailable":      {"访问记录无法写入，按规定暂停查阅，请稍后重试。", "The access log cannot be written, so access is paused. Try again shortly."},
	"err.version_conflict":       {"办件刚被他人修改，请刷新后重新决定。", "Someone changed the case meanwhile; reload and decide again."},
	"err.illegal_transition":     {"当前状态下不能作出这个决定。", "That decision is not possible in the case's state."},
	"err.bad_waybill":            {"运单号与快递公司的格式不符，请核对。", "The waybill does not fit the carrier; check it."},
	"err.wrong_applicant_kind":   {"申请人类型与事项不符（个人填身份证号，单位填统一社会信用代码）。", "The applicant's kind does not fit the matter (a person gives an ID number, an organisation a credit code)."},
	"err.bad_party_kind":         {"申请人类型只能是个人或单位。", "The applicant must be a person or an organisation."},
	"err.bad_id_number":          {"身份证号校验不通过，请核对。", "The ID number does not check out; look at it again."},
	"err.bad_uscc":               {"统一社会信用代码校验不通过，请核对。", "The credit code does not check out; look at it again."},
	"err.missing_id_number":      {"请填写申请人的身份证号。", "Give the applicant's ID number."},
	"err.missing_uscc":           {"请填写单位的统一社会信用代码。", "Give the organisation's credit code."},
	"err.missing_name":           {"请填写姓名或单位名称。", "Give a name."},
	"err.unknown_matter":         {"没有这个事项。", "No such matter."},
	"err.bad_channel":            {"受理渠道只能是窗口或邮寄。", "The channel must be counter or mail."},
	"err.bad_decision":           {"没有这种决定。", "No such decision."},
	"err.reason_required":        {"这个决定需要填写原因。", "This decision needs a reason."},
	"err.bad_carrier":            {"请选择快递公司。", "Choose a carrier."},
	"err.bad_phone":              {"电话号码格式不对。", "The phone number is not valid."},
	"err.bad_pieces":             {"件数须为正整数。", "Pieces must be a whole number from 1."},
	"err.missing_signed_by":      {"请填写签收人。", "Give who signed for it."},
	"err.no_sender":              {"请填写寄件人。", "Give the sender."},
	"err.notice_not_found":       {"没有这份通知书。", "No such notice."},
	"err.delivery_not_found":     {"没有这次推送。", "No such delivery."},
	"err.unknown_department":     {"令牌所属部门不在部门配置中。", "The token's department is not in the departments file."},
	"err.missing_department":     {"请指明部门。", "Name the department."},
	"err.not_a_pdf":              {"结果文件必须是 PDF。", "The result must be a PDF."},
	"err.missing_file":           {"请选择要上传的文件。", "Choose the file to upload."},
	"err.not_your_case":          {"这个办件不属于本部门。", "This case is not your department's."},
	"err.bad_if_match":           {"页面上的版本号无效，请刷新后重试。", "The page's version is not valid; reload and try again."},
	"err.case_exists":            {"办件编号已存在。", "That case number exists already."},
	"err.version_contended":      {"办件正被同时修改，请稍后重试。", "The case is being changed at the same moment; try again."},
	"err.missing_token":          {"请先登录。", "Sign in first."},
	"err.invalid_token":          {"令牌无效。", "The token is not valid."},
}
