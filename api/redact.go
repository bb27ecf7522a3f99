package api

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"mime"
	"net/http"
	"os"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/internal/fields"
	"onewindow/pipeline"
	"onewindow/pipeline/pages"
	"onewindow/pipeline/pdfout"
	"onewindow/storage"
)

// Viewer PDF policies (Server.ViewerPDF): what a role that sees ID numbers masked gets from
// GET /documents/{id}/pdf, whose page images and text layer carry them in full.
const (
	ViewerPDFRefuse   = "refuse"   // 403 viewer_pdf_refused (the default)
	ViewerPDFRedacted = "redacted" // a copy made from the page images with personal numbers covered
)

// redactedPDF answers a role that sees ID numbers masked: a redacted copy or a refusal, as
// the hall chose.
func (s *Server) redactedPDF(w http.ResponseWriter, r *http.Request, d *storage.Document) error {
	if s.ViewerPDF != ViewerPDFRedacted {
		return errs.E("api.redactedPDF", errs.Forbidden, "viewer_pdf_refused",
			"This hall does not give the filed PDF to roles that see ID numbers masked; read the masked text or metadata.", nil)
	}
	f, err := os.CreateTemp(s.SpoolDir, "onewindow-redacted-*.pdf")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := s.writeRedacted(r.Context(), f, d); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": d.ID + "-redacted.pdf"}))
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", d.CreatedAt, f)
	return nil
}

// writeRedacted writes d anew from its upright page images, each turned as the filed copy
// shows it: resident ID numbers and phone numbers covered on the image where OCR found them
// (on a turned page, where it was read again turned), and left out of the text layer. The
// stamp and the original's metadata are not carried; this copy is for reading only.
func (s *Server) writeRedacted(ctx context.Context, out io.Writer, d *storage.Document) error {
	const op = "api.writeRedacted"
	pw := pdfout.NewWriter(out, pdfout.Meta{Title: d.Title + " (redacted)", CreationDate: d.CreatedAt})
	for _, idx := range d.Pages {
		var res storage.PageResult
		if err := storage.GetJSON(ctx, s.Blobs, storage.Work, storage.PageResultKey(d.BatchID, idx), &res); err != nil {
			return errs.E(op, errs.Unavailable, "redaction_unavailable", "The page images this copy is made from cannot be read.", err)
		}
		data, err := s.getBytes(ctx, storage.Work, res.ImageKey)
		if err != nil {
			return errs.E(op, errs.Unavailable, "redaction_unavailable", "The page images this copy is made from cannot be read.", err)
		}
		// A page a reviewer turned shows turned, and was read again turned (workers' refile):
		// that reading says where its numbers are. A document turned before pages were read
		// again has only the first reading.
		turn := pipeline.NormalTurn(d.Rotations[idx])
		var ocr *pipeline.OCRPage
		shown := false
		if turn != 0 {
			turned := &pipeline.OCRPage{}
			err := storage.GetJSON(ctx, s.Blobs, storage.Work, storage.TurnedOCRKey(d.BatchID, idx, turn), turned)
			switch {
			case err == nil:
				ocr, shown = turned, true
			case errs.KindOf(err) != errs.NotFound:
				return errs.E(op, errs.Unavailable, "redaction_unavailable", "The word boxes this copy is made from cannot be read.", err)
			}
		}
		if ocr == nil && res.OCRKey != "" {
			ocr = &pipeline.OCRPage{}
			if err := storage.GetJSON(ctx, s.Blobs, storage.Work, res.OCRKey, ocr); err != nil {
				return errs.E(op, errs.Unavailable, "redaction_unavailable", "The word boxes this copy is made from cannot be read.", err)
			}
		}
		img := pipeline.PageImage{Data: data, Format: res.Format, Width: res.Width, Height: res.Height, DPI: res.DPI}
		page, err := redactPage(img, ocr, d.Fields[fields.IDNumbers], turn, shown)
		if err != nil {
			return err
		}
		if err := pw.AddPage(page); err != nil {
			return err
		}
	}
	return pw.Close()
}

// redactPage covers the words that carry personal numbers and drops them from the text. The
// page shows turned by turn; shown says ocr was read on the page turned so (its boxes are
// taken back onto the image as stored to be covered).
func redactPage(img pipeline.PageImage, ocr *pipeline.OCRPage, known []string, turn int, shown bool) (pdfout.Page, error) {
	if ocr == nil {
		return pdfout.Page{Image: img, Rotate: turn}, nil
	}
	covered := personalWords(ocr.Words, known)
	var boxes []image.Rectangle
	for _, rr := range ocr.Reread {
		if rr.Kind == "id_number" {
			boxes = append(boxes, rr.Box)
		}
	}
	kept := &pipeline.OCRPage{Width: ocr.Width, Height: ocr.Height, Rotation: ocr.Rotation, MeanConf: ocr.MeanConf,
		Text: auth.MaskPersonal(auth.MaskIDs(ocr.Text, known...))}
	for i, w := range ocr.Words {
		if covered[i] {
			boxes = append(boxes, w.Box)
			continue
		}
		kept.Words = append(kept.Words, w)
	}
	if len(boxes) == 0 {
		return pdfout.Page{Image: img, OCR: kept, Rotate: turn, OCRShown: shown}, nil
	}
	if shown {
		for i, b := range boxes {
			boxes[i] = pipeline.UnturnRect(b, img.Width, img.Height, turn)
		}
	}
	m, err := pages.Decode(img)
	if err != nil {
		return pdfout.Page{}, err
	}
	var dst draw.Image
	if g, ok := m.(*image.Gray); ok {
		dst = g
	} else {
		rgba := image.NewRGBA(m.Bounds())
		draw.Draw(rgba, rgba.Bounds(), m, m.Bounds().Min, draw.Src)
		dst = rgba
	}
	pad := max(2, img.Height/500)
	for _, b := range boxes {
		draw.Draw(dst, b.Inset(-pad).Intersect(dst.Bounds()), image.Black, image.Point{}, draw.Src)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		return pdfout.Page{}, err
	}
	b := dst.Bounds()
	return pdfout.Page{Image: pipeline.PageImage{Data: buf.Bytes(), Format: pipeline.FormatJPEG, Width: b.Dx(), Height: b.Dy(),
		DPI: img.DPI}, OCR: kept, Rotate: turn, OCRShown: shown}, nil
}

// personalWords marks the words that hold part of a resident ID or phone number, found in
// each line's words joined without spaces (OCR may split a number).
func personalWords(words []pipeline.Word, known []string) map[int]bool {
	covered := map[int]bool{}
	type key struct{ block, par, line int }
	lines := map[key][]int{}
	var order []key
	for i, w := range words {
		k := key{w.Block, w.Par, w.Line}
		if _, ok := lines[k]; !ok {
			order = append(order, k)
		}
		lines[k] = append(lines[k], i)
	}
	for _, k := range order {
		var joined []byte
		starts := make([]int, 0, len(lines[k]))
		for _, i := range lines[k] {
			starts = append(starts, len(joined))
			joined = append(joined, words[i].Text...)
		}
		masked := auth.MaskPersonal(auth.MaskIDs(string(joined), known...))
		if len(masked) != len(joined) {
			continue // masking keeps lengths; anything else is not ours to interpret
		}
		for n, i := range lines[k] {
			end := len(joined)
			if n+1 < len(starts) {
				end = starts[n+1]
			}
			if masked[starts[n]:end] != string(joined[starts[n]:end]) {
				covered[i] = true
			}
		}
	}
	return covered
}

func (s *Server) getBytes(ctx context.Context, bk storage.Bucket, key string) ([]byte, error) {
	rc, _, err := s.Blobs.Open(ctx, bk, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 256<<20))
}
