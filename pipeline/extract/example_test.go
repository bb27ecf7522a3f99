package extract_test

import (
	"fmt"

	"onewindow/internal/fields"
	"onewindow/pipeline/extract"
)

func ExampleFields() {
	// OCR split the ID number with spaces and read two zeros as the letter O, which an ID
	// number cannot hold; the last digit is read twice, so which one to drop is a guess:
	// a candidate until a second reading or the case confirms it.
	f := extract.Fields("委托人：杨佳  身份证号码：2201O3 1989O9 195957\n受托人：王伟  身份证号码：2201021984042222247\n日期：2021年1月2日")
	fmt.Println(f.IDNumbers, f.Uncertain[0].Candidates, f.Found[fields.Dates])
	// Output: [220103198909195957] [220102198404222247] [2021-01-02]
}

func ExampleValidUSCC() {
	fmt.Println(extract.ValidUSCC("91220102QFWNB571XW"), extract.ValidUSCC("91220102QFWNB571XX"))
	// Output: true false
}
