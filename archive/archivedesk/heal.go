package archivedesk

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"onewindow/archive"
	"onewindow/internal/errs"
	"onewindow/storage"
)

// Healing: every reconcile period the indexes (Redis's entries and sets, this process's search
// index) are compared with what MinIO holds and any difference is repaired by the code that
// rebuilds them. A partial loss of Redis (the last second of an AOF, writes a failover did not
// replicate) loses the newest entries, so the newest slice of the archive is compared every
// period and the rest a chunk a period, round robin: the last three days in six periods or
// so, everything older in turn. Nothing lists the whole archive: batch and document IDs begin
// with their intake time (UUIDv7), so each slice is a key range of one listing.

// healFresh is how far back (by intake time) the slice compared every period reaches: batches
// are filed minutes after intake, and their newest writes are what a partial loss takes.
const healFresh = 2 * time.Hour

// healRecent is how far back the second round robin reaches: a batch taken in days ago and
// filed only now (its retries, a resumed batch) is found within a few periods, not hours.
const healRecent = 72 * time.Hour

// healGrace is how old a record must be before its missing entries count as lost: filing
// writes the record, then the Redis entry and the feed's notice within milliseconds; the rest
// is room for a loaded worker, so that filing in progress is never "repaired".
const healGrace = 5 * time.Second

// chunk is how many documents (and batches) of each round robin one period compares.
func (d *Desk) chunk() int {
	if d.HealChunk > 0 {
		return d.HealChunk
	}
	return 1000
}

// Healer is another desk's part of a healing pass: it compares about limit of its items after
// the cursor after ("" from the start), repairs what differs (but nothing changed after
// settled, which may be on its way to the index) and answers where to go on ("" when it went
// round) and how many it repaired.
type Healer struct {
	Name string
	Heal func(ctx context.Context, after string, limit int, settled time.Time) (next string, repaired int, err error)
}

// HealResult is what one pass compared and repaired, by index (documents, search, batches and
// the Healers' names).
type HealResult struct {
	Compared map[string]int `json:"compared"`
	Repaired map[string]int `json:"repaired"`
	// Examples names a few of the repaired items, for the log.
	Examples []string `json:"examples,omitempty"`
}

func (r *HealResult) repaired(index, example string) {
	r.Repaired[index]++
	if len(r.Examples) < 5 {
		r.Examples = append(r.Examples, index+":"+example)
	}
}

// healState is this process's memory between passes: where the round robin stands, and the
// documents known to be superseded (a write-once note, so known for good).
type healState struct {
	mu         sync.Mutex
	cursor     map[string]string
	superseded map[string]bool
}

func (h *healState) at(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cursor[name]
}

func (h *healState) move(name, next string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cursor == nil {
		h.cursor = map[string]string{}
	}
	h.cursor[name] = next
}

func (h *healState) isSuperseded(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.superseded[id]
}

func (h *healState) noteSuperseded(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.superseded == nil {
		h.superseded = map[string]bool{}
	}
	h.superseded[id] = true
}

// Heal runs one pass. Of several processes one (claiming the period) compares and repairs the
// shared Redis indexes; every process compares its own search index. Something filed less
// than grace ago may not have reached its indexes yet and is left for the next pass, so that
// filing in progress never counts as a repair.
func (d *Desk) Heal(ctx context.Context, period, grace time.Duration) (*HealResult, error) {
	res := &HealResult{Compared: map[string]int{}, Repaired: map[string]int{}}
	now := d.Clock.Now()
	shared, err := d.State.ClaimHealRun(ctx, now.Truncate(period).UnixMilli(), d.Origin, period)
	if err != nil {
		return res, err
	}
	// A rebuild under way empties the search index first: comparing it then would "repair"
	// what the rebuild is about to add.
	if !d.rebuildMu.TryLock() {
		return res, nil
	}
	defer d.rebuildMu.Unlock()
	idx, err := d.searchToCompare(ctx)
	if err != nil {
		return res, err
	}
	if !shared && idx == nil {
		return res, nil
	}
	fresh, recent := storage.IDTimePrefix(now.Add(-healFresh)), storage.IDTimePrefix(now.Add(-healRecent))
	ids, err := d.slice(ctx, storage.Archive, storage.DocumentsPrefix, "documents", fresh, recent)
	if err != nil {
		return res, err
	}
	if err := d.healDocuments(ctx, ids, shared, idx, now.Add(-grace), res); err != nil {
		return res, err
	}
	if shared {
		ids, err := d.slice(ctx, storage.Inbox, storage.BatchesPrefix, "batches", fresh, recent)
		if err != nil {
			return res, err
		}
		if err := d.healBatches(ctx, ids, now.Add(-grace), res); err != nil {
			return res, err
		}
		if err := d.healAuditHead(ctx, now, res); err != nil {
			return res, err
		}
		for _, h := range d.Healers {
			next, n, err := h.Heal(ctx, d.heal.at(h.Name), d.chunk(), now.Add(-grace))
			if err != nil {
				return res, err
			}
			d.heal.move(h.Name, next)
			if n > 0 {
				res.Repaired[h.Name] += n
			}
		}
	}
	for index, n := range res.Repaired {
		if d.Metrics != nil && n > 0 {
			d.Metrics.IndexRepairs.WithLabelValues(index).Add(float64(n))
		}
	}
	return res, nil
}

// searchToCompare is this process's search index when it can be compared now: not while its
// mapping is stale (a rebuild follows) nor while the feed has notices still unread, when a
// document missing from the index may merely be waiting in the stream.
func (d *Desk) searchToCompare(ctx context.Context) (*archive.Index, error) {
	if d.Index == nil || d.Index.Stale() {
		return nil, nil
	}
	last, err := d.State.LastFiled(ctx)
	if err != nil {
		return nil, err
	}
	if last != "" && streamBefore(d.Index.Position(), last) {
		return nil, nil
	}
	return d.Index, nil
}

// streamBefore compares two Redis stream IDs ("ms-seq").
func streamBefore(a, b string) bool {
	parse := func(id string) (uint64, uint64) {
		ms, seq, _ := strings.Cut(id, "-")
		m, _ := strconv.ParseUint(ms, 10, 64)
		n, _ := strconv.ParseUint(seq, 10, 64)
		return m, n
	}
	am, as := parse(a)
	bm, bs := parse(b)
	return am < bm || am == bm && as < bs
}

// slice lists the names under prefix compared this pass: everything from the fresh prefix on,
// the next chunk of the recent ones (from the recent prefix to the fresh one) and the next
// chunk of the older ones.
func (d *Desk) slice(ctx context.Context, bk storage.Bucket, prefix, name, fresh, recent string) ([]string, error) {
	older, err := d.roundRobin(ctx, bk, prefix, name+":older", "", recent)
	if err != nil {
		return nil, err
	}
	days, err := d.roundRobin(ctx, bk, prefix, name+":recent", recent, fresh)
	if err != nil {
		return nil, err
	}
	now, _, err := d.Blobs.Children(ctx, bk, prefix, fresh, "", 0)
	if err != nil {
		return nil, err
	}
	return slices.Concat(older, days, now), nil
}

// roundRobin lists the next chunk of names under prefix between lo and hi, going on from where
// the cursor name stood (the range slides with time, so a cursor may have fallen out of it).
func (d *Desk) roundRobin(ctx context.Context, bk storage.Bucket, prefix, name, lo, hi string) ([]string, error) {
	after := d.heal.at(name)
	if after < lo || after >= hi {
		after = lo
	}
	names, more, err := d.Blobs.Children(ctx, bk, prefix, after, hi, d.chunk())
	if err != nil {
		return nil, err
	}
	next := ""
	if more && len(names) > 0 {
		next = names[len(names)-1]
	}
	d.heal.move(name, next)
	return names, nil
}

// healDocuments compares documents' Redis entries (when shared) and their search entries
// with the archive and repairs the differences.
func (d *Desk) healDocuments(ctx context.Context, ids []string, shared bool, idx *archive.Index, settled time.Time, res *HealResult) error {
	states, err := d.State.DocumentIndexStates(ctx, ids)
	if err != nil {
		return err
	}
	var held map[string]bool
	if idx != nil {
		if held, err = idx.Holding(ids); err != nil {
			return err
		}
		res.Compared["search"] += len(ids)
	}
	if shared {
		res.Compared["documents"] += len(ids)
	}
	revised := revisedBatches(ids)
	for i, id := range ids {
		st := states[i]
		if st.Entry && !st.Superseded && len(revised) > 0 && revised[batchOfDocument(id)] {
			// A correction of its batch may have superseded it and the write saying so been lost.
			sup, err := archive.Superseded(ctx, d.Blobs, id)
			if err != nil {
				return err
			}
			if sup {
				st.Superseded, st.Entry = true, false // the entry is stale: write it again
			}
		}
		fixRedis := shared && !st.Whole()
		addSearch, dropSearch := false, false
		if idx != nil {
			switch {
			case st.Superseded:
				dropSearch = held[id]
			case st.Entry:
				addSearch = !held[id]
			default:
				addSearch = !held[id] && !d.heal.isSuperseded(id)
			}
		}
		if !fixRedis && !addSearch && !dropSearch {
			continue
		}
		key := storage.DocumentRecordKey(id)
		if st.Superseded {
			key = storage.SupersededKey(id)
		}
		switch young, err := d.young(ctx, storage.Archive, key, settled); {
		case errs.KindOf(err) == errs.NotFound:
			continue // a folder without its record: a filing cut short, not a document
		case err != nil:
			return err
		case young:
			continue
		}
		if err := d.repairDocument(ctx, id, fixRedis, addSearch, dropSearch, res); err != nil {
			return err
		}
	}
	return nil
}

// revisionIDRe takes a document ID apart: its batch, and the revision that filed it if any
// ({batch}-{nnn}, {batch}-r{n}-{nnn}).
var revisionIDRe = regexp.MustCompile(`^(.+?)(-r[0-9]+)?-[0-9]+$`)

// batchOfDocument is the batch a document ID names ("" when it names none).
func batchOfDocument(id string) string {
	if m := revisionIDRe.FindStringSubmatch(id); m != nil {
		return m[1]
	}
	return ""
}

// revisedBatches are the batches with a document a reviewer's correction filed among ids:
// only their other documents can have been superseded.
func revisedBatches(ids []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		if !strings.Contains(id, "-r") {
			continue // most IDs: no regular expression
		}
		if m := revisionIDRe.FindStringSubmatch(id); m != nil && m[2] != "" {
			out[m[1]] = true
		}
	}
	return out
}

// repairDocument puts a document back where it was missing, with the code a rebuild runs.
func (d *Desk) repairDocument(ctx context.Context, id string, fixRedis, addSearch, dropSearch bool, res *HealResult) error {
	if dropSearch {
		if err := d.Index.Remove(id); err != nil {
			return err
		}
		res.repaired("search", id)
		if !fixRedis {
			return nil
		}
	}
	rec, text, doc, err := d.loadDocument(ctx, id)
	if err != nil {
		return err
	}
	if fixRedis {
		if err := d.State.PutDocument(ctx, doc); err != nil {
			return err
		}
		res.repaired("documents", id)
	}
	if !addSearch {
		return nil
	}
	if len(doc.SupersededBy) > 0 {
		d.heal.noteSuperseded(id) // in force elsewhere: search rightly lacks it
		return nil
	}
	if err := d.Index.Add(rec, text); err != nil {
		return err
	}
	res.repaired("search", id)
	return nil
}

// loadDocument reads a filed document as the indexes hold it: its record and text, and its
// Redis entry with the reviewers' notes applied.
func (d *Desk) loadDocument(ctx context.Context, id string) (*archive.Record, string, *storage.Document, error) {
	rec, text, err := archive.LoadRecord(ctx, d.Blobs, id)
	if err != nil {
		return nil, "", nil, err
	}
	doc := archive.DocumentFromRecord(rec)
	if err := archive.ApplyReviewNotes(ctx, d.Blobs, doc); err != nil {
		return nil, "", nil, err
	}
	return rec, text, doc, nil
}

// healBatches puts back the batches Redis lost, and the final status of those whose last
// update Redis lost (the manifest is written first, so it is never behind a final status).
func (d *Desk) healBatches(ctx context.Context, ids []string, settled time.Time, res *HealResult) error {
	entries, err := d.State.BatchEntries(ctx, ids)
	if err != nil {
		return err
	}
	res.Compared["batches"] += len(ids)
	for i, id := range ids {
		e := entries[i]
		if e != nil && (e.Status == storage.StatusDone || e.Status == storage.StatusFailed) {
			continue
		}
		if e == nil {
			switch young, err := d.young(ctx, storage.Inbox, storage.ManifestKey(id), settled); {
			case errs.KindOf(err) == errs.NotFound:
				continue
			case err != nil:
				return err
			case young:
				continue
			}
		}
		b, err := storage.LoadManifest(ctx, d.Blobs, id)
		if errs.KindOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return err
		}
		switch {
		case e == nil:
			if err := d.restoreBatch(ctx, b); err != nil {
				return err
			}
		case (b.Status == storage.StatusDone || b.Status == storage.StatusFailed) && b.UpdatedAt.After(e.UpdatedAt) &&
			b.UpdatedAt.Before(settled):
			if err := d.State.PutBatch(ctx, b); err != nil {
				return err
			}
		default:
			continue
		}
		res.repaired("batches", id)
	}
	return nil
}

// young says whether the object at key was written after settled.
func (d *Desk) young(ctx context.Context, bk storage.Bucket, key string, settled time.Time) (bool, error) {
	info, err := d.Blobs.Stat(ctx, bk, key)
	if err != nil {
		return false, err
	}
	return info.LastModified.After(settled), nil
}

// logHeal reports a pass that repaired something, once and loudly: an index that needed
// repair means Redis or this process lost writes, which an operator should know about.
func (d *Desk) logHeal(res *HealResult) {
	total := 0
	for _, n := range res.Repaired {
		total += n
	}
	if total == 0 {
		return
	}
	args := []any{"repaired", total}
	for _, k := range slices.Sorted(maps.Keys(res.Repaired)) {
		if res.Repaired[k] > 0 {
			args = append(args, k, res.Repaired[k])
		}
	}
	args = append(args, "examples", res.Examples)
	d.Log.Warn("indexes differed from the archive in MinIO (Redis or the search feed lost writes); repaired", args...)
}
