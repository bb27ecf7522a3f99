package stamp

import (
	"fmt"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// qrModules encodes s as a QR code (error correction M, no quiet zone: the stamp's padding
// provides it) and returns its modules, true for dark, row 0 at the top.
func qrModules(s string) ([][]bool, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_ERROR_CORRECTION: decoder.ErrorCorrectionLevel_M,
		gozxing.EncodeHintType_MARGIN:           0,
		gozxing.EncodeHintType_CHARACTER_SET:    "UTF-8",
	}
	m, err := qrcode.NewQRCodeWriter().Encode(s, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return nil, fmt.Errorf("stamp: encode QR: %w", err)
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

// drawQR fills the dark modules as rectangles, one per horizontal run to keep the content
// stream short, in a side x side square with its bottom left at (x, y).
func drawQR(c *canvas, modules [][]bool, x, y, side float64) {
	n := len(modules)
	if n == 0 {
		return
	}
	mod := side / float64(n)
	for row, line := range modules {
		top := y + side - float64(row+1)*mod
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < len(line) && line[col] {
				col++
			}
			c.printf("%s %s %s %s re\n", num(x+float64(start)*mod), num(top), num(float64(col-start)*mod), num(mod))
		}
	}
	c.printf("f\n")
}
