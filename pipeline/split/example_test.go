package split_test

import (
	"fmt"

	"onewindow/pipeline/classify"
	"onewindow/pipeline/split"
)

func ExamplePages() {
	pages := []split.Page{
		{Text: "授权委托书\n委托人：张三\n受托人：李四"},
		{Text: "某某有限公司章程\n第一章 总则\n第一条 根据《公司法》制定本章程。"},
		{Text: "第二条 公司设执行董事一名。\n第三条 本章程自签字之日起生效。"},
	}
	fmt.Println(split.Pages(pages, classify.Default(), split.Options{}))
	// Output: [[0] [1 2]]
}
