package archive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"

	"onewindow/internal/fields"
)

// Index is the archivists' full-text and field index of filed documents. It is derived: every
// entry comes from a record and text in the archive bucket, and Rebuild recreates it from them.
type Index struct {
	dir   string
	mu    sync.RWMutex // guards idx and stale against Reset swapping it
	idx   bleve.Index
	stale bool
	// refilling: Reset emptied the index and the rebuild's Persist has not yet marked it
	// current, so a rebuild cut short is done again at the next start.
	refilling bool
}

// schemaKey is the internal key of the index's schema version: an index written before the
// current mapping lacks fields that searches rely on and has to be rebuilt (Stale).
var schemaKey = []byte("index.schema")

// schemaVersion names the current mapping; change it whenever indexDoc or the mapping
// changes what a search finds. 2: code prefixes. 3: code infixes, text folded to half width.
// 4: infixes with look-alike capitals folded to digits.
const schemaVersion = "4"

// indexDoc is what Bleve stores of a document, by field: case_no, archival_code, type,
// batch_id, station, matter, departments and the searchable extracted fields (fields.Table)
// are keywords, matched whole; applicant, title and text (the OCR text) are analysed into CJK
// bigrams (and words for Latin script); filed_at is a date; code_prefixes are the prefix
// terms of the document's codes (codePrefixTerms). A map, so that a searchable field added to
// the table is indexed without a change here.
type indexDoc map[string]any

func indexMapping() mapping.IndexMapping {
	kw := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = keyword.Name
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	text := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = cjk.AnalyzerName
		f.Store = store
		f.IncludeTermVectors = store // highlighting needs term vectors
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	keywords := append([]string{"case_no", "archival_code", "type", "batch_id", "station", "matter", "departments", prefixField}, fields.Searchable()...)
	for _, name := range keywords {
		doc.AddFieldMappingsAt(name, kw())
	}
	// The applicant's name is matched as text so a surname or given name alone finds it, and
	// stored for the hit lists.
	applicant := text(false)
	applicant.Store = true
	doc.AddFieldMappingsAt("applicant", applicant)
	doc.AddFieldMappingsAt("title", text(true))
	doc.AddFieldMappingsAt("text", text(true))
	date := bleve.NewDateTimeFieldMapping()
	date.IncludeInAll = false
	doc.AddFieldMappingsAt("filed_at", date)
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = cjk.AnalyzerName
	return m
}

// OpenIndex opens the index under dir, creating it when absent.
func OpenIndex(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	x := &Index{dir: dir}
	idx, err := openOrCreate(x.path())
	if err != nil {
		return nil, err
	}
	x.idx = idx
	v, err := idx.GetInternal(schemaKey)
	x.stale = err != nil || string(v) != schemaVersion
	return x, nil
}

// Stale reports whether the index was written with an older mapping: until it is rebuilt
// from the archive (Reset, then every record), some searches miss documents.
func (x *Index) Stale() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.stale
}

func (x *Index) path() string { return filepath.Join(x.dir, "bleve") }

// Dir is the directory the index lives in (the stream position is kept beside it).
func (x *Index) Dir() string { return x.dir }

func openOrCreate(path string) (bleve.Index, error) {
	idx, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return newIndex(path)
	}
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", path, err)
	}
	return idx, nil
}

// Close closes the index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return nil
	}
	err := x.idx.Close()
	x.idx = nil
	return err
}

// Reset throws the index away and starts an empty one for a rebuild, which ends with
// Persist. Until then the index carries no schema mark and stays Stale: a process stopped
// mid-rebuild rebuilds again at its next start instead of keeping a part of the archive.
func (x *Index) Reset() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx != nil {
		_ = x.idx.Close()
	}
	if err := os.RemoveAll(x.path()); err != nil {
		return err
	}
	idx, err := bleve.New(x.path(), indexMapping())
	x.idx, x.stale, x.refilling = idx, true, err == nil
	return err
}

// newIndex creates an empty index with the current mapping, marked with its schema version.
func newIndex(path string) (bleve.Index, error) {
	idx, err := bleve.New(path, indexMapping())
	if err != nil {
		return nil, err
	}
	if err := idx.SetInternal(schemaKey, []byte(schemaVersion)); err != nil {
		_ = idx.Close()
		return nil, err
	}
	return idx, nil
}

func toIndexDoc(r *Record, text string) indexDoc {
	text = NormalizeText(text)
	doc := indexDoc{"case_no": r.CaseNo, "archival_code": r.ArchivalCode, "type": r.Type, "batch_id": r.BatchID,
		"station": r.Station, "matter": r.Matter, "applicant": r.Applicant, "departments": r.Departments,
		"title": r.Title, "text": text, "filed_at": r.FiledAt}
	codes := map[string][]string{}
	for _, f := range fields.Searchable() {
		doc[f], codes[f] = r.Fields[f], r.Fields[f]
	}
	doc[prefixField] = codePrefixTerms(codes, text)
	return doc
}

// Add indexes (or re-indexes) one document.
func (x *Index) Add(r *Record, text string) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return errors.New("search index is closed")
	}
	return x.idx.Index(r.DocumentID, toIndexDoc(r, text))
}

// positionKey is the internal key of the filed stream's position. Keeping it inside the
// index means it is persisted together with the documents it covers: a crash loses neither
// nor indexes past what is on disk.
var positionKey = []byte("feed.position")

// AddAt indexes one document and records pos as the feed position, in one batch.
func (x *Index) AddAt(r *Record, text, pos string) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return errors.New("search index is closed")
	}
	b := x.idx.NewBatch()
	if r != nil {
		if err := b.Index(r.DocumentID, toIndexDoc(r, text)); err != nil {
			return err
		}
	}
	b.SetInternal(positionKey, []byte(pos))
	return x.idx.Batch(b)
}

// RemoveAt drops one document from the index (a reviewer's correction superseded it) and
// records pos as the feed position, in one batch.
func (x *Index) RemoveAt(docID, pos string) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return errors.New("search index is closed")
	}
	b := x.idx.NewBatch()
	b.Delete(docID)
	b.SetInternal(positionKey, []byte(pos))
	return x.idx.Batch(b)
}

// Position is the last feed entry indexed ("0" before the first).
func (x *Index) Position() string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return "0"
	}
	v, err := x.idx.GetInternal(positionKey)
	if err != nil || len(v) == 0 {
		return "0"
	}
	return string(v)
}

// Persist closes and reopens the index so that everything indexed so far is on disk; after
// Reset it marks the rebuilt index current (its schema version, no longer Stale).
func (x *Index) Persist() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return errors.New("search index is closed")
	}
	if x.refilling {
		// The rebuild after Reset is complete: the index is current from now on.
		if err := x.idx.SetInternal(schemaKey, []byte(schemaVersion)); err != nil {
			return err
		}
	}
	if err := x.idx.Close(); err != nil {
		return err
	}
	idx, err := openOrCreate(x.path())
	x.idx = idx
	if err == nil && x.refilling {
		x.stale, x.refilling = false, false
	}
	return err
}

// Batch indexes documents in batches; Add for each, then Flush.
type Batch struct {
	x *Index
	b *bleve.Batch
}

// NewBatch starts a batch of additions (for rebuilds: far faster than one Add a document).
func (x *Index) NewBatch() *Batch {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return &Batch{x: x, b: x.idx.NewBatch()}
}

// Add queues one document, flushing every 500.
func (b *Batch) Add(r *Record, text string) error {
	if err := b.b.Index(r.DocumentID, toIndexDoc(r, text)); err != nil {
		return err
	}
	if b.b.Size() >= 500 {
		return b.Flush()
	}
	return nil
}

// Flush writes what is queued.
func (b *Batch) Flush() error {
	b.x.mu.RLock()
	defer b.x.mu.RUnlock()
	if b.b.Size() == 0 {
		return nil
	}
	if b.x.idx == nil {
		return errors.New("search index is closed")
	}
	err := b.x.idx.Batch(b.b)
	b.b.Reset()
	return err
}

// Count is the number of indexed documents.
func (x *Index) Count() (uint64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.idx.DocCount()
}

// NormalizeText folds full-width forms to ASCII (foldWidth), as queries are, and joins CJK
// characters that OCR printed with spaces between them ("委 托 书" → "委托书"): the CJK
// analyser pairs only adjacent characters into bigrams, so spaced text would otherwise never
// match a query of several characters.
func NormalizeText(s string) string {
	r := []rune(foldWidth(s))
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(r); i++ {
		if r[i] == ' ' || r[i] == '\u3000' {
			j := i
			for j < len(r) && (r[j] == ' ' || r[j] == '\u3000') {
				j++
			}
			if i > 0 && j < len(r) && isCJK(r[i-1]) && isCJK(r[j]) {
				i = j - 1
				continue
			}
		}
		b.WriteRune(r[i])
	}
	return b.String()
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r) || (r >= 0xFF00 && r <= 0xFFEF) || (r >= 0x3000 && r <= 0x303F)
}
