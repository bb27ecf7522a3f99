// Package qr encodes text as QR code modules, for the stamp on filed documents and the
// case number on notices.
package qr

import (
	"fmt"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// Modules encodes s as a QR code (error correction M, UTF-8, no quiet zone: the drawing's
// padding provides it) and returns its modules, true for dark, row 0 at the top.
func Modules(s string) ([][]bool, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M,
		gozxing.EncodeHintType_MARGIN:           0,
		gozxing.EncodeHintType_CHARACTER_SET:    "UTF-8",
	}
	m, err := qrcode.NewQRCodeWriter().Encode(s, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return nil, fmt.Errorf("encode QR: %w", err)
	}
	rows := make([][]bool, m.GetHeight())
	for y := range rows {
		rows[y] = make([]bool, m.GetWidth())
		for x := range rows[y] {
			rows[y][x] = m.Get(x, y)
		}
	}
	return rows, nil
}

// Runs calls fill for every horizontal run of dark modules (row, first column, length), so a
// drawing needs one rectangle a run rather than one a module.
func Runs(modules [][]bool, fill func(row, col, n int)) {
	for row, line := range modules {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < len(line) && line[col] {
				col++
			}
			fill(row, start, col-start)
		}
	}
}
