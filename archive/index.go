package archive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Index is the archivists' full-text and field index of filed documents. It is derived: every
// entry comes from a record and text in the archive bucket, and Rebuild recreates it from them.
type Index struct {
	dir string
	mu  sync.RWMutex // guards idx against Reset swapping it
	idx bleve.Index
}

// indexDoc is what Bleve stores of a document. Keyword fields are matched whole; Text is the
// OCR text, analysed into CJK bigrams (and words for Latin script).
type indexDoc struct {
	CaseNo       string    `json:"case_no"`
	ArchivalCode string    `json:"archival_code"`
	Type         string    `json:"type"`
	BatchID      string    `json:"batch_id"`
	Station      string    `json:"station"`
	Matter       string    `json:"matter"`
	Applicant    string    `json:"applicant"`
	Departments  []string  `json:"departments"`
	IDNumbers    []string  `json:"id_numbers"`
	USCC         []string  `json:"uscc"`
	Title        string    `json:"title"`
	Text         string    `json:"text"`
	FiledAt      time.Time `json:"filed_at"`
}

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
	for _, name := range []string{"case_no", "archival_code", "type", "batch_id", "station", "matter", "departments", "id_numbers", "uscc"} {
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
	return x, nil
}

func (x *Index) path() string { return filepath.Join(x.dir, "bleve") }

// Dir is the directory the index lives in (the stream position is kept beside it).
func (x *Index) Dir() string { return x.dir }

func openOrCreate(path string) (bleve.Index, error) {
	idx, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return bleve.New(path, indexMapping())
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

// Reset throws the index away and starts an empty one.
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
	x.idx = idx
	return err
}

func toIndexDoc(r *Record, text string) indexDoc {
	return indexDoc{CaseNo: r.CaseNo, ArchivalCode: r.ArchivalCode, Type: r.Type, BatchID: r.BatchID, Station: r.Station, Matter: r.Matter,
		Applicant: r.Applicant, Departments: r.Departments, IDNumbers: r.Fields["id_numbers"],
		USCC: r.Fields["uscc"], Title: r.Title, Text: NormalizeText(text), FiledAt: r.FiledAt}
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

// Persist closes and reopens the index so that everything indexed so far is on disk.
func (x *Index) Persist() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return errors.New("search index is closed")
	}
	if err := x.idx.Close(); err != nil {
		return err
	}
	idx, err := openOrCreate(x.path())
	x.idx = idx
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

// Query is an archivist's search: Text is matched against the OCR text and title, the rest
// filter exactly. From and To are filing dates, both inclusive (To is a day).
type Query struct {
	Text         string
	Type         string
	CaseNo       string
	ArchivalCode string
	IDNumber     string
	USCC         string
	Applicant    string
	Matter       string
	Department   string
	From, To     time.Time
	Page         int // 1-based
	PerPage      int
}

// Hit is one found document.
type Hit struct {
	DocumentID   string  `json:"document_id"`
	ArchivalCode string  `json:"archival_code,omitempty"`
	CaseNo       string  `json:"case_no"`
	Type         string  `json:"type"`
	Title        string  `json:"title,omitempty"`
	Applicant    string  `json:"applicant,omitempty"`
	Matter       string  `json:"matter,omitempty"`
	FiledAt      string  `json:"filed_at,omitempty"`
	Score        float64 `json:"score"`
	Snippet      string  `json:"snippet"`
	// Highlight is the snippet with matches in <mark>…</mark> (HTML-escaped otherwise).
	Highlight string `json:"highlight,omitempty"`
}

// FacetCount is one value of a facet.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is one page of hits.
type Result struct {
	Total   uint64                  `json:"total"`
	Page    int                     `json:"page"`
	PerPage int                     `json:"per_page"`
	Hits    []Hit                   `json:"hits"`
	Facets  map[string][]FacetCount `json:"facets"`
	TookMS  float64                 `json:"took_ms"`
}

// ErrEmptyQuery is returned when a query names nothing to look for.
var ErrEmptyQuery = errors.New("empty query")

// Search runs q.
func (x *Index) Search(q Query) (*Result, error) {
	var must []query.Query
	if t := strings.TrimSpace(NormalizeText(q.Text)); t != "" {
		text := bleve.NewMatchQuery(t)
		text.SetField("text")
		text.SetOperator(query.MatchQueryOperatorAnd)
		title := bleve.NewMatchQuery(t)
		title.SetField("title")
		title.SetOperator(query.MatchQueryOperatorAnd)
		must = append(must, bleve.NewDisjunctionQuery(text, title))
	}
	for field, v := range map[string]string{"type": q.Type, "case_no": q.CaseNo, "id_numbers": strings.ToUpper(q.IDNumber),
		"uscc": strings.ToUpper(q.USCC), "matter": q.Matter, "departments": q.Department,
		"archival_code": q.ArchivalCode} {
		if v == "" {
			continue
		}
		tq := bleve.NewTermQuery(v)
		tq.SetField(field)
		must = append(must, tq)
	}
	if a := strings.TrimSpace(q.Applicant); a != "" {
		mq := bleve.NewMatchQuery(a)
		mq.SetField("applicant")
		mq.SetOperator(query.MatchQueryOperatorAnd)
		must = append(must, mq)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		var from, to time.Time
		if !q.From.IsZero() {
			from = q.From
		}
		if !q.To.IsZero() {
			to = q.To.AddDate(0, 0, 1)
		}
		yes, no := true, false
		dq := bleve.NewDateRangeInclusiveQuery(from, to, &yes, &no)
		dq.SetField("filed_at")
		must = append(must, dq)
	}
	var top query.Query
	switch len(must) {
	case 0:
		top = bleve.NewMatchAllQuery()
	case 1:
		top = must[0]
	default:
		top = bleve.NewConjunctionQuery(must...)
	}
	per := q.PerPage
	if per <= 0 {
		per = 20
	}
	per = min(per, 100)
	page := max(q.Page, 1)
	req := bleve.NewSearchRequestOptions(top, per, (page-1)*per, false)
	req.Fields = []string{"case_no", "type", "title", "text", "filed_at", "applicant", "matter", "archival_code"}
	if q.Text != "" {
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Highlight.AddField("text")
	} else {
		req.SortBy([]string{"-filed_at", "_id"})
	}
	req.AddFacet("type", bleve.NewFacetRequest("type", 20))
	req.AddFacet("case_no", bleve.NewFacetRequest("case_no", 20))
	req.AddFacet("matter", bleve.NewFacetRequest("matter", 20))
	req.AddFacet("departments", bleve.NewFacetRequest("departments", 20))
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.idx == nil {
		return nil, errors.New("search index is closed")
	}
	res, err := x.idx.Search(req)
	if err != nil {
		return nil, err
	}
	out := &Result{Total: res.Total, Page: page, PerPage: per, Hits: make([]Hit, 0, len(res.Hits)), Facets: map[string][]FacetCount{},
		TookMS: float64(res.Took.Microseconds()) / 1000}
	for _, h := range res.Hits {
		hit := Hit{DocumentID: h.ID, Score: h.Score, CaseNo: str(h.Fields["case_no"]), Type: str(h.Fields["type"]),
			Title: str(h.Fields["title"]), FiledAt: str(h.Fields["filed_at"]), Applicant: str(h.Fields["applicant"]),
			Matter: str(h.Fields["matter"]), ArchivalCode: str(h.Fields["archival_code"])}
		if frags := h.Fragments["text"]; len(frags) > 0 {
			hit.Highlight = frags[0]
			hit.Snippet = stripMarks(frags[0])
		} else {
			hit.Snippet = head(str(h.Fields["text"]), 120)
		}
		out.Hits = append(out.Hits, hit)
	}
	for name, f := range res.Facets {
		counts := []FacetCount{}
		if f.Terms != nil {
			for _, t := range f.Terms.Terms() {
				counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		out.Facets[name] = counts
	}
	return out, nil
}

func str(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []any:
		if len(s) > 0 {
			return str(s[0])
		}
	}
	return ""
}

var markTags = regexp.MustCompile(`</?mark>`)

func stripMarks(s string) string {
	s = markTags.ReplaceAllString(s, "")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'", "…", "").Replace(s)
}

func head(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}

// NormalizeText joins CJK characters that OCR printed with spaces between them ("委 托 书" →
// "委托书"): the CJK analyser pairs only adjacent characters into bigrams, so spaced text would
// otherwise never match a query of several characters.
func NormalizeText(s string) string {
	r := []rune(s)
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

// IDNumberPattern finds resident ID numbers (18 characters) in text, for masking.
var IDNumberPattern = regexp.MustCompile(`\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]`)
