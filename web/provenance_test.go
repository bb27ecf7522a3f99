package web

import "testing"

func TestProvenanceInTheClerksWords(t *testing.T) {
	zhL, enL := lang{"zh"}, lang{"en"}
	for _, c := range []struct{ in, zh, en string }{
		{"station:room-2", "扫描工位 room-2", "station room-2"},
		{"station:", "扫描工位（未注明）", "station (not named)"},
		{"onewindow", "本系统", "onewindow"},
		{"reviewer:li", "复核员 li", "reviewer li"},
		{"department:taxation", "部门 taxation", "department taxation"},
		{"robot:x", "robot:x", "robot:x"},
	} {
		if got := zhL.Agent(c.in); got != c.zh {
			t.Errorf("zh agent %q = %q, want %q", c.in, got, c.zh)
		}
		if got := enL.Agent(c.in); got != c.en {
			t.Errorf("en agent %q = %q, want %q", c.in, got, c.en)
		}
	}
	// English details are kept as filed but for the codes inside them
	enWords := map[string]string{
		"id_card 0.93": enL.TypeName("id_card") + " (confidence 0.93)",
		"view_pdf, access log entry 12, purpose: 查档": "view PDF, access log entry 12, purpose: 查档",
	}
	for _, c := range []struct{ typ, in, zh string }{
		{"digitised", "3 pages", "共 3 页"},
		{"classified", "id_card 0.93", zhL.TypeName("id_card") + "（置信度 0.93）"},
		{"accessed", "view_pdf, access log entry 12, purpose: 查档", "查看 PDF，访问日志第 12 条，用途：查档"},
		{"accessed", "view, access log entry 7", "查看著录信息，访问日志第 7 条"},
		{"delivered", "package 20261130-00001.taxation.v1 (idempotency key k) by webhook", "推送包 20261130-00001.taxation.v1（接口推送）"},
		{"corrected", "revision 2 of batch b1 replaces d1, d2: 分错了", "批次 b1 第 2 次更正，取代 d1, d2；原因：分错了"},
		{"imported", "from a BagIt bag", "从 BagIt 包导入"},
		{"signed", "PAdES B-LT by 长春市政务服务中心 at 2026-12-07T01:02:03Z, time-stamped 2026-12-07T01:02:04Z",
			"本中心电子签名（PAdES B-LT），签署证书：长春市政务服务中心，签署时间：2026-12-07T01:02:03Z；时间戳：2026-12-07T01:02:04Z"},
		{"signed", "PAdES B-B by 长春市政务服务中心 at 2026-12-07T01:02:03Z; no time-stamp yet, the time-stamp service failed: down",
			"本中心电子签名（PAdES B-B），签署证书：长春市政务服务中心，签署时间：2026-12-07T01:02:03Z；时间戳服务未响应，尚无时间戳"},
		{"signed", "PAdES B-B by 长春市政务服务中心 at 2026-12-07T01:02:03Z", "本中心电子签名（PAdES B-B），签署证书：长春市政务服务中心，签署时间：2026-12-07T01:02:03Z；无时间戳"},
		{"digitised", "something else", "something else"},
		{"legal_hold_set", "court order 5", "court order 5"},
	} {
		if got := zhL.EventDetail(c.typ, c.in); got != c.zh {
			t.Errorf("zh %s %q = %q, want %q", c.typ, c.in, got, c.zh)
		}
		want, ok := enWords[c.in]
		if !ok {
			want = c.in
		}
		if got := enL.EventDetail(c.typ, c.in); got != want {
			t.Errorf("en %s %q = %q, want %q", c.typ, c.in, got, want)
		}
	}
}
