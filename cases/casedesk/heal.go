package casedesk

import (
	"context"
	"time"

	"onewindow/storage"
)

// healStore is what Heal needs of a Store beyond it: an optional capability, so that stores
// without it (tests' fakes) are simply not compared.
type healStore interface {
	CaseVersionsAfter(ctx context.Context, after string, limit int) ([]storage.CaseVersion, string, error)
	ViewVersions(ctx context.Context, caseNos []string) ([]int, []bool, error)
	ForgetView(ctx context.Context, caseNo string, version int) error
}

var _ healStore = (*storage.CaseStore)(nil)

// Heal compares the cached views of the cases after the case number after (about limit of
// their events) with their events in MinIO and rebuilds, from the events, each view Redis
// lost, holds at an older version (a partial loss took the last write) or left out of the
// lists. A case changed after settled is left for the next round: its desk is caching it. It
// answers where the next round starts ("" when this one reached the end) and how many it
// repaired. The archive desk's reconciler calls it, a chunk a period.
func (d *Desk) Heal(ctx context.Context, after string, limit int, settled time.Time) (string, int, error) {
	hs, ok := healStoreOf(d.store)
	if !ok {
		return "", 0, nil
	}
	inArchive, next, err := hs.CaseVersionsAfter(ctx, after, limit)
	if err != nil {
		return after, 0, err
	}
	nos := make([]string, len(inArchive))
	for i, c := range inArchive {
		nos[i] = c.CaseNo
	}
	cached, listed, err := hs.ViewVersions(ctx, nos)
	if err != nil {
		return after, 0, err
	}
	repaired := 0
	for i, c := range inArchive {
		if cached[i] >= c.Version && listed[i] || c.Latest.After(settled) {
			continue
		}
		if cached[i] == c.Version {
			// The view is current but the lists lost it: let the rebuild write both again.
			if err := hs.ForgetView(ctx, c.CaseNo, c.Version); err != nil {
				return after, repaired, err
			}
		}
		if err := d.reindexCase(ctx, c.CaseNo); err != nil {
			return after, repaired, err
		}
		repaired++
	}
	return next, repaired, nil
}

// healStoreOf finds the healStore under the hooks a Store may be wrapped in.
func healStoreOf(s Store) (healStore, bool) {
	for {
		if hs, ok := s.(healStore); ok {
			return hs, true
		}
		h, ok := s.(hooked)
		if !ok {
			return nil, false
		}
		s = h.Store
	}
}
