package stamp

import "onewindow/internal/qr"

// qrModules is qr.Modules.
var qrModules = qr.Modules

// drawQR fills the dark modules as rectangles, one per horizontal run to keep the content
// stream short, in a side x side square with its bottom left at (x, y).
func drawQR(c *canvas, modules [][]bool, x, y, side float64) {
	n := len(modules)
	if n == 0 {
		return
	}
	mod := side / float64(n)
	qr.Runs(modules, func(row, col, run int) {
		top := y + side - float64(row+1)*mod
		c.printf("%s %s %s %s re\n", num(x+float64(col)*mod), num(top), num(float64(run)*mod), num(mod))
	})
	c.printf("f\n")
}
