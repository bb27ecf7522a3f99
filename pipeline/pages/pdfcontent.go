package pages

// The content-stream lexer: just enough PDF syntax to see that a page paints one image.

// singleImageDo reads a content stream and, if all it does is paint one XObject (with only
// state changes, clipping and colour setting around it), returns the XObject's name and the
// transformation it is painted with.
func singleImageDo(content []byte) (string, matrix, bool) {
	ctm := identity
	var stack []matrix
	var nums []float64
	var name, found string
	var at matrix
	lx := lexer{b: content}
	for {
		tok, kind := lx.next()
		switch kind {
		case tokEOF:
			return found, at, found != ""
		case tokOther:
			return "", matrix{}, false
		case tokNumber:
			v, ok := parseNumber(tok)
			if !ok {
				return "", matrix{}, false
			}
			nums = append(nums, v)
			continue
		case tokName:
			name = string(tok)
			continue
		}
		switch string(tok) {
		case "q":
			if len(stack) > 64 {
				return "", matrix{}, false
			}
			stack = append(stack, ctm)
		case "Q":
			if len(stack) > 0 {
				ctm, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case "cm":
			if len(nums) != 6 {
				return "", matrix{}, false
			}
			ctm = matrix(nums).mul(ctm)
		case "Do":
			if found != "" || name == "" {
				return "", matrix{}, false
			}
			found, at = name, ctm
		// Operators that change state, set colours or build a clipping path without painting.
		case "w", "J", "j", "M", "ri", "i", "gs", "g", "G", "rg", "RG", "k", "K", "cs", "CS",
			"sc", "SC", "scn", "SCN", "m", "l", "c", "v", "y", "h", "re", "W", "W*", "n",
			"BMC", "EMC", "MP":
		default:
			return "", matrix{}, false
		}
		nums, name = nums[:0], ""
	}
}

// matrix is a PDF transformation [a b c d e f].
type matrix []float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first), as cm concatenates onto the CTM.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokNumber
	tokName
	tokOperator
	tokOther // strings, arrays, dictionaries: never part of a plain image page
)

type lexer struct {
	b []byte
	i int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' || c == '%'
}

func (lx *lexer) next() ([]byte, tokKind) {
	for lx.i < len(lx.b) {
		c := lx.b[lx.i]
		if isSpace(c) {
			lx.i++
			continue
		}
		if c == '%' {
			for lx.i < len(lx.b) && lx.b[lx.i] != '\n' && lx.b[lx.i] != '\r' {
				lx.i++
			}
			continue
		}
		break
	}
	if lx.i >= len(lx.b) {
		return nil, tokEOF
	}
	c := lx.b[lx.i]
	if c == '/' {
		lx.i++
	} else if isDelim(c) {
		return nil, tokOther
	}
	start := lx.i
	for lx.i < len(lx.b) && !isSpace(lx.b[lx.i]) && !isDelim(lx.b[lx.i]) {
		lx.i++
	}
	tok := lx.b[start:lx.i]
	switch {
	case c == '/':
		return tok, tokName
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return tok, tokNumber
	}
	return tok, tokOperator
}

func parseNumber(tok []byte) (float64, bool) {
	var v, scale float64
	neg, seenDigit := false, false
	for i, c := range tok {
		switch {
		case (c == '-' || c == '+') && i == 0:
			neg = c == '-'
		case c == '.' && scale == 0:
			scale = 1
		case c >= '0' && c <= '9':
			seenDigit = true
			if scale == 0 {
				v = v*10 + float64(c-'0')
			} else {
				scale /= 10
				v += float64(c-'0') * scale
			}
		default:
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	return v, seenDigit
}
