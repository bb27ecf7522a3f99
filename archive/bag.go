package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"onewindow/internal/errs"
	"onewindow/storage"
)

// Bags follow BagIt (RFC 8493), zipped from the parent of the bag's base directory (§4.2), so
// the zip holds {name}/bagit.txt, {name}/bag-info.txt, {name}/data/…, manifest-sha256.txt,
// manifest-sm3.txt, tagmanifest-sha256.txt and tagmanifest-sm3.txt beside them. Within data/
// each document has its own directory with document.pdf, text.txt, record.json, its Dublin
// Core description dc.xml and the events filed since (events/); the original scans, which
// several documents of a batch share, are under data/originals/ by SHA-256, and the batches'
// intake manifests (case, station, courier details, status) under data/batches/. Readers
// take bags zipped with or without the base directory.

// BagInfo are bag-info.txt's descriptive fields.
type BagInfo struct {
	// Name is the bag's base directory in the zip; empty: BagName(ExternalIdentifier).
	Name               string
	SourceOrganization string
	ExternalIdentifier string // the case number
	Description        string
	Software           string
	// Signer signs tagmanifest-sha256.txt (BagSignatureName beside it), so that another
	// archive can tell who made the bag; nil: the bag is unsigned.
	Signer ManifestSigner
}

// ManifestSigner makes a detached CMS signature over a manifest (internal/esign's Signer).
type ManifestSigner interface {
	SignDetached(ctx context.Context, r io.Reader) ([]byte, error)
}

// BagSignatureName is the detached CMS signature (DER) over tagmanifest-sha256.txt, a tag
// file that no tag manifest lists (it signs the one that lists the rest). Another archive
// checks it with
//
//	openssl cms -verify -binary -inform DER -content tagmanifest-sha256.txt -in tagmanifest-sha256.txt.p7s -CAfile ca.pem
const BagSignatureName = "tagmanifest-sha256.txt.p7s"

// SignTagManifest writes BagSignatureName over the SHA-256 tag manifest through put, when
// there is a signer.
func SignTagManifest(ctx context.Context, signer ManifestSigner, tagManifest string, put func(name string, r io.Reader) error) error {
	if signer == nil {
		return nil
	}
	sig, err := signer.SignDetached(ctx, strings.NewReader(tagManifest))
	if err != nil {
		return err
	}
	return put(BagSignatureName, bytes.NewReader(sig))
}

// BagName is a bag's base directory name made from an identifier (the case number): letters,
// digits, dot, dash and underscore kept, anything else one underscore, so that every unzip
// tool on every system makes the same directory. RFC 8493 §4.2 wants the zip named after it,
// with an extension: {BagName}.zip.
func BagName(id string) string {
	var b strings.Builder
	under := false
	for _, r := range id {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	name := strings.Trim(b.String(), "_.")
	if name == "" {
		return "bag"
	}
	return name
}

// BagOriginalPath is where an original scan sits in a bag.
func BagOriginalPath(sha256hex, kind string) string {
	return "data/originals/" + sha256hex + "." + kind
}

// BagBatchPath is where a batch's intake manifest sits in a bag.
func BagBatchPath(batchID string) string { return "data/batches/" + batchID + ".json" }

// BagDocumentPath is where a document's file (document.pdf, text.txt, record.json) sits.
func BagDocumentPath(docID, name string) string { return "data/" + docID + "/" + name }

// BagEntry is one file of a bag, by its path in the bag, and its digests.
type BagEntry struct {
	Path string
	D    Digests
}

// WriteBag streams the bag of recs to w as a zip. It reads every file from the store as it
// goes and computes the manifests from the bytes written, not from the records, so a bag
// always describes exactly what it carries.
func WriteBag(ctx context.Context, w io.Writer, s Store, recs []*Record, info BagInfo) error {
	zw := zip.NewWriter(w)
	base := info.Name
	if base == "" {
		base = BagName(info.ExternalIdentifier)
	}
	base = BagName(base) + "/"
	var payload []BagEntry
	put := func(name string, method uint16, r io.Reader) (Digests, error) {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: base + name, Method: method, Modified: time.Now().UTC()})
		if err != nil {
			return Digests{}, err
		}
		d := NewDigester()
		if _, err := copyBuf(io.MultiWriter(fw, d), r); err != nil {
			return Digests{}, err
		}
		return d.Sum(), nil
	}
	copyObject := func(name string, bk storage.Bucket, key string) error {
		rc, _, err := s.Open(ctx, bk, key)
		if err != nil {
			return err
		}
		defer rc.Close()
		method := zip.Deflate
		if strings.HasSuffix(name, ".pdf") || strings.HasSuffix(name, ".jpeg") || strings.HasSuffix(name, ".png") {
			method = zip.Store // already compressed
		}
		d, err := put(name, method, rc)
		if err != nil {
			return fmt.Errorf("bag %s: %w", name, err)
		}
		payload = append(payload, BagEntry{name, d})
		return nil
	}
	seen := map[string]bool{}
	for _, rec := range recs {
		if err := copyObject(BagDocumentPath(rec.DocumentID, "record.json"), storage.Archive, storage.DocumentRecordKey(rec.DocumentID)); err != nil {
			return err
		}
		dcName := BagDocumentPath(rec.DocumentID, "dc.xml")
		d, err := put(dcName, zip.Deflate, bytes.NewReader(DublinCore(rec, info.SourceOrganization)))
		if err != nil {
			return fmt.Errorf("bag %s: %w", dcName, err)
		}
		payload = append(payload, BagEntry{dcName, d})
		// The events filed since the record (legal holds, imports, accesses) are provenance too.
		prefix := storage.DocumentEventsPrefix(rec.DocumentID)
		for o, err := range s.List(ctx, storage.Archive, prefix) {
			if err != nil {
				return err
			}
			if err := copyObject(BagDocumentPath(rec.DocumentID, "events/"+strings.TrimPrefix(o.Key, prefix)), storage.Archive, o.Key); err != nil {
				return err
			}
		}
		for _, f := range rec.Files {
			bk, ok := BucketOf(f.Bucket)
			if !ok {
				return fmt.Errorf("record %s: unknown bucket %q", rec.DocumentID, f.Bucket)
			}
			var name string
			switch f.Role {
			case "original":
				name = BagOriginalPath(f.SHA256, f.Format)
				if seen[name] {
					continue
				}
				seen[name] = true
			default:
				name = BagDocumentPath(rec.DocumentID, path.Base(f.Key))
			}
			if err := copyObject(name, bk, f.Key); err != nil {
				return err
			}
		}
	}
	// The batches' manifests, so that an installation importing the bag knows the cases and
	// their intake as well as the documents. A batch whose manifest is gone (it came here by
	// an older import) is carried without one.
	batches := map[string]bool{}
	for _, rec := range recs {
		if rec.BatchID == "" || batches[rec.BatchID] {
			continue
		}
		batches[rec.BatchID] = true
		err := copyObject(BagBatchPath(rec.BatchID), storage.Inbox, storage.ManifestKey(rec.BatchID))
		if err != nil && errs.KindOf(err) != errs.NotFound {
			return err
		}
	}
	var oxum int64
	for _, e := range payload {
		oxum += e.D.Size
	}
	var tags []BagEntry
	addTag := func(name, content string) error {
		d, err := put(name, zip.Deflate, strings.NewReader(content))
		tags = append(tags, BagEntry{name, d})
		return err
	}
	if err := addTag("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"); err != nil {
		return err
	}
	var bi strings.Builder
	if info.SourceOrganization != "" {
		fmt.Fprintf(&bi, "Source-Organization: %s\n", info.SourceOrganization)
	}
	if info.ExternalIdentifier != "" {
		fmt.Fprintf(&bi, "External-Identifier: %s\n", info.ExternalIdentifier)
	}
	if info.Description != "" {
		fmt.Fprintf(&bi, "External-Description: %s\n", info.Description)
	}
	sw := info.Software
	if sw == "" {
		sw = "onewindow"
	}
	fmt.Fprintf(&bi, "Bag-Software-Agent: %s\nBagging-Date: %s\nPayload-Oxum: %d.%d\nBag-Size: %d bytes\n",
		sw, time.Now().UTC().Format("2006-01-02"), oxum, len(payload), oxum)
	if err := addTag("bag-info.txt", bi.String()); err != nil {
		return err
	}
	for _, alg := range []string{"sha256", "sm3"} {
		if err := addTag("manifest-"+alg+".txt", BagManifest(payload, alg)); err != nil {
			return err
		}
	}
	for _, alg := range []string{"sha256", "sm3"} {
		if _, err := put("tagmanifest-"+alg+".txt", zip.Deflate, strings.NewReader(BagManifest(tags, alg))); err != nil {
			return err
		}
	}
	err := SignTagManifest(ctx, info.Signer, BagManifest(tags, "sha256"), func(name string, r io.Reader) error {
		_, err := put(name, zip.Store, r)
		return err
	})
	if err != nil {
		return fmt.Errorf("bag signature: %w", err)
	}
	return zw.Close()
}

// BagManifest is the text of a payload or tag manifest of entries for alg ("sha256" or
// "sm3"), sorted by path, paths percent-encoded as RFC 8493 §2.1.3 asks. Every bag onewindow
// writes (exports, departments' packages) lists its files through it.
func BagManifest(entries []BagEntry, alg string) string {
	sorted := append([]BagEntry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	var b strings.Builder
	for _, e := range sorted {
		sum := e.D.SHA256
		if alg == "sm3" {
			sum = e.D.SM3
		}
		b.WriteString(sum + "  " + encodeBagPath(e.Path) + "\n")
	}
	return b.String()
}

// encodeBagPath percent-encodes what RFC 8493 §2.1.3 requires in manifest paths.
func encodeBagPath(p string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(p)
}
