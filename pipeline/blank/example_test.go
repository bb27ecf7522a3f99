package blank_test

import (
	"fmt"
	"image"

	"onewindow/pipeline/blank"
)

// A black sheet (a scanner lid left open) is kept, not dropped as blank, and Dark says so,
// so that a person can look at it.
func ExampleDark() {
	page := image.NewGray(image.Rect(0, 0, 620, 877))
	for i := range page.Pix {
		page.Pix[i] = 8
	}
	fmt.Println(blank.IsBlank(page), blank.Dark(page))
	// Output: false true
}
