package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindsMapToStatusAndRetry(t *testing.T) {
	tests := []struct {
		err    error
		status int
		retry  bool
		code   string
	}{
		{E("op", Invalid, "corrupt_file", "Broken.", nil), 400, false, "corrupt_file"},
		{E("op", Unsupported, "", "", nil), 415, false, "unsupported"},
		{E("op", TooLarge, "too_large", "Big.", nil), 413, false, "too_large"},
		{E("op", Unavailable, "storage_unavailable", "Down.", nil), 503, true, "storage_unavailable"},
		{E("op", NotFound, "batch_not_found", "No.", nil), 404, false, "batch_not_found"},
		{fmt.Errorf("wrapped: %w", E("op", Forbidden, "forbidden", "No.", nil)), 403, false, "forbidden"},
		{errors.New("plain"), 500, true, "internal"},
	}
	for _, tt := range tests {
		if got := HTTPStatus(tt.err); got != tt.status {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tt.err, got, tt.status)
		}
		if got := Retryable(tt.err); got != tt.retry {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.retry)
		}
		if got := CodeOf(tt.err); got != tt.code {
			t.Errorf("CodeOf(%v) = %q, want %q", tt.err, got, tt.code)
		}
	}
}

func TestInternalCauseNeverReachesClients(t *testing.T) {
	err := fmt.Errorf("dial tcp 10.0.0.5:6379: secret detail")
	if msg := MessageOf(err); msg == err.Error() {
		t.Fatalf("internal cause leaked: %q", msg)
	}
}
