package web

import "maps"

// managerMessages are the management page's words for the work done and waiting, and the
// window's link to the tablet rating view, kept beside the catalogue they join so that
// neither file outgrows the house limit.
var managerMessages = map[string][2]string{
	"mgr.pages":           {"数字化页数", "Pages digitised"},
	"mgr.pages_day":       {"每日数字化页数", "Pages digitised per day"},
	"mgr.backlog":         {"待处理任务（此刻）", "Tasks waiting (now)"},
	"mgr.backlog_queue":   {"队列", "Queue"},
	"mgr.backlog_none":    {"暂时无法读取", "cannot be read now"},
	"mgr.queue.critical":  {"批次与办件任务", "Batches and cases"},
	"mgr.queue.pages":     {"逐页识别", "Pages (OCR)"},
	"mgr.q_pending":       {"等待", "waiting"},
	"mgr.q_active":        {"处理中", "running"},
	"mgr.q_later":         {"定时", "scheduled"},
	"handout.rate_tablet": {"请申请人在评价器上评价", "Ask the applicant to rate on the tablet"},
	"mgr.q_retry":         {"待重试", "to retry"},
}

func init() { maps.Copy(catalogue, managerMessages) }
