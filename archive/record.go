// Package archive owns e-file records, fixity, archival packages and retrieval: what an
// archivist needs to find a case years later and prove that nothing changed since.
package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"time"

	"github.com/emmansun/gmsm/sm3"
)

// Digests are the fixity values of one file: SHA-256 beside SM3 (GB/T 32905).
type Digests struct {
	SHA256 string `json:"sha256"`
	SM3    string `json:"sm3"`
	Size   int64  `json:"size"`
}

// Digester computes Digests of what is written to it.
type Digester struct {
	sha, sm hash.Hash
	n       int64
}

// NewDigester starts empty digests.
func NewDigester() *Digester { return &Digester{sha: sha256.New(), sm: sm3.New()} }

func (d *Digester) Write(p []byte) (int, error) {
	d.sha.Write(p)
	d.sm.Write(p)
	d.n += int64(len(p))
	return len(p), nil
}

// Sum returns the digests so far.
func (d *Digester) Sum() Digests {
	return Digests{SHA256: hex.EncodeToString(d.sha.Sum(nil)), SM3: hex.EncodeToString(d.sm.Sum(nil)), Size: d.n}
}

// DigestOf reads r to the end and returns its digests.
func DigestOf(r io.Reader) (Digests, error) {
	d := NewDigester()
	_, err := io.Copy(d, r)
	return d.Sum(), err
}

// File is one object an e-file record lists.
type File struct {
	Role   string `json:"role"` // original, pdf, text
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Format string `json:"format"` // MIME type
	Digests
	// ActiveContent lists what an original PDF carries that could run (javascript,
	// launch_action, embedded_file, form_action), as intake found it.
	ActiveContent []string `json:"active_content,omitempty"`
}

// Event is one provenance event, in the spirit of PREMIS.
type Event struct {
	Type   string    `json:"type"` // received, digitised, ocr, classified, stamped, filed, delivered, accessed
	Agent  string    `json:"agent"`
	Time   time.Time `json:"time"`
	Detail string    `json:"detail,omitempty"`
}

// Record is the e-file record of one filed document, stored beside it (DA/T 46 in spirit).
type Record struct {
	DocumentID   string              `json:"document_id"`
	ArchivalCode string              `json:"archival_code"` // 档号
	Title        string              `json:"title"`
	Type         string              `json:"type"`
	TypeName     string              `json:"type_name,omitempty"`
	Confidence   float64             `json:"confidence"`
	NeedsReview  bool                `json:"needs_review"`
	CaseNo       string              `json:"case_no"`
	BatchID      string              `json:"batch_id"`
	Matter       string              `json:"matter,omitempty"`
	Applicant    string              `json:"applicant,omitempty"`
	Departments  []string            `json:"departments,omitempty"`
	Station      string              `json:"station,omitempty"`
	Source       string              `json:"source,omitempty"`
	Pages        []int               `json:"pages"` // upload page indexes
	PageCount    int                 `json:"page_count"`
	Rotations    map[int]int         `json:"rotations,omitempty"` // pages a reviewer turned: index → clockwise degrees, as /Rotate
	Fields       map[string][]string `json:"fields"`
	// FieldSources says how each ID number and credit code in Fields was obtained: clean,
	// repaired, reread (from the page image), confirmed (by another document of the case),
	// window (typed at the window when the case was opened).
	FieldSources map[string]string `json:"field_sources,omitempty"`
	// ActiveContent flags a document made from an upload with active content: the kinds the
	// files its pages came from carry. The original is kept as evidence; the filed PDF is
	// rebuilt from page images and carries none of it.
	ActiveContent []string  `json:"active_content,omitempty"`
	ReceivedAt    time.Time `json:"received_at"`
	FiledAt       time.Time `json:"filed_at"`
	Retention     Retention `json:"retention"`
	Files         []File    `json:"files"`
	Events        []Event   `json:"events"`
}

// Retention is the object-lock retention of the record's files.
type Retention struct {
	Mode      string    `json:"mode"`
	Until     time.Time `json:"until"`
	LegalHold bool      `json:"legal_hold"`
}
