package web

import "maps"

// opsMessages are the operators' page's words for the indexes the reconciler repairs, kept
// beside the catalogue they join so that neither file outgrows the house limit.
var opsMessages = map[string][2]string{
	"ops.repairs":          {"索引自动修复", "Indexes repaired"},
	"ops.repairs_hint":     {"系统定期将 Redis 和检索索引与 MinIO 中的档案核对，缺失或过期的条目会自动补回。本进程启动以来的补回次数不为零，说明 Redis 或检索曾丢失写入，请查看日志。", "The indexes are compared with the archive in MinIO every period and missing or stale entries are put back. A count above zero since this process started means Redis or search lost writes: see the log."},
	"ops.index":            {"索引", "Index"},
	"ops.repaired":         {"补回条目", "Entries put back"},
	"ops.index.documents":  {"文件索引（Redis）", "Documents (Redis)"},
	"ops.index.search":     {"全文检索", "Full-text search"},
	"ops.index.batches":    {"批次（Redis）", "Batches (Redis)"},
	"ops.index.cases":      {"案件视图与列表（Redis）", "Cases (Redis)"},
	"ops.index.deliveries": {"部门推送列表（Redis）", "Deliveries (Redis)"},
	"ops.index.audit":      {"访问审计链的最新位置（Redis）", "Access audit chain's head (Redis)"},
}

func init() { maps.Copy(catalogue, opsMessages) }
