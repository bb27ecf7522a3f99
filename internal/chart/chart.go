// Package chart holds the arithmetic the hall's charts share, whether drawn as SVG on the
// manager page or as vectors in the PDF report, so that both show the same axis.
package chart

// Scale is a round axis end at or above top (a 1, 2 or 5 times a power of ten step, at
// most five steps) and its ticks from 0.
func Scale(top float64) (end float64, ticks []float64) {
	if top <= 0 {
		return 1, []float64{0, 1}
	}
	step := 1.0
	for top/step > 5 {
		switch {
		case top/(step*2) <= 5:
			step *= 2
		case top/(step*5) <= 5:
			step *= 5
		default:
			step *= 10
		}
	}
	end = step * float64(int((top+step-1e-9)/step))
	for t := 0.0; t <= end+1e-9; t += step {
		ticks = append(ticks, t)
	}
	return end, ticks
}

// StackTop is the highest of n stacked bars, bar i being the sum of every series' value i.
func StackTop(n int, series ...[]float64) float64 {
	top := 0.0
	for i := range n {
		sum := 0.0
		for _, s := range series {
			sum += s[i]
		}
		top = max(top, sum)
	}
	return top
}
