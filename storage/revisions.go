package storage

import (
	"fmt"
	"strconv"
	"strings"
)

// RevisionDocumentID names document n of a batch's correction rev. Filed documents are never
// replaced in place, so each revision's documents get IDs of their own.
func RevisionDocumentID(batchID string, rev, n int) string {
	return fmt.Sprintf("%s-r%d-%03d", batchID, rev, n+1)
}

// RevisionOf is the correction a document ID was filed by: 0 for the first assembly.
func RevisionOf(batchID, docID string) int {
	rest, ok := strings.CutPrefix(docID, batchID+"-r")
	if !ok {
		return 0
	}
	num, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return 0
	}
	return n
}

// LatestRevision is the newest correction applied to a batch's documents (0: none).
func LatestRevision(b *Batch) int {
	n := 0
	for _, d := range b.Documents {
		n = max(n, RevisionOf(b.ID, d.ID))
	}
	return n
}
