package web

import "maps"

// reviewMessages are the batch page's words for corrections being filed and for regrouping
// by dragging thumbnails.
var reviewMessages = map[string][2]string{
	"batch.refile_pending":  {"更正正在重新归档，本页稍后自动刷新并显示结果。", "The correction is being filed; this page refreshes by itself to show it."},
	"regroup.drag_hint":     {"调整分组：把页面缩略图拖到另一份材料上即可移页，拖到下面的空白处即拆出新材料；调整完请点“保存分组”。", "Regroup: drag a page's thumbnail onto another document to move it, or into the space below to split off a new document; then choose “Save grouping”."},
	"flash.retyped_filed":   {"类型已更正并重新归档。", "Type corrected and the document filed anew."},
	"flash.regrouped_filed": {"分组已更正并重新归档。", "Grouping corrected and the documents filed anew."},
	"regroup.changed":       {"分组已调整，尚未保存。", "The grouping has changed and is not saved yet."},
}

func init() { maps.Copy(catalogue, reviewMessages) }
