package api

import (
	"net/http"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/fields"
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
	sent := map[string]*[]string{fields.IDNumbers: req.IDNumbers, fields.USCC: req.USCC}
	corrected := map[string][]string{}
	for _, f := range extract.Finders {
		list := sent[f.Field]
		if list == nil || f.Valid == nil {
			continue
		}
		corrected[f.Field] = []string{}
		for _, v := range *list {
			if !f.Valid(v) {
				// The value is personal data: the message names the field, not the value.
				return errs.Errorf(op, errs.Invalid, "invalid_field",
					"A value of %s is not valid: its check character or structure is wrong.", f.Field)
			}
			corrected[f.Field] = append(corrected[f.Field], v)
		}
	}
	if len(corrected) == 0 {
		return errs.E(op, errs.Invalid, "missing_fields", `Send "id_numbers" or "uscc" (or both) as lists.`, nil)
	}
	d, b, err := rv.liveDocument(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	docs := make([]storage.CorrectedDocument, len(b.Documents))
	for i, bd := range b.Documents {
		docs[i] = storage.CorrectedDocument{Pages: bd.Pages, Type: bd.Type}
		if bd.ID == d.ID {
			docs[i].Fields = corrected
		}
	}
	return rv.submit(w, r, p, b, docs, req.Reason)
}
