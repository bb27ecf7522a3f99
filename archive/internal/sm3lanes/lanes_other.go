//go:build !amd64 || purego

package sm3lanes

// Lanes is how many streams this CPU hashes at once; here only serial code runs.
func Lanes() int { return 1 }

func multiBlocks([]*State, [][]byte, int) bool { return false }
