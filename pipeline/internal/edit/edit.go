// Package edit measures how far one text is from another, for OCR error rates and for
// matching a misread code to a clean reading.
package edit

// Distance is the Levenshtein distance between a and b: insertions, deletions and
// substitutions of one rune each. Two rows of the table, so memory is O(len(b)).
func Distance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
