package split

import (
	"image"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"onewindow/pipeline"
	"onewindow/pipeline/classify"
)

func textPages(texts ...string) []Page {
	out := make([]Page, len(texts))
	for i, t := range texts {
		out[i] = Page{Text: t}
	}
	return out
}

const (
	attorney  = "授权委托书\n委托人：张三  身份证号码：220103198909195957\n受托人：李四\n委托期限：一年"
	licence   = "营 业 执 照\n统一社会信用代码 91220102QFWNB571XW\n名称 长春某某有限公司\n登记机关 长春市市场监督管理局"
	articles1 = "长春某某有限公司章程\n第一章 总则\n第一条 根据《中华人民共和国公司法》制定本章程。"
	articles2 = "第 五 条 股东会由全体股东组成。\n第六条 公司设执行董事一名。"
	articles3 = "第八条 本章程自2024年4月3日起生效。\n第九条 本章程由股东签字后生效。"
	formP1    = "行政许可申请表\n申请人（单位）名称：某某公司\n申请事项：食品经营许可"
	formP2    = "申请日期：2023年2月7日\n本人承诺所提交的申请材料真实、合法、有效。\n经办窗口：综合窗口 3 号"
	formA1    = "市场主体登记申请表\n申请单位：长春某某有限公司\n统一社会信用代码：91220102QFWNB571XW\n申请人声明：本单位承诺所填内容真实有效，"
	formA2    = "如有虚假愿承担法律责任。\n本单位郑重承诺遵守有关规定，自愿承担相应责任。\n承诺日期：2024年6月12日"
	licence2  = "统一社会信用代码 91220102QFWNB571XW\n经营范围 食品销售；餐饮服务\n登记机关 长春市市场监督管理局\n市场主体应当于每年报送年度报告。"
	idCard    = "中华人民共和国居民身份证\n姓名 张三\n公民身份号码 220103198909195957"
	english   = "CERTIFICATE OF GOOD STANDING\nThe undersigned certifies that Maple Leaf Holdings Ltd. is in good standing."
)

func TestPages(t *testing.T) {
	tests := []struct {
		name  string
		pages []Page
		opts  Options
		want  [][]int
	}{
		{"empty", nil, Options{}, nil},
		{"one page", textPages(attorney), Options{}, [][]int{{0}}},
		{"same type twice: titles cut", textPages(attorney, attorney), Options{}, [][]int{{0}, {1}}},
		{"articles kept whole", textPages(licence, articles1, articles2, articles3, attorney), Options{},
			[][]int{{0}, {1, 2, 3}, {4}}},
		{"two-page form kept whole", textPages(formP1, formP2, formP1, formP2), Options{}, [][]int{{0, 1}, {2, 3}}},
		{"latin document after chinese", textPages(licence, english, english), Options{}, [][]int{{0}, {1}, {2}}},
		{"page numbers restart", textPages("一些材料\n第1页 共2页", "更多材料\n第2页 共2页", "另一些材料\n第 1 页"), Options{},
			[][]int{{0, 1}, {2}}},
		{"later page number keeps a titled page", textPages(attorney, attorney+"\n- 2 -"), Options{}, [][]int{{0, 1}}},
		{"separators trusted alone", []Page{{Text: attorney}, {Text: attorney}, {Text: licence, AfterSeparator: true}},
			Options{}, [][]int{{0, 1}, {2}}},
		{"content also after separators", []Page{{Text: attorney}, {Text: attorney}, {Text: licence, AfterSeparator: true}},
			Options{Mode: Content}, [][]int{{0}, {1}, {2}}},
		{"separators only ignores content", textPages(attorney, licence), Options{Mode: SeparatorsOnly}, [][]int{{0, 1}}},
		// Continuation pages: no title, and the text runs on or the codes are the document's.
		{"form's next page reads like a commitment but runs on", textPages(formA1, formA2, attorney), Options{},
			[][]int{{0, 1}, {2}}},
		{"licence's next page holds its code", textPages(attorney, licence, licence2), Options{}, [][]int{{0}, {1, 2}}},
		{"a titled copy holding the same code is a document", textPages(attorney, idCard), Options{}, [][]int{{0}, {1}}},
		{"a second copy of the licence is a document", textPages(licence, licence), Options{}, [][]int{{0}, {1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Pages(tc.pages, classify.Default(), tc.opts)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Pages mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// boxedPage lays out lines as OCR words: the first line at titleHeight, the rest at 40 px.
func boxedPage(titleHeight int, lines ...string) Page {
	p := Page{Width: 2480, Height: 3508, Text: strings.Join(lines, "\n")}
	y := 300
	for i, l := range lines {
		h := 40
		if i == 0 {
			h = titleHeight
		}
		x := 200
		for _, w := range strings.Fields(l) {
			p.Words = append(p.Words, pipeline.Word{Text: w, Line: i, Box: image.Rect(x, y, x+h*len([]rune(w)), y+h)})
			x += h*len([]rune(w)) + h
		}
		y += h * 2
	}
	return p
}

func TestTitleSizeFromWordBoxes(t *testing.T) {
	tax := classify.Default()
	body := []string{"单位 某某", "地址 某某路 1 号", "联系电话 13912345678", "备注 无"}
	// A large unknown title at the top, on a page of another confident type, starts a document.
	large := boxedPage(80, append([]string{"会议纪要"}, body...)...)
	small := boxedPage(40, append([]string{"会议纪要"}, body...)...)
	if e := Evidence(large, "application_form", 0.95, "power_of_attorney", 0.99, tax); e < boundaryThreshold {
		t.Errorf("large title + type change: evidence %.1f, want >= %.1f", e, boundaryThreshold)
	}
	if e := Evidence(small, classify.Other, 0.4, "power_of_attorney", 0.99, tax); e >= boundaryThreshold {
		t.Errorf("body-size first line: evidence %.1f, want < %.1f", e, boundaryThreshold)
	}
	titled := boxedPage(80, append([]string{"授权委托书"}, body...)...)
	if e := Evidence(titled, "", 0, "power_of_attorney", 0.99, tax); e < titleKeyword {
		t.Errorf("large keyword title: evidence %.1f, want >= %.1f", e, titleKeyword)
	}
}

func TestPageNumber(t *testing.T) {
	tests := []struct {
		text     string
		n, total int
		ok       bool
	}{
		{"正文\n第 1 页", 1, 0, true},
		{"第2页 共3页", 2, 3, true},
		{"共3页 第3页", 3, 0, true},
		{"（第2页）", 2, 0, true},
		{"- 2 -", 2, 0, true},
		{"1/3", 1, 3, true},
		{"Page 2 of 5", 2, 5, true},
		{"page 4", 4, 0, true},
		{"日期 2021/1/2", 0, 0, false},
		{"4/3", 0, 0, false},
		{"第一条 总则", 0, 0, false},
	}
	for _, tc := range tests {
		n, total, ok := PageNumber(tc.text)
		if n != tc.n || total != tc.total || ok != tc.ok {
			t.Errorf("PageNumber(%q) = %d, %d, %v; want %d, %d, %v", tc.text, n, total, ok, tc.n, tc.total, tc.ok)
		}
	}
}

func FuzzPageNumber(f *testing.F) {
	for _, s := range []string{"第 1 页", "1/3", "- 2 -", "Page 1 of 3", "", "第999999999999999999999页"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, total, ok := PageNumber(s); ok && (n < 1 || total != 0 && total < n) {
			t.Errorf("PageNumber(%q) = %d, %d", s, n, total)
		}
		Pages([]Page{{Text: s}, {Text: s}}, nil, Options{})
	})
}

func TestCloseUp(t *testing.T) {
	for in, want := range map[string]string{
		"章：程":    "章程",
		"委 托 书":  "委托书",
		"委“托”书":  "委托书",
		"章程":     "章程",
		"姓名：王伟":  "姓名：王伟",
		"第 1 页":  "第 1 页",
		"甲：乙 丙丁": "甲：乙 丙丁",
	} {
		if got := closeUp(in); got != want {
			t.Errorf("closeUp(%q) = %q, want %q", in, got, want)
		}
	}
}
