package classify_test

import (
	"fmt"
	"strings"

	"onewindow/pipeline/classify"
)

func ExampleClassifier_Classify() {
	c := classify.New(classify.Default(), nil)
	typ, conf := c.Classify("授 权 委 托 书\n委托人：张三\n受托人：李四\n委托期限：一年")
	fmt.Println(typ, classify.NeedsReview(conf, classify.DefaultReviewThreshold))
	// Output: power_of_attorney false
}

func ExampleLoad() {
	_, err := classify.Load(strings.NewReader("types:\n  - name: permit\n    patterns:\n      - {regex: '(', weight: 1}\n  - name: other\n"))
	fmt.Println(err)
	// Output: taxonomy line 4: bad regex "(": error parsing regexp: missing closing ): `(`
}
