package ocr

import (
	"bytes"
	"fmt"
	"image"
	"math"

	"onewindow/pipeline"
)

// shrinkQuality is the JPEG quality of a shrunk continuous-tone page: a scanner's own
// setting is usually 75-85, and a shrunk page is filed in place of the scan's copy.
const shrinkQuality = 88

// Shrink returns the page image scaled down to at most maxPixels, in its own colours (a
// bilevel page as gray PNG, anything else as JPEG), with its DPI scaled alike; a page that
// is small enough comes back as it is.
func Shrink(img pipeline.PageImage, maxPixels int64) (pipeline.PageImage, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil {
		return img, fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	if px <= maxPixels {
		return img, nil
	}
	scale := math.Sqrt(float64(maxPixels) / float64(px))
	out, isPNG, ok := resizeImage(img.Data, scale, shrinkQuality)
	trimCHeap() // the decoded page was the biggest thing this process will hold
	if !ok {
		return img, fmt.Errorf("%w: cannot shrink a %dx%d page", ErrBadImage, cfg.Width, cfg.Height)
	}
	small, _, err := image.DecodeConfig(bytes.NewReader(out))
	if err != nil {
		return img, fmt.Errorf("%w: shrunk page: %v", ErrBadImage, err)
	}
	res := pipeline.PageImage{Data: out, Format: pipeline.FormatJPEG, Width: small.Width, Height: small.Height}
	if isPNG {
		res.Format = pipeline.FormatPNG
	}
	if img.DPI > 0 {
		res.DPI = img.DPI * float64(small.Width) / float64(cfg.Width)
	}
	return res, nil
}
