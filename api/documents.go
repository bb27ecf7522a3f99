package api

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"onewindow/storage"
)

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request, p Principal) error {
	d, err := s.State.GetDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !seesFullIDs(p.Role) {
		d.Fields = MaskFields(d.Fields)
	}
	WriteJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) getDocumentPDF(w http.ResponseWriter, r *http.Request, _ Principal) error {
	return s.streamDocument(w, r, storage.DocumentPDFKey, "application/pdf")
}

func (s *Server) getDocumentText(w http.ResponseWriter, r *http.Request, p Principal) error {
	if seesFullIDs(p.Role) {
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
	masked := MaskText(string(text), d.Fields["id_numbers"])
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(masked)))
	_, err = io.WriteString(w, masked)
	return err
}

// idLike is an 18-character resident ID number as printed: region, birth date, sequence, check.
var idLike = regexp.MustCompile(`\b\d{6}(?:18|19|20)\d{2}[01]\d[0-3]\d{4}[\dXx]\b`)

// MaskText masks the ID numbers the extractor found in text, and anything else shaped like one.
func MaskText(text string, ids []string) string {
	for _, id := range ids {
		text = strings.ReplaceAll(text, id, MaskID(id))
	}
	return idLike.ReplaceAllStringFunc(text, MaskID)
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

// seesFullIDs: roles that handle the case see resident ID numbers in full; others see them masked.
func seesFullIDs(role string) bool {
	return role == RoleAdmin || role == RoleArchivist || role == RoleScanner || role == RoleReviewer
}

// MaskFields hides the birth date and sequence of resident ID numbers: 220102********2247.
func MaskFields(f map[string][]string) map[string][]string {
	out := make(map[string][]string, len(f))
	for k, vs := range f {
		if k != "id_numbers" {
			out[k] = vs
			continue
		}
		masked := make([]string, len(vs))
		for i, v := range vs {
			masked[i] = MaskID(v)
		}
		out[k] = masked
	}
	return out
}

// MaskID keeps the region prefix and the last four characters of an ID number.
func MaskID(id string) string {
	if len(id) < 10 {
		return "****"
	}
	b := []byte(id)
	for i := 6; i < len(b)-4; i++ {
		b[i] = '*'
	}
	return string(b)
}
