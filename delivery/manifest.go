package delivery

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"time"

	"onewindow/internal/auth"
)

// ManifestFormat names the manifest's JSON shape; a receiver can refuse one it does not know.
const ManifestFormat = "onewindow.package/1"

// Applicant is the person or organisation a case is for.
type Applicant struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"` // resident ID number, masked unless the department may see it
	USCC     string `json:"uscc,omitempty"`      // an organisation's unified social credit code
	Phone    string `json:"phone,omitempty"`
}

// Document is one document of a package: what it is, how to check it, where to fetch it.
type Document struct {
	ID     string              `json:"id"`
	Type   string              `json:"type"`
	Fields map[string][]string `json:"fields,omitempty"`
	Pages  int                 `json:"pages"`
	SHA256 string              `json:"sha256"`
	SM3    string              `json:"sm3"`
	Size   int64               `json:"size"`
	// URL reads the document's PDF until URLExpiresAt; links are made afresh at every attempt,
	// so a package delivered after a day of retries still carries working ones.
	URL          string     `json:"url,omitempty"`
	URLExpiresAt *time.Time `json:"url_expires_at,omitempty"`
}

// Manifest is what a department receives: the webhook's body, data/manifest.json in an S3 bag,
// and what the pull API hands out.
type Manifest struct {
	Format         string    `json:"format"`
	PackageID      string    `json:"package_id"`
	IdempotencyKey string    `json:"idempotency_key"`
	Version        int       `json:"version"` // the case's package version: 1, then one more per supplement
	CaseNo         string    `json:"case_no"`
	Matter         string    `json:"matter"`
	Applicant      Applicant `json:"applicant"`
	Department     string    `json:"department"`
	CreatedAt      time.Time `json:"created_at"`
	// DueDate is when the hall expects the department's result (YYYY-MM-DD, the matter's time
	// limit or the department's own in a joint matter).
	DueDate   string     `json:"due_date,omitempty"`
	Documents []Document `json:"documents"` // last: WriteTo streams it
}

// Case is what a package needs to know of a case; the case desk fills it.
type Case struct {
	No        string
	Matter    string
	Version   int // package version
	Applicant Applicant
	DueDate   string // the department's result is due (the case's, or its own in a joint matter)
}

// Package is one delivery's unit: a case's manifest for one department at one version.
type Package struct {
	Department string
	Manifest   Manifest
}

// Key is the idempotency key a department deduplicates on.
func (p Package) Key() string { return p.Manifest.IdempotencyKey }

// IdempotencyKey is the same for every attempt to deliver one version of one case's package to
// one department, and differs for anything else.
func IdempotencyKey(caseNo, department string, version int) string {
	h := sha256.New()
	// NUL separators: no case number or id can make two triples hash alike.
	h.Write([]byte("onewindow-package\x00" + caseNo + "\x00" + department + "\x00" + strconv.Itoa(version)))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

var unsafeKeyRe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// PackageID names a package for people and object keys: CASE.DEPARTMENT.vN.
func PackageID(caseNo, department string, version int) string {
	return unsafeKeyRe.ReplaceAllString(caseNo, "_") + "." + department + ".v" + strconv.Itoa(version)
}

// NewPackage builds the package of c for d. Personal data is masked unless d may see it:
// the applicant's ID number and phone, and the ID numbers and phones among the fields.
func NewPackage(c Case, d *Department, docs []Document, now time.Time) Package {
	m := Manifest{
		Format:         ManifestFormat,
		PackageID:      PackageID(c.No, d.ID, c.Version),
		IdempotencyKey: IdempotencyKey(c.No, d.ID, c.Version),
		Version:        c.Version,
		CaseNo:         c.No,
		Matter:         c.Matter,
		Applicant:      c.Applicant,
		Department:     d.ID,
		CreatedAt:      now.UTC(),
		DueDate:        c.DueDate,
		Documents:      make([]Document, len(docs)),
	}
	copy(m.Documents, docs)
	if !d.FullIDs {
		if m.Applicant.IDNumber != "" {
			m.Applicant.IDNumber = auth.MaskID(m.Applicant.IDNumber)
		}
		if m.Applicant.Phone != "" {
			m.Applicant.Phone = auth.MaskPhone(m.Applicant.Phone)
		}
		for i := range m.Documents {
			if m.Documents[i].Fields != nil {
				m.Documents[i].Fields = auth.MaskFields(m.Documents[i].Fields)
			}
		}
	}
	return Package{Department: d.ID, Manifest: m}
}

// WriteTo writes m as JSON, one document at a time, so that a manifest of a large case is
// never held twice in memory.
func (m *Manifest) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	bw := bufio.NewWriter(cw)
	head := *m
	head.Documents = nil
	b, err := json.Marshal(head)
	if err != nil {
		return cw.n, err
	}
	// {"format":...,"documents":null} -> {"format":...,"documents":[ doc, doc ]}
	b = bytes.TrimSuffix(b, []byte("null}"))
	bw.Write(b)
	bw.WriteByte('[')
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range m.Documents {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := enc.Encode(&m.Documents[i]); err != nil {
			return cw.n, err
		}
	}
	bw.WriteString("]}\n")
	err = bw.Flush()
	return cw.n, err
}

// Bytes is the manifest as the webhook body: it has to be whole before it is sent, because
// the signature header covers it.
func (m *Manifest) Bytes() ([]byte, error) {
	var b bytes.Buffer
	_, err := m.WriteTo(&b)
	return b.Bytes(), err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
