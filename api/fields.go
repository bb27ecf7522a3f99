package api

import (
	"net/http"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/pipeline/extract"
	"onewindow/storage"
)

// FieldsRequest is the body of PUT /api/v1/documents/{id}/fields: the ID numbers and credit
// codes a reviewer read off the scan. Each list given replaces what was read for its kind (an
// empty list clears it); a list left out stays as read.
type FieldsRequest struct {
	IDNumbers *[]string `json:"id_numbers,omitempty"`
	USCC      *[]string `json:"uscc,omitempty"`
	Reason    string    `json:"reason,omitempty"`
}

// correctFields files a reviewer's ID numbers and credit codes for a document as a correction
// of its batch, like a change of type: the document is filed anew with the values, marked as
// the reviewer's, and the original stays in the archive, superseded.
func (rv *Review) correctFields(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	const op = "api.correctFields"
	var req FieldsRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	fields := map[string][]string{}
	for _, k := range []struct {
		name  string
		list  *[]string
		valid func(string) bool
	}{{"id_numbers", req.IDNumbers, extract.ValidIDNumber}, {"uscc", req.USCC, extract.ValidUSCC}} {
		if k.list == nil {
			continue
		}
		fields[k.name] = []string{}
		for _, v := range *k.list {
			if !k.valid(v) {
				// The value is personal data: the message names the field, not the value.
				return errs.Errorf(op, errs.Invalid, "invalid_field",
					"A value of %s is not valid: its check character or structure is wrong.", k.name)
			}
			fields[k.name] = append(fields[k.name], v)
		}
	}
	if len(fields) == 0 {
		return errs.E(op, errs.Invalid, "missing_fields", `Send "id_numbers" or "uscc" (or both) as lists.`, nil)
	}
	d, b, err := rv.liveDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	docs := make([]storage.CorrectedDocument, len(b.Documents))
	for i, bd := range b.Documents {
		docs[i] = storage.CorrectedDocument{Pages: bd.Pages, Type: bd.Type}
		if bd.ID == d.ID {
			docs[i].Fields = fields
		}
	}
	return rv.submit(w, r, p, b, docs, req.Reason)
}
