package archive

import (
	"errors"

	"github.com/blevesearch/bleve/v2"
)

// Holding answers which of ids the index holds: one ID query a thousand IDs, no stored fields
// read, so the reconciler can compare a slice of the archive with the index cheaply.
func (x *Index) Holding(ids []string) (map[string]bool, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return nil, errors.New("search index is closed")
	}
	held := make(map[string]bool, len(ids))
	const chunk = 1000
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery(part), len(part), 0, false)
		res, err := x.idx.Search(req)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			held[h.ID] = true
		}
	}
	return held, nil
}

// Remove drops documents from the index without moving the feed position (a repair, not a
// notice read from the feed).
func (x *Index) Remove(ids ...string) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return errors.New("search index is closed")
	}
	b := x.idx.NewBatch()
	for _, id := range ids {
		b.Delete(id)
	}
	return x.idx.Batch(b)
}
