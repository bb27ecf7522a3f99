package api

import (
	"net/http"

	"onewindow/internal/errs"
	"onewindow/storage"
)

// Viewer PDF policies (Server.ViewerPDF): what a role that sees ID numbers masked gets from
// GET /documents/{id}/pdf, whose page images and text layer carry them in full.
const (
	ViewerPDFRefuse   = "refuse"   // 403 viewer_pdf_refused (the default)
	ViewerPDFRedacted = "redacted" // a copy with ID numbers covered and out of the text layer
)

// redactedPDF answers a role that sees ID numbers masked.
func (s *Server) redactedPDF(w http.ResponseWriter, r *http.Request, d *storage.Document) error {
	if s.ViewerPDF == ViewerPDFRedacted && s.Redactor != nil {
		return s.Redactor(w, r, d)
	}
	return errs.E("api.redactedPDF", errs.Forbidden, "viewer_pdf_refused",
		"This hall does not give the filed PDF to roles that see ID numbers masked; read the masked text or metadata.", nil)
}
