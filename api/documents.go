package api

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"strconv"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/fields"
	"onewindow/storage"
)

// seekOpener is the optional capability of storage to read an object from any offset, which
// Range requests use; without it the whole object is sent.
type seekOpener interface {
	OpenSeeker(ctx context.Context, bk storage.Bucket, key string) (io.ReadSeekCloser, storage.ObjectInfo, error)
}

// document reads a document's index entry as p may see it: a station's scanner sees only its
// station's documents; any other is as if it did not exist.
func (s *Server) document(ctx context.Context, id string, p auth.Principal) (*storage.Document, error) {
	d, err := s.State.GetDocument(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.SeesStation(d.Station) {
		return nil, errs.E("api.document", errs.NotFound, "document_not_found", "No document has that ID.", nil)
	}
	return d, nil
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d, err := s.document(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	if !p.SeesFullIDs() {
		d.Fields = auth.MaskFields(d.Fields)
	}
	// The filed copy's signature, checked now: what the document page shows beside the
	// record. A check that cannot run leaves it out rather than failing the record.
	sig, err := s.signatureStatus(r.Context(), d.ID)
	if err != nil {
		s.Log.WarnContext(r.Context(), "signature not checked", "document", d.ID, "err", err)
		sig = nil
	}
	WriteJSON(w, http.StatusOK, struct {
		*storage.Document
		Signature *SignatureStatus `json:"signature,omitempty"`
	}{d, sig})
	return nil
}

func (s *Server) getDocumentPDF(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d, err := s.document(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	if !p.SeesFullIDs() {
		return s.redactedPDF(w, r, d)
	}
	return s.serveObject(w, r, d, storage.DocumentPDFKey(d.ID), "application/pdf", d.ID+".pdf", d.SHA256)
}

func (s *Server) getDocumentText(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d, err := s.document(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	if p.SeesFullIDs() {
		return s.serveObject(w, r, d, storage.DocumentTextKey(d.ID), "text/plain; charset=utf-8", d.ID+".txt", "")
	}
	// Roles that see ID numbers masked in the metadata see them masked in the text too.
	rc, _, err := s.Blobs.Open(r.Context(), storage.Archive, storage.DocumentTextKey(d.ID))
	if err != nil {
		return err
	}
	defer rc.Close()
	text, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	masked := auth.MaskIDs(string(text), d.Fields[fields.IDNumbers]...)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(masked)))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = io.WriteString(w, masked)
	return err
}

// serveObject sends a filed object with the HTTP a client expects of a file: an ETag (the
// object is write-once, so its SHA-256 names its bytes), Range and conditional requests,
// Content-Disposition and, when its digest is known, Repr-Digest (RFC 9530).
func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, d *storage.Document, key, contentType, filename, sha256hex string) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": filename}))
	h.Set("Cache-Control", "private")
	if raw, err := hex.DecodeString(sha256hex); err == nil && len(raw) == 32 {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(raw)+":")
		h.Set("ETag", `"`+sha256hex+`"`)
	}
	if so, ok := s.Blobs.(seekOpener); ok {
		rs, info, err := so.OpenSeeker(r.Context(), storage.Archive, key)
		if err != nil {
			return err
		}
		defer rs.Close()
		if h.Get("ETag") == "" && info.ETag != "" {
			h.Set("ETag", `"`+info.ETag+`"`)
		}
		http.ServeContent(w, r, "", d.CreatedAt, rs)
		return nil
	}
	rc, info, err := s.Blobs.Open(r.Context(), storage.Archive, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	h.Set("Accept-Ranges", "none")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	if _, err := io.Copy(w, rc); err != nil {
		s.Log.WarnContext(r.Context(), "stream interrupted", "document", d.ID, "err", err)
	}
	return nil
}
