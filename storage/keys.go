package storage

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Object keys. Inbox: what users sent. Work: derived per-page data. Archive: filed records.

// RawKey is where an upload's bytes live, addressed by their SHA-256.
func RawKey(sha256hex string) string { return "raw/sha256/" + sha256hex[:2] + "/" + sha256hex }

// OriginalKey is where an original scan is kept in the archive, under retention, beside the
// documents made from it; content-addressed, so the documents of a batch share it.
func OriginalKey(sha256hex string) string {
	return "originals/sha256/" + sha256hex[:2] + "/" + sha256hex
}

// BatchesPrefix holds every batch's objects, in the inbox, work and archive buckets.
const BatchesPrefix = "batches/"

// ManifestKey is a batch's intake manifest and latest status (the record Redis is rebuilt from).
func ManifestKey(batchID string) string { return BatchesPrefix + batchID + "/batch.json" }

// BatchOfManifestKey is the batch whose manifest is at key; ok is false for any other key.
func BatchOfManifestKey(key string) (batchID string, ok bool) {
	id, ok := strings.CutSuffix(strings.TrimPrefix(key, BatchesPrefix), "/batch.json")
	if !ok || !strings.HasPrefix(key, BatchesPrefix) || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

// RejectedKey records an upload refused at intake, beside its kept bytes.
func RejectedKey(id string) string { return "rejected/" + id + ".json" }

// PageImageKey is a page's image (upright, original encoding where possible).
func PageImageKey(batchID string, index int, format string) string {
	return fmt.Sprintf("batches/%s/pages/%05d.%s", batchID, index, format)
}

// PageListKey lists where prepare put each page image of a batch (work bucket).
func PageListKey(batchID string) string { return "batches/" + batchID + "/pages.json" }

// PageResultKey is a page task's result.
func PageResultKey(batchID string, index int) string {
	return fmt.Sprintf("batches/%s/pages/%05d.json", batchID, index)
}

// OCRKey is a page's word boxes.
func OCRKey(batchID string, index int) string {
	return fmt.Sprintf("batches/%s/pages/%05d.words.json", batchID, index)
}

// TurnedOCRKey is a page's word boxes read again turned clockwise by turn, the way a person
// said is up (workers' refile), in the turned page's pixels.
func TurnedOCRKey(batchID string, index, turn int) string {
	return fmt.Sprintf("batches/%s/pages/%05d.turned%03d.words.json", batchID, index, turn)
}

// DocumentsPrefix holds every filed document's objects in the archive.
const DocumentsPrefix = "documents/"

// DocumentPrefix is where a filed document's objects live in the archive.
func DocumentPrefix(docID string) string { return DocumentsPrefix + docID + "/" }

// DocumentPDFKey, DocumentTextKey and DocumentRecordKey are a filed document's objects.
func DocumentPDFKey(docID string) string    { return DocumentPrefix(docID) + "document.pdf" }
func DocumentTextKey(docID string) string   { return DocumentPrefix(docID) + "text.txt" }
func DocumentRecordKey(docID string) string { return DocumentPrefix(docID) + "record.json" }

// DocumentOfRecordKey is the document whose record is at key; ok is false for any other key.
func DocumentOfRecordKey(key string) (docID string, ok bool) {
	rest, ok := strings.CutPrefix(key, DocumentsPrefix)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, "/record.json")
}

// ArchivalCodesPrefix holds the archival codes claimed in the archive: one write-once object a
// code, naming the document that holds it, and one a document, naming its code.
const ArchivalCodesPrefix = "archival-codes/"

// ArchivalCodeClaimKey is the claim of code (or, for a prefix listing, of the codes starting with
// it). Escaped per character, so the key of a code's beginning is the beginning of its key.
func ArchivalCodeClaimKey(code string) string {
	return ArchivalCodesPrefix + "codes/" + url.PathEscape(code)
}

// ArchivalCodeOfClaimKey is the code whose claim is at key.
func ArchivalCodeOfClaimKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, ArchivalCodesPrefix+"codes/")
	if !ok {
		return "", false
	}
	code, err := url.PathUnescape(rest)
	return code, err == nil
}

// DocumentArchivalCodeKey names the code a document was given.
func DocumentArchivalCodeKey(docID string) string {
	return ArchivalCodesPrefix + "documents/" + docID + ".json"
}

// DocumentEventsPrefix holds the events filed after a document's write-once record.
func DocumentEventsPrefix(docID string) string { return DocumentPrefix(docID) + "events/" }

// DocumentEventKey is where an event of type typ that happened at t is kept; the time
// first, to the nanosecond, so that a listing is in order and two events do not collide.
func DocumentEventKey(docID string, t time.Time, typ string) string {
	return DocumentEventsPrefix(docID) + t.UTC().Format("20060102T150405.000000000Z") + "-" + typ + ".json"
}

// AuditPrefix holds the access audit chain, one object an entry, by day of writing.
const AuditPrefix = "audit/"

// AuditKey is where entry seq of the audit chain, written at t, is kept.
func AuditKey(t time.Time, seq int64) string {
	return AuditPrefix + t.UTC().Format("2006/01/02") + fmt.Sprintf("/%012d.json", seq)
}

// AuditSeqOfKey is the sequence number an audit entry's key names.
func AuditSeqOfKey(key string) (int64, bool) {
	base, ok := strings.CutSuffix(path.Base(key), ".json")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(base, 10, 64)
	return n, err == nil
}

// FixityPrefix holds the fixity runs' reports.
const FixityPrefix = "fixity/"

// FixityReportKey is where the report of a fixity run started at t is kept.
func FixityReportKey(t time.Time) string {
	return FixityPrefix + t.UTC().Format("2006/01/02T150405.000Z") + ".json"
}
