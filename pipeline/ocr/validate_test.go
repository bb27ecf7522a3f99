package ocr

import (
	"testing"
)

func TestDecodes(t *testing.T) {
	_, page := testPage(t)
	good := page.Data
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0xff
	for _, tc := range []struct {
		name string
		data []byte
		want bool
	}{
		{"png", good, true},
		{"png truncated", good[:len(good)-20], false},
		{"png damaged", flipped, false},
		{"png header only", good[:8], false},
		{"not an image", []byte("%PDF-1.7"), false},
		{"empty", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decodes(tc.data); got != tc.want {
				t.Errorf("decodes = %v, want %v", got, tc.want)
			}
		})
	}
}
