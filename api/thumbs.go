package api

import (
	"encoding/json"
	"image"
	_ "image/gif" // page images are JPEG or PNG; the others only so a stray one decodes
	"image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"strconv"

	"golang.org/x/image/draw"

	"onewindow/internal/auth"
	"onewindow/internal/errs"
	"onewindow/storage"
)

// thumbWidth is the width of page thumbnails: wide enough to read a page's heading and tell
// one form from the next while regrouping by dragging. That shows personal data, so the route
// is for roles that see pages (CapSeePages), and the pages show them only to roles that see
// personal data in full.
const thumbWidth = 240

// getPageThumb answers a small JPEG of page n of a batch as the workers turned it upright.
func (s *Server) getPageThumb(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	const op = "api.getPageThumb"
	ctx := r.Context()
	b, err := s.batch(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !p.SeesStation(b.Station) {
		return errs.E(op, errs.NotFound, "batch_not_found", "No batch has that ID.", nil)
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= b.PagesTotal {
		return errs.E(op, errs.NotFound, "page_not_found", "The batch has no page with that index (0-based).", nil)
	}
	rc, _, err := s.Blobs.Open(ctx, storage.Work, storage.PageResultKey(b.ID, n))
	if errs.KindOf(err) == errs.NotFound {
		return errs.E(op, errs.NotFound, "page_not_ready", "That page has not been processed yet.", nil)
	}
	if err != nil {
		return err
	}
	var res storage.PageResult
	err = json.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&res)
	rc.Close()
	if err != nil || res.ImageKey == "" {
		return errs.E(op, errs.NotFound, "page_not_ready", "That page has no image yet.", err)
	}
	img, _, err := s.Blobs.Open(ctx, storage.Work, res.ImageKey)
	if err != nil {
		return err
	}
	defer img.Close()
	src, _, err := image.Decode(img)
	if err != nil {
		return errs.E(op, errs.Internal, "page_unreadable", "The page image cannot be read.", err)
	}
	sb := src.Bounds()
	if sb.Dx() == 0 {
		return errs.E(op, errs.Internal, "page_unreadable", "The page image is empty.", nil)
	}
	h := max(1, sb.Dy()*thumbWidth/sb.Dx())
	dst := image.NewRGBA(image.Rect(0, 0, thumbWidth, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, sb, draw.Src, nil)
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	return jpeg.Encode(w, dst, &jpeg.Options{Quality: 75})
}
