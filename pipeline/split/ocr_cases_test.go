package split

import (
	"image"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"onewindow/pipeline"
	"onewindow/pipeline/classify"
)

// The cases below are cut down from real Tesseract output of generated scans (A4 at 300 dpi,
// 2480×3508 px): words as Tesseract spaces them, titles printed 1.7 times the body size and
// centred, body lines at the left margin.

type printedLine struct {
	text string
	h    int  // glyph height in pixels
	mid  bool // centred
}

const (
	pageW, pageH = 2480, 3508
	bodyH        = 38
	titleH       = 66
	topMargin    = 270
)

func title(s string) printedLine { return printedLine{s, titleH, true} }
func body(s string) printedLine  { return printedLine{s, bodyH, false} }

// scanned lays lines out from y = top the way the corpus generator prints them.
func scanned(top int, lines ...printedLine) Page {
	p := Page{Width: pageW, Height: pageH}
	var texts []string
	y := top
	for i, l := range lines {
		texts = append(texts, strings.ReplaceAll(l.text, " ", ""))
		words := strings.Fields(l.text)
		width := 0
		for _, w := range words {
			width += textWidth(w, l.h) + l.h/2
		}
		x := 280
		if l.mid {
			x = (pageW - width) / 2
		}
		for _, w := range words {
			wd := textWidth(w, l.h)
			p.Words = append(p.Words, pipeline.Word{Text: w, Conf: 90, Block: 1, Line: i,
				Box: image.Rect(x, y, x+wd, y+l.h)})
			x += wd + l.h/2
		}
		y += l.h * 22 / 10
	}
	p.Text = strings.Join(texts, "\n")
	return p
}

// textWidth: Chinese glyphs are square, Latin letters and digits about 0.6 as wide.
func textWidth(s string, h int) int {
	w := 0
	for _, r := range s {
		if r < 128 {
			w += h * 6 / 10
		} else {
			w += h
		}
	}
	return w
}

var (
	commitment = scanned(topMargin,
		title("告知 承诺 书"),
		body("本 人 /本 单位 长春 恒信 科技 有 限 公司 申请 办 理 户口 迁移 ，"),
		body("因 股东 会 决议 暂 缺 ， 申 请 容 缺 受理 。"),
		body("承诺 人 ： 刘 勇 然 身份 证 号 码 ： 220204198002150058"),
		body("承诺 日期 ： 2023 年 11 月 28 日"))
	// The form's first page with its title lost to OCR: the body starts where it would below one.
	formNoTitle = scanned(topMargin+titleH*22/10,
		body("申请 人 （单位 ） 名 称 ： 吉林 华 晟 科技 有 限 公司"),
		body("统一 社会 信用 代码 ： 912202044NODRTU88H"),
		body("联系 电话 ： 19968154632"),
		body("住所 ： 吉林 省 吉林 市 重庆 路 1415 号"),
		body("申请 事项 ： 食品 经营 许可"))
	formPage2 = scanned(topMargin,
		body("申请 日 期 ： 2022 年 8 月 5 日"),
		body("受理 编号 ： JL202285387676"),
		body("本 人 承诺 所 提交 的 申请 材料 真实 、 合 法 、 有 效 。"),
		body("经办 窗口 ： 综合 窗口 16 号"))
	household = scanned(topMargin,
		title("常住 人口 登记 卡"),
		body("户 别 家庭 户 户主 姓名 卢 秀"),
		body("户 号 948912441"),
		body("住址 吉林 省 长春 市 重庆 路 2026 号"),
		body("姓名 卢 强 与 户主 关系 子"),
		body("公民 身份 证件 编号 220204196604267975"))
	// 居民户口簿 read as 居民户口短: no title keyword, but printed as a title.
	householdMisread = scanned(topMargin,
		title("居民 户口 短"),
		body("户 别 家 庭 户 户主 姓名 钱 艳"),
		body("户 号 839521087"),
		body("住址 吉林 省 四平 市 亚泰 大街 2390 号"))
	householdNoTitle = scanned(topMargin+titleH*22/10,
		body("户 别 家庭 户 户主 姓名 吕 远 然"),
		body("户 号 965103503"),
		body("住址 吉林 省 长 春 市 重庆 路 2026 号"),
		body("姓名 傅 平 伟 与 户主 关系 子"),
		body("公民 身份 证件 编号 220204199011068907"))
	charter1 = scanned(topMargin,
		title("有 限 责任 公司 章程"),
		body("第 一 章 总 则"),
		body("第 一 条 为 规范 白山 金鼎 商贸 有 限 公司 的 组 织 和 行为 ， 制 定 本 章程 。"),
		body("第 二 条 公司 名称 ： 白山 金鼎 商贸 有 限 公司 。"))
	charter2 = scanned(topMargin,
		body("第 三 章 注册 资本"),
		body("第 五 条 公司 注册 资本 为 人 民 币 500 万 元 。"),
		body("第 六 条 股东 姓名 ： 高 洋 ， 身 份 证 号 码 ： 220302196407168129。"))
	// Another company's articles whose title OCR lost; OCR also garbled 第一章 into 第_章.
	charterNoTitle = scanned(topMargin+titleH*22/10,
		body("第 _ 章 总 则"),
		body("第 一 条 为 规范 吉林 金鼎 商贸 有 限 公司 的 组 织 和 行为 ， 制 定 本 章程 。"),
		body("第 二 条 公司 名称 ： 吉林 金鼎 商贸 有 限 公司 。"))
	// A Latin page printed in a font without Latin glyphs: OCR reads the boxes as zeros.
	tofu = scanned(topMargin,
		title("00000000000000000000000000"),
		body("0000000 0000000000000000 QO00000 00090"),
		body("0000000000 000000000000000000000 0000000"),
		body("00000000000000 O00"))
)

func TestPagesOnOCRLayouts(t *testing.T) {
	tests := []struct {
		name  string
		pages []Page
		want  [][]int
	}{
		{"title lost to OCR after another type", []Page{commitment, formNoTitle, formPage2}, [][]int{{0}, {1, 2}}},
		{"body-size first line continues the form", []Page{formNoTitle, formPage2}, [][]int{{0, 1}}},
		{"misread title printed as a title", []Page{household, householdMisread}, [][]int{{0}, {1}}},
		{"same form's labels again", []Page{household, householdNoTitle}, [][]int{{0}, {1}}},
		{"clause numbering restarts", []Page{charter1, charter2, charterNoTitle, charter2}, [][]int{{0, 1}, {2, 3}}},
		{"unreadable Latin titles", []Page{commitment, tofu, tofu}, [][]int{{0}, {1}, {2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Pages(tc.pages, classify.Default(), Options{})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Pages mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClause(t *testing.T) {
	tests := []struct {
		line        string
		kind        rune
		first, isOK bool
	}{
		{"第 一 章 总 则", '章', true, true},
		{"第1条 为规范", '条', true, true},
		{"第 十 二 条 股东", '条', false, true},
		{"第_章 总则", 0, false, false},
		{"申请人：某某", 0, false, false},
	}
	for _, tc := range tests {
		kind, first, ok := clause(tc.line)
		if kind != tc.kind || first != tc.first || ok != tc.isOK {
			t.Errorf("clause(%q) = %q, %v, %v; want %q, %v, %v", tc.line, kind, first, ok, tc.kind, tc.first, tc.isOK)
		}
	}
}
