package pages_test

import (
	"context"
	"errors"
	"fmt"

	"onewindow/pipeline/pages"
)

func ExampleSniff() {
	kind, err := pages.Sniff([]byte("%PDF-1.7\n"))
	fmt.Println(kind, err)
	_, err = pages.Sniff([]byte("PK\x03\x04"))
	fmt.Println(errors.Is(err, pages.ErrUnsupported), err)
	// Output:
	// pdf <nil>
	// true unsupported file type: ZIP archive (or DOCX/XLSX/OFD)
}

func ExampleOpen() {
	upload := []byte("not a scan")
	src, err := pages.Open(context.Background(), upload, pages.Limits{})
	if err != nil {
		// Input errors are final: map them to a 4xx answer, never retry.
		fmt.Println(errors.Is(err, pages.ErrUnsupported))
		return
	}
	defer src.Close()
	for i := range src.Len() {
		page, err := src.Page(context.Background(), i)
		if err != nil {
			return
		}
		fmt.Println(page.Format, page.Width, page.Height, page.DPI)
	}
	// Output:
	// true
}
