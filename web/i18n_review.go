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
	// Turning a page that was scanned sideways or upside down: the filed PDF shows it turned.
	"regroup.rotate":                    {"顺时针旋转90°", "Turn 90° clockwise"},
	"regroup.rotations":                 {"页面方向（顺时针旋转）", "Page turns (clockwise)"},
	"regroup.rotations_hint":            {"扫反或扫歪的页面可在此旋转，保存后重新归档的PDF按此方向显示。", "Turn a page scanned sideways or upside down; once saved, the refiled PDF shows it turned."},
	"err.bad_rotation":                  {"页面只能旋转0°、90°、180°或270°。", "A page can be turned by 0°, 90°, 180° or 270° only."},
	"err.rotation_page_not_in_document": {"旋转的页面不在这份材料里。", "A turned page is not in its document."},
}

func init() { maps.Copy(catalogue, reviewMessages) }
