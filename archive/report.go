package archive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emmansun/gmsm/smx509"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"onewindow/internal/errs"
	"onewindow/storage"
)

// The four-properties check of DA/T 70: authenticity (digests and events are what the record
// says), integrity (everything the record lists is there, counts and sizes agree), usability
// (files open and are the format recorded) and security (retention and holds in force).

// Property names.
const (
	Authenticity = "authenticity"
	Integrity    = "integrity"
	Usability    = "usability"
	Security     = "security"
)

// Check statuses.
const (
	Pass = "pass"
	Warn = "warn"
	Fail = "fail"
)

// Check is one finding.
type Check struct {
	Property string `json:"property"`
	Check    string `json:"check"`
	Object   string `json:"object,omitempty"`
	Status   string `json:"status"`
	Detail   string `json:"detail,omitempty"`
	// Related are the other documents a finding concerns (those sharing an archival code).
	Related []string `json:"related,omitempty"`
}

// DocumentReport is the four properties of one document.
type DocumentReport struct {
	DocumentID   string            `json:"document_id"`
	ArchivalCode string            `json:"archival_code,omitempty"`
	CaseNo       string            `json:"case_no"`
	Title        string            `json:"title"`
	Type         string            `json:"type"`
	FiledAt      time.Time         `json:"filed_at"`
	Properties   map[string]string `json:"properties"` // property → pass, warn or fail
	Checks       []Check           `json:"checks"`
}

// PropertiesReport covers a case or a date range.
type PropertiesReport struct {
	Scope       string                    `json:"scope"`
	GeneratedAt time.Time                 `json:"generated_at"`
	Documents   []DocumentReport          `json:"documents"`
	Summary     map[string]map[string]int `json:"summary"` // property → status → documents
	OK          bool                      `json:"ok"`      // no property failed anywhere
}

// ReportStore is what the report needs of storage.
type ReportStore interface {
	Store
	LockOf(ctx context.Context, bk storage.Bucket, key string) (storage.Lock, error)
	Versions(ctx context.Context, bk storage.Bucket, key string) (int, error)
}

// ReportOptions tune the report.
type ReportOptions struct {
	Scope string
	// Policy, if set, is the minimum retention each document type must have.
	Policy RetentionPolicy
	// Access describes the access controls in force (roles, masking, audit).
	Access string
	Now    time.Time
	// SignatureRoots are the CAs whose signatures the report trusts; nil: signatures are
	// checked for integrity only.
	SignatureRoots []*smx509.Certificate
}

// wantEvents are the provenance events every filed record carries, in order.
var wantEvents = []string{"received", "digitised", "ocr", "classified", "stamped", "filed"}

// FourProperties checks recs. It reads every listed object once as a stream; PDF and text are
// held in memory for their format checks (documents are megabytes; originals are only sniffed).
func FourProperties(ctx context.Context, s ReportStore, recs []*Record, o ReportOptions) (*PropertiesReport, error) {
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	rep := &PropertiesReport{Scope: o.Scope, GeneratedAt: o.Now, Documents: []DocumentReport{}, OK: true,
		Summary: map[string]map[string]int{}}
	for _, p := range []string{Authenticity, Integrity, Usability, Security} {
		rep.Summary[p] = map[string]int{Pass: 0, Warn: 0, Fail: 0}
	}
	for _, rec := range recs {
		d, err := documentReport(ctx, s, rec, o)
		if err != nil {
			return rep, err
		}
		rep.Documents = append(rep.Documents, *d)
	}
	checkCodesUnique(rep.Documents)
	for i := range rep.Documents {
		d := &rep.Documents[i]
		judge(d)
		for p, st := range d.Properties {
			rep.Summary[p][st]++
			if st == Fail {
				rep.OK = false
			}
		}
	}
	return rep, nil
}

// checkCodesUnique fails every document whose archival code another in the report has too
// (DA/T 70's check that unique metadata is unique), naming the others.
func checkCodesUnique(docs []DocumentReport) {
	holders := map[string][]string{}
	for _, d := range docs {
		if d.ArchivalCode != "" {
			holders[d.ArchivalCode] = append(holders[d.ArchivalCode], d.DocumentID)
		}
	}
	for i := range docs {
		d := &docs[i]
		if d.ArchivalCode == "" {
			continue
		}
		var others []string
		for _, id := range holders[d.ArchivalCode] {
			if id != d.DocumentID {
				others = append(others, id)
			}
		}
		c := Check{Property: Authenticity, Check: "archival_code_unique", Object: d.ArchivalCode, Status: Pass,
			Detail: "no other document in the report has this archival code"}
		if len(others) > 0 {
			c.Status, c.Detail, c.Related = Fail, "archival code "+d.ArchivalCode+" is also that of "+strings.Join(others, ", "), others
		}
		d.Checks = append(d.Checks, c)
	}
}

// judge sets each property to the worst status of its checks.
func judge(d *DocumentReport) {
	for _, p := range []string{Authenticity, Integrity, Usability, Security} {
		d.Properties[p] = Pass
	}
	for _, c := range d.Checks {
		if c.Status == Fail || (c.Status == Warn && d.Properties[c.Property] == Pass) {
			d.Properties[c.Property] = c.Status
		}
	}
}

func documentReport(ctx context.Context, s ReportStore, rec *Record, o ReportOptions) (*DocumentReport, error) {
	d := &DocumentReport{DocumentID: rec.DocumentID, ArchivalCode: rec.ArchivalCode, CaseNo: rec.CaseNo, Title: rec.Title,
		Type: rec.Type, FiledAt: rec.FiledAt, Properties: map[string]string{}}
	add := func(prop, check, object, status, detail string) {
		d.Checks = append(d.Checks, Check{Property: prop, Check: check, Object: object, Status: status, Detail: detail})
	}

	// Integrity of the record itself: the files it must list.
	roles := map[string]int{}
	for _, f := range rec.Files {
		roles[f.Role]++
	}
	for _, role := range []string{"pdf", "text", "original"} {
		if roles[role] == 0 {
			add(Integrity, "lists_"+role, "", Fail, "the record lists no "+role+" file")
		}
	}
	if rec.PageCount < 1 || rec.PageCount != len(rec.Pages) {
		add(Integrity, "page_count", "", Fail, fmt.Sprintf("page_count %d, %d pages listed", rec.PageCount, len(rec.Pages)))
	} else {
		add(Integrity, "page_count", "", Pass, fmt.Sprintf("%d pages", rec.PageCount))
	}

	// Authenticity of the provenance: the filing events, in order, and those filed since.
	checkEvents(rec, add)
	later, err := LoadEvents(ctx, s, rec.DocumentID)
	if err != nil {
		add(Authenticity, "later_events", "", Fail, "unreadable: "+err.Error())
	} else if len(later) > 0 {
		var kinds []string
		for _, e := range later {
			kinds = append(kinds, e.Type+"@"+e.Time.Format(time.RFC3339))
		}
		add(Authenticity, "later_events", "", Pass, strings.Join(kinds, ", "))
	}

	// Every object: present and complete, digests, format, retention.
	objects := append([]File{{Role: "record", Bucket: "archive", Key: storage.DocumentRecordKey(rec.DocumentID), Format: "application/json"}}, rec.Files...)
	for _, f := range objects {
		if err := checkObject(ctx, s, rec, f, later, o, add); err != nil {
			return nil, err
		}
	}
	if related := checkCodeClaim(ctx, s, rec, add); related != nil {
		d.Checks[len(d.Checks)-1].Related = related
	}
	if o.Access != "" {
		add(Security, "access_control", "", Pass, o.Access)
	}
	return d, nil
}

func checkEvents(rec *Record, add func(prop, check, object, status, detail string)) {
	next := 0
	var last time.Time
	var problems []string
	for _, e := range rec.Events {
		if !last.IsZero() && e.Time.Before(last) {
			problems = append(problems, e.Type+" is dated before the event preceding it")
		}
		last = e.Time
		if next < len(wantEvents) && e.Type == wantEvents[next] {
			next++
		}
		if e.Type == "filed" && !e.Time.Equal(rec.FiledAt) {
			problems = append(problems, "the filed event's time is not the record's filed_at")
		}
	}
	if next < len(wantEvents) {
		problems = append(problems, "no "+wantEvents[next]+" event in order")
	}
	if len(problems) > 0 {
		add(Authenticity, "events", "", Fail, strings.Join(problems, "; "))
	} else {
		add(Authenticity, "events", "", Pass, fmt.Sprintf("%d events, in order", len(rec.Events)))
	}
}

// checkObject reads one object and judges it under all four properties.
func checkObject(ctx context.Context, s ReportStore, rec *Record, f File, later []Event, o ReportOptions,
	add func(prop, check, object, status, detail string)) error {
	bk, ok := BucketOf(f.Bucket)
	if !ok {
		add(Integrity, "present", f.Key, Fail, "unknown bucket "+f.Bucket)
		return nil
	}
	obj := f.Bucket + "/" + f.Key
	rc, _, err := s.Open(ctx, bk, f.Key)
	if errs.KindOf(err) == errs.NotFound {
		add(Integrity, "present", obj, Fail, "missing")
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		add(Integrity, "present", obj, Fail, "unreadable: "+err.Error())
		return nil
	}
	dig := NewDigester()
	var body bytes.Buffer
	head := &prefixKeeper{max: 16}
	w := io.MultiWriter(dig, head)
	if f.Role != "original" {
		w = io.MultiWriter(dig, head, &body)
	}
	_, err = copyBuf(w, rc)
	rc.Close()
	if err != nil {
		add(Integrity, "present", obj, Fail, "unreadable: "+err.Error())
		return nil
	}
	got := dig.Sum()

	if f.Role != "record" { // the record is the reference; its own bytes are vouched by retention and versions
		if got.Size != f.Size {
			add(Integrity, "size", obj, Fail, fmt.Sprintf("record says %d bytes, stored %d", f.Size, got.Size))
		} else {
			add(Integrity, "size", obj, Pass, fmt.Sprintf("%d bytes", got.Size))
		}
		switch {
		case !strings.EqualFold(got.SHA256, f.SHA256):
			add(Authenticity, "sha256", obj, Fail, "stored "+got.SHA256+", record "+f.SHA256)
		case f.SM3 != "" && !strings.EqualFold(got.SM3, f.SM3):
			add(Authenticity, "sm3", obj, Fail, "stored "+got.SM3+", record "+f.SM3)
		case f.SM3 == "":
			add(Authenticity, "digests", obj, Pass, "SHA-256 matches (no SM3 recorded)")
		default:
			add(Authenticity, "digests", obj, Pass, "SHA-256 and SM3 match")
		}
	}
	if bk == storage.Archive {
		switch n, err := s.Versions(ctx, bk, f.Key); {
		case err != nil:
			add(Authenticity, "versions", obj, Warn, "cannot list versions: "+err.Error())
		case n != 1:
			add(Authenticity, "versions", obj, Fail, fmt.Sprintf("%d versions: something was written over the filed one", n))
		}
	}

	checkFormat(rec, f, obj, head.b, body.Bytes(), add)
	if f.Role == "pdf" {
		checkSignature(body.Bytes(), obj, o.SignatureRoots, later, o.Now, add)
	}

	lock, err := s.LockOf(ctx, bk, f.Key)
	switch {
	case err != nil:
		add(Security, "retention", obj, Fail, "cannot read retention: "+err.Error())
	case lock.Mode == "" && bk != storage.Archive:
		add(Security, "retention", obj, Warn, "not retained: the "+f.Bucket+" bucket has no object lock")
	case lock.Mode == "" || !lock.Until.After(o.Now):
		add(Security, "retention", obj, Fail, "no retention in force")
	default:
		detail := fmt.Sprintf("%s until %s", lock.Mode, lock.Until.Format("2006-01-02"))
		if lock.LegalHold {
			detail += ", legal hold on"
		}
		status := Pass
		rule := o.Policy.For(rec.Type, rec.Matter)
		switch {
		case rule.Years > 0 && lock.Until.Before(rule.Lock(rec.FiledAt).Until.Add(-24*time.Hour)):
			status, detail = Warn, detail+fmt.Sprintf(", shorter than the %d years the schedule sets for %s", rule.Years, rec.Type)
		case rule.Mode == "COMPLIANCE" && lock.Mode != "COMPLIANCE":
			status, detail = Warn, detail+fmt.Sprintf(", weaker than the COMPLIANCE mode the schedule sets for %s", rec.Type)
		}
		add(Security, "retention", obj, status, detail)
	}
	return nil
}

func checkFormat(rec *Record, f File, obj string, head, body []byte, add func(prop, check, object, status, detail string)) {
	switch f.Role {
	case "pdf":
		if !bytes.HasPrefix(head, []byte("%PDF-")) {
			add(Usability, "format", obj, Fail, "does not start with %PDF-")
			return
		}
		n, err := pdfPageCount(body)
		switch {
		case err != nil:
			add(Usability, "opens", obj, Fail, "the PDF does not open: "+err.Error())
		case n != rec.PageCount:
			add(Usability, "pages", obj, Fail, fmt.Sprintf("%d pages, the record says %d", n, rec.PageCount))
		default:
			add(Usability, "format", obj, Pass, fmt.Sprintf("PDF, opens, %d pages", n))
		}
	case "text":
		switch {
		case !utf8.Valid(body):
			add(Usability, "format", obj, Fail, "not UTF-8")
		case strings.Count(string(body), "\f")+1 != rec.PageCount:
			add(Usability, "pages", obj, Warn, fmt.Sprintf("%d page sections, the record says %d pages", strings.Count(string(body), "\f")+1, rec.PageCount))
		default:
			add(Usability, "format", obj, Pass, "UTF-8 text, one section per page")
		}
	case "original":
		if kind := sniffKind(head); kind != f.Format {
			add(Usability, "format", obj, Fail, fmt.Sprintf("bytes are %q, the record says %q", kind, f.Format))
		} else {
			add(Usability, "format", obj, Pass, kind)
		}
	}
}

func sniffKind(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "tiff"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	}
	return "unknown"
}

// prefixKeeper keeps the first max bytes written to it.
type prefixKeeper struct {
	b   []byte
	max int
}

func (p *prefixKeeper) Write(b []byte) (int, error) {
	if n := p.max - len(p.b); n > 0 {
		p.b = append(p.b, b[:min(n, len(b))]...)
	}
	return len(b), nil
}

// pdfPageCount opens a PDF with pdfcpu and counts its pages; a parser panic is a failure to
// open, not a crash of the report.
func pdfPageCount(data []byte) (n int, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = 0, fmt.Errorf("parser failure: %v", r)
		}
	}()
	conf := &model.Configuration{Reader15: true, ValidationMode: model.ValidationRelaxed, Limits: model.DefaultResourceLimits()}
	pc, err := pdfcpu.ReadWithContext(context.Background(), bytes.NewReader(data), conf)
	if err != nil {
		return 0, err
	}
	if err := pc.EnsurePageCount(); err != nil {
		return 0, err
	}
	return pc.PageCount, nil
}
