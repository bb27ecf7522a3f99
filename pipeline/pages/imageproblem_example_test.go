package pages_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"onewindow/pipeline/pages"
)

// A page nothing here decodes is refused with the page and the cause in words for the clerk;
// the error wraps a sentinel for the code and the detail for the log.
func ExampleProblem_Sentence() {
	data, _ := os.ReadFile("testdata/formats/tiff-float.tif")
	src, err := pages.Open(context.Background(), data, pages.Limits{})
	if err == nil {
		defer src.Close()
		_, err = src.Page(context.Background(), 0)
	}
	var problem *pages.Problem
	if errors.As(err, &problem) {
		fmt.Println(errors.Is(err, pages.ErrUnreadable))
		fmt.Println(problem.Sentence())
	}
	// Output:
	// true
	// Page 1 of the file stores its pixels in a form this service cannot read (images with 32-bit samples). Save it again as PDF, or as an 8-bit grey or colour TIFF, and upload that.
}
