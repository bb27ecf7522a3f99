// Package pipeline is pure document processing: it turns scanned page images into
// recognised, split, classified and stamped documents. It knows nothing of Redis, MinIO
// or queues; everything here can be tested with files alone.
package pipeline

import "image"

// Image formats a PageImage can carry.
const (
	FormatJPEG = "jpeg"
	FormatPNG  = "png"
)

// PageImage is one scanned page, kept in its original encoding where possible so the
// filed PDF shows exactly what the scanner produced.
type PageImage struct {
	Data   []byte `json:"-"`
	Format string `json:"format"` // FormatJPEG or FormatPNG
	Width  int    `json:"width"`
	Height int    `json:"height"`
	// DPI is the scan resolution; 0 means unknown and is treated as DefaultDPI.
	DPI float64 `json:"dpi"`
	// Text is a born-digital page's own text layer, its boxes in this image's pixels: exact
	// where OCR is not, so it is kept instead. nil for scans.
	Text *OCRPage `json:"-"`
}

// DefaultDPI is assumed when a scan does not say its resolution.
const DefaultDPI = 300

// Word is one recognised word with its box in the upright page image's pixels.
type Word struct {
	Text  string          `json:"text"`
	Box   image.Rectangle `json:"box"`
	Conf  float64         `json:"conf"`
	Block int             `json:"block"`
	Par   int             `json:"par"`
	Line  int             `json:"line"`
}

// OCRPage is what recognition found on one page.
type OCRPage struct {
	Width  int `json:"width"` // upright image size in pixels
	Height int `json:"height"`
	// Rotation is the clockwise turn, in degrees (0, 90, 180, 270), that was applied to the
	// scan to make it upright.
	Rotation int     `json:"rotation"`
	Words    []Word  `json:"words"`
	Text     string  `json:"text"`
	MeanConf float64 `json:"mean_conf"`
	// Reread are codes read a second time from the page image because the text after their
	// label did not validate, or only as a guess; only validated readings are kept.
	Reread []FieldReading `json:"reread,omitempty"`
}

// FieldReading is one code read again from a region of the page image.
type FieldReading struct {
	Kind  string          `json:"kind"`          // "id_number" or "uscc"
	Value string          `json:"value"`         // the validated code
	Box   image.Rectangle `json:"box"`           // the region read, in upright page pixels
	Raw   string          `json:"raw,omitempty"` // what the page's OCR read there
	// Agreed says two readings at different scales read Value as it stands: only then is it
	// filed without a confirmation from elsewhere in the case.
	Agreed bool `json:"agreed,omitempty"`
}

// NormalTurn is a clockwise turn in degrees as 0 up to 359: -90 is 270, 450 is 90.
func NormalTurn(deg int) int { return (deg%360 + 360) % 360 }

// UnturnRect takes r, a rectangle of a w x h image turned clockwise by turn (0, 90, 180 or
// 270), back to the image as it was: where words read on a page a person turned lie on the
// scan as stored. A pixel (x, y) of the image shows at (h-1-y, x) turned 90, at
// (w-1-x, h-1-y) turned 180 and at (y, w-1-x) turned 270.
func UnturnRect(r image.Rectangle, w, h, turn int) image.Rectangle {
	switch NormalTurn(turn) {
	case 90:
		return image.Rect(r.Min.Y, h-r.Max.X, r.Max.Y, h-r.Min.X)
	case 180:
		return image.Rect(w-r.Max.X, h-r.Max.Y, w-r.Min.X, h-r.Min.Y)
	case 270:
		return image.Rect(w-r.Max.Y, r.Min.X, w-r.Min.Y, r.Max.X)
	}
	return r
}
