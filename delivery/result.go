package delivery

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"onewindow/archive"
	"onewindow/internal/errs"
	"onewindow/internal/tasks"
	"onewindow/pipeline/pages"
)

// DefaultMaxResultBytes bounds a department's result upload: decisions, certificates and
// e-licences are a few pages.
const DefaultMaxResultBytes = 20 << 20

// Result kinds a department may upload.
var resultKinds = map[string]bool{"decision": true, "certificate": true, "licence": true, "other": true}

// ResultUpload is a department's result PDF, read and checked, ready to be filed.
type ResultUpload struct {
	Data   []byte
	Pages  int
	Digest archive.Digests
	Kind   string // decision (default), certificate, licence or other
	Note   string // the department's own words, at most 2000 bytes
	// FileName is the name the department gave; kept for the record, never used to judge
	// the content.
	FileName string
}

// ReadResult reads the multipart upload of POST /api/v1/cases/{case_no}/results: a `file`
// part holding one PDF (required), and optional `kind` and `note` fields. The PDF must start
// as a PDF, stay within maxBytes (DefaultMaxResultBytes when 0), open without a password and
// have pages; the caller files Data as it files any document.
func ReadResult(ctx context.Context, r *http.Request, maxBytes int64) (*ResultUpload, error) {
	const op = "delivery.ReadResult"
	if maxBytes <= 0 {
		maxBytes = DefaultMaxResultBytes
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return nil, errs.E(op, errs.Unsupported, "unsupported_media_type", "Send the result as multipart/form-data with a `file` part.", nil)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "bad_multipart", "The multipart body cannot be read.", err)
	}
	up := &ResultUpload{Kind: "decision"}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errs.E(op, errs.Invalid, "bad_multipart", "The multipart body cannot be read.", err)
		}
		switch part.FormName() {
		case "file":
			if up.Data != nil {
				return nil, errs.E(op, errs.Invalid, "one_file_only", "Send one result file per upload.", nil)
			}
			up.FileName = part.FileName()
			// One byte over the limit is enough to know it is too large.
			data, err := io.ReadAll(io.LimitReader(part, maxBytes+1))
			if err != nil {
				return nil, errs.E(op, errs.Invalid, "bad_multipart", "The file part cannot be read.", err)
			}
			if int64(len(data)) > maxBytes {
				return nil, errs.Errorf(op, errs.TooLarge, "too_large", "The result is larger than the %d bytes this hall accepts.", maxBytes)
			}
			up.Data = data
		case "kind", "note":
			v, err := io.ReadAll(io.LimitReader(part, 2001))
			if err != nil || len(v) > 2000 {
				return nil, errs.Errorf(op, errs.Invalid, "bad_field", "The %s field is unreadable or longer than 2000 bytes.", part.FormName())
			}
			if part.FormName() == "note" {
				up.Note = strings.TrimSpace(string(v))
			} else if k := strings.TrimSpace(string(v)); k != "" {
				up.Kind = k
			}
		default:
			// Unknown parts are drained, not kept: a client adding a field breaks nothing.
			io.Copy(io.Discard, io.LimitReader(part, maxBytes))
		}
		part.Close()
	}
	if up.Data == nil {
		return nil, errs.E(op, errs.Invalid, "missing_file", "The upload has no `file` part.", nil)
	}
	if !resultKinds[up.Kind] {
		return nil, errs.Errorf(op, errs.Invalid, "bad_result_kind", "The kind %q is not decision, certificate, licence or other.", up.Kind)
	}
	if err := checkResultPDF(ctx, up); err != nil {
		return nil, err
	}
	up.Digest, _ = archive.DigestOf(bytes.NewReader(up.Data))
	return up, nil
}

func checkResultPDF(ctx context.Context, up *ResultUpload) error {
	const op = "delivery.ReadResult"
	kind, err := pages.Sniff(up.Data[:min(len(up.Data), pages.SniffLen)])
	if err != nil {
		return tasks.InputError(op, err)
	}
	if kind != pages.KindPDF {
		return errs.Errorf(op, errs.Unsupported, "not_a_pdf", "A result must be a PDF, not a %s image.", kind)
	}
	src, err := pages.Open(ctx, up.Data, pages.Limits{MaxPages: 500})
	if err != nil {
		if errors.Is(err, pages.ErrEncrypted) {
			return errs.E(op, errs.Invalid, "encrypted_pdf", "The PDF is encrypted or has permissions set; upload the unprotected original, which is archived.", err)
		}
		return tasks.InputError(op, err)
	}
	up.Pages = src.Len()
	return src.Close()
}
