package pages

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// pdfWith builds a one-page PDF whose catalog carries extra entries, with a correct xref.
func pdfWith(catalogExtra string, extraObjs ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R " + catalogExtra + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
	}
	objs = append(objs, extraObjs...)
	var b strings.Builder
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

func TestActiveContent(t *testing.T) {
	tests := []struct {
		name string
		pdf  []byte
		want []string
	}{
		{"plain", pdfWith(""), nil},
		{"open action script", pdfWith("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), []string{ActiveJavaScript}},
		{"names tree script", pdfWith("/Names << /JavaScript 4 0 R >>", "<< /Names [(a) << /S /JavaScript /JS (x) >>] >>"), []string{ActiveJavaScript}},
		{"launch", pdfWith("/OpenAction << /S /Launch /F (cmd.exe) >>"), []string{ActiveLaunch}},
		{"embedded file", pdfWith("/Names << /EmbeddedFiles 4 0 R >>", "<< /Names [] >>"), []string{ActiveEmbeddedFile}},
		{"submit form", pdfWith("/AcroForm << /Fields [] >> /AA << /WC << /S /SubmitForm /F (http://x) >> >>"), []string{ActiveFormAction}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ActiveContent(context.Background(), tt.pdf)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
