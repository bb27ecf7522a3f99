// Package separator recognises separator sheets: pages carrying a QR code or Code 128
// barcode whose value is "PATCH T", "PATCHT" or starts with "OW-SEP". It runs on every
// page before OCR, so a page without any code must be rejected in a few milliseconds.
package separator

import (
	"image"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"onewindow/pipeline/internal/luma"
)

// IsSeparatorPayload reports whether a decoded barcode value marks a separator sheet.
func IsSeparatorPayload(s string) bool {
	s = strings.TrimSpace(s)
	return s == "PATCH T" || s == "PATCHT" || strings.HasPrefix(s, "OW-SEP")
}

// qrWorkingSide is the long side, in pixels, the page is reduced to before QR search: a
// 300 dpi A4 page becomes a third of its size, which keeps a 1.5 cm QR code at about
// three pixels per module while the search over the page stays cheap.
const qrWorkingSide = 1200

// Detect looks for a QR code or Code 128 barcode on the page. payload is the value of the
// code found ("" if none); isSeparator says whether it marks a separator sheet. When the
// page carries several codes a separator payload wins.
//
// Measured limits on a noisy 300 dpi page: QR codes are found at any angle from 0.34 mm
// modules (a 1 cm code) up; Code 128 from 0.17 mm modules, upright, upside down or turned
// 90 degrees, with up to a few degrees of skew (scan lines are straight, not diagonal).
func Detect(img image.Image) (payload string, isSeparator bool) {
	full := luma.Of(img)
	if full.W < 16 || full.H < 16 {
		return "", false
	}
	var other string
	consider := func(s string) bool {
		if IsSeparatorPayload(s) {
			payload, isSeparator = strings.TrimSpace(s), true
			return true
		}
		if other == "" {
			other = s
		}
		return false
	}

	factor := (max(full.W, full.H) + qrWorkingSide - 1) / qrWorkingSide
	small := full.Downscale(factor)
	for _, s := range decodeQR(small) {
		if consider(s) {
			return payload, true
		}
	}
	for _, s := range decodeCode128Lines(full) {
		if consider(s) {
			return payload, true
		}
	}
	if other == "" && factor > 1 {
		// A QR code too small for the reduced page: look again at full resolution, but
		// only around the dense square blobs that could be one.
		for _, r := range qrCandidates(small, factor) {
			for _, s := range decodeQR(full.Crop(r)) {
				if consider(s) {
					return payload, true
				}
			}
		}
	}
	return other, false
}

var qrHints = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}

// decodeQR returns the value of the QR code on l, if any.
func decodeQR(l *luma.Plane) []string {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(lumaSource{l}))
	if err != nil {
		return nil
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, qrHints)
	if err != nil {
		return nil
	}
	return []string{res.GetText()}
}
