package auth

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An ID number is masked wherever a document's fields hold it: read, or a candidate no
// reading settled. Credit codes are an organisation's and stay whole.
func TestMaskFields(t *testing.T) {
	got := MaskFields(map[string][]string{
		"id_numbers":           {"220103198909195957"},
		"id_numbers_uncertain": {"220102198404222247"},
		"uscc_uncertain":       {"912202044N0DRTU88H"},
		"phones":               {"13912345678"},
	})
	want := map[string][]string{
		"id_numbers":           {"220103********5957"},
		"id_numbers_uncertain": {"220102********2247"},
		"uscc_uncertain":       {"912202044N0DRTU88H"},
		"phones":               {"139****5678"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MaskFields (-want +got):\n%s", diff)
	}
}
