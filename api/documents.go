package api

import (
	"io"
	"net/http"
	"strconv"

	"onewindow/internal/auth"
	"onewindow/storage"
)

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d, err := s.State.GetDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !p.SeesFullIDs() {
		d.Fields = auth.MaskFields(d.Fields)
	}
	WriteJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) getDocumentPDF(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	return s.streamDocument(w, r, storage.DocumentPDFKey, "application/pdf")
}

func (s *Server) getDocumentText(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if p.SeesFullIDs() {
		return s.streamDocument(w, r, storage.DocumentTextKey, "text/plain; charset=utf-8")
	}
	// Roles that see ID numbers masked in the metadata see them masked in the text too.
	d, err := s.State.GetDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	rc, _, err := s.Blobs.Open(r.Context(), storage.Archive, storage.DocumentTextKey(d.ID))
	if err != nil {
		return err
	}
	defer rc.Close()
	text, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	masked := auth.MaskIDs(string(text), d.Fields["id_numbers"]...)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(masked)))
	_, err = io.WriteString(w, masked)
	return err
}

func (s *Server) streamDocument(w http.ResponseWriter, r *http.Request, key func(string) string, contentType string) error {
	d, err := s.State.GetDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	rc, info, err := s.Blobs.Open(r.Context(), storage.Archive, key(d.ID))
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
	if d.SHA256 != "" && contentType == "application/pdf" {
		w.Header().Set("Digest", "sha-256="+d.SHA256)
	}
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, rc)
	if err != nil {
		s.Log.Warn("stream interrupted", "document", d.ID, "err", err)
	}
	return nil
}
