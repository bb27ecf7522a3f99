package storage

import "fmt"

// Object keys. Inbox: what users sent. Work: derived per-page data. Archive: filed records.

// RawKey is where an upload's bytes live, addressed by their SHA-256.
func RawKey(sha256hex string) string { return "raw/sha256/" + sha256hex[:2] + "/" + sha256hex }

// OriginalKey is where an original scan is kept in the archive, under retention, beside the
// documents made from it; content-addressed, so the documents of a batch share it.
func OriginalKey(sha256hex string) string {
	return "originals/sha256/" + sha256hex[:2] + "/" + sha256hex
}

// ManifestKey is a batch's intake manifest and latest status (the record Redis is rebuilt from).
func ManifestKey(batchID string) string { return "batches/" + batchID + "/batch.json" }

// RejectedKey records an upload refused at intake, beside its kept bytes.
func RejectedKey(id string) string { return "rejected/" + id + ".json" }

// PageImageKey is a page's image (upright, original encoding where possible).
func PageImageKey(batchID string, index int, format string) string {
	return fmt.Sprintf("batches/%s/pages/%05d.%s", batchID, index, format)
}

// PageResultKey is a page task's result.
func PageResultKey(batchID string, index int) string {
	return fmt.Sprintf("batches/%s/pages/%05d.json", batchID, index)
}

// OCRKey is a page's word boxes.
func OCRKey(batchID string, index int) string {
	return fmt.Sprintf("batches/%s/pages/%05d.words.json", batchID, index)
}

// DocumentPrefix is where a filed document's objects live in the archive.
func DocumentPrefix(docID string) string { return "documents/" + docID + "/" }

// DocumentPDFKey, DocumentTextKey and DocumentRecordKey are a filed document's objects.
func DocumentPDFKey(docID string) string    { return DocumentPrefix(docID) + "document.pdf" }
func DocumentTextKey(docID string) string   { return DocumentPrefix(docID) + "text.txt" }
func DocumentRecordKey(docID string) string { return DocumentPrefix(docID) + "record.json" }
