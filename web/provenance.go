package web

import (
	"regexp"
	"strings"
)

// Provenance events are filed in the archive's own terms (English and machine-readable, as the
// record keeps them for any reader); the pages put them in the clerk's language.

// Agent is who did a provenance event: "station:NAME", "reviewer:NAME", "token:NAME",
// "department:ID", "onewindow" or the OCR engine.
func (l lang) Agent(a string) string {
	kind, name, ok := strings.Cut(a, ":")
	switch {
	case !ok:
		return l.or("agent."+a, a)
	case name == "":
		return l.or("agent."+kind+".unnamed", a)
	case l.Has("agent." + kind):
		return l.T("agent."+kind) + " " + name
	}
	return a
}

// detailForm is the shape of one event type's detail and its Chinese wording.
type detailForm struct {
	re *regexp.Regexp
	zh func(l lang, m []string) string
}

var detailForms = map[string]detailForm{
	"digitised": {regexp.MustCompile(`^(\d+) pages?$`), func(_ lang, m []string) string { return "共 " + m[1] + " 页" }},
	"classified": {regexp.MustCompile(`^(\S+) (\d\.\d+)$`), func(l lang, m []string) string {
		return l.TypeName(m[1]) + "（置信度 " + m[2] + "）"
	}},
	"accessed": {regexp.MustCompile(`^(\w+), access log entry (\d+)(?:, purpose: (.*))?$`), func(l lang, m []string) string {
		s := l.or("access."+m[1], m[1]) + "，访问日志第 " + m[2] + " 条"
		if m[3] != "" {
			s += "，用途：" + m[3]
		}
		return s
	}},
	"delivered": {regexp.MustCompile(`^package (\S+) \(idempotency key \S+\) by (\w+)$`), func(l lang, m []string) string {
		return "推送包 " + m[1] + "（" + l.or("delivered_by."+m[2], m[2]) + "）"
	}},
	"corrected": {regexp.MustCompile(`^revision (\d+) of batch (\S+) replaces ([^:]*)(?:: (.*))?$`), func(_ lang, m []string) string {
		s := "批次 " + m[2] + " 第 " + m[1] + " 次更正，取代 " + m[3]
		if m[4] != "" {
			s += "；原因：" + m[4]
		}
		return s
	}},
	"imported": {regexp.MustCompile(`^from a BagIt bag$`), func(lang, []string) string { return "从 BagIt 包导入" }},
	// archive.signedEvent writes these: the level, signer and time, then the time-stamp or
	// why there is none yet.
	"signed": {regexp.MustCompile(`^PAdES (B-[A-Z]+) by (.+) at (\S+?)(?:(, time-stamped (\S+))|(; no time-stamp yet.*))?$`), func(_ lang, m []string) string {
		s := "本中心电子签名（PAdES " + m[1] + "），签署证书：" + m[2] + "，签署时间：" + m[3]
		switch {
		case m[4] != "":
			s += "；时间戳：" + m[5]
		case m[6] != "":
			s += "；时间戳服务未响应，尚无时间戳"
		default:
			s += "；无时间戳"
		}
		return s
	}},
}

// detailFormsEN put the codes inside an English detail into words (its zh field holds the
// English wording); the rest of the detail is English as filed.
var detailFormsEN = map[string]detailForm{
	"classified": {detailForms["classified"].re, func(l lang, m []string) string {
		return l.TypeName(m[1]) + " (confidence " + m[2] + ")"
	}},
	"accessed": {detailForms["accessed"].re, func(l lang, m []string) string {
		s := l.or("access."+m[1], m[1]) + ", access log entry " + m[2]
		if m[3] != "" {
			s += ", purpose: " + m[3]
		}
		return s
	}},
}

// EventDetail is a provenance event's detail in the page's language; a detail of a form it
// does not know is shown as filed.
func (l lang) EventDetail(typ, detail string) string {
	forms := detailForms
	if l.idx() != zh {
		forms = detailFormsEN
	}
	f, ok := forms[typ]
	if !ok {
		return detail
	}
	m := f.re.FindStringSubmatch(detail)
	if m == nil {
		return detail
	}
	return f.zh(l, m)
}
