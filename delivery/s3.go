package delivery

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"onewindow/archive"
	"onewindow/internal/errs"
)

// DocumentSource opens a document's PDF in our storage, to be streamed into a bag.
type DocumentSource interface {
	OpenDocument(ctx context.Context, docID string) (io.ReadCloser, error)
}

// S3Options tune an S3Sender.
type S3Options struct {
	// Organization is the bag's Source-Organization (the hall's name).
	Organization string
	// TempDir holds each bag while it is written (default os.TempDir()).
	TempDir string
	// PartSize is the size above which a bag goes up in parts, read from its file (default
	// 16 MiB; S3's minimum part is 5 MiB).
	PartSize uint64
	// Signer signs each bag's tag manifest (archive.BagSignatureName), so that the
	// department can tell the package comes from the hall; nil: unsigned.
	Signer archive.ManifestSigner
}

// S3Sender writes each package into its department's own bucket as a zipped BagIt bag,
// {prefix}{case}/v{n}/bag.zip, then {prefix}{case}/v{n}/manifest.json beside it. The manifest
// comes last, so a department that sees it knows the bag is whole; both carry the
// idempotency key in their metadata, and a package whose manifest is already there with the
// same key is not written again.
type S3Sender struct {
	reg  *Registry
	docs DocumentSource
	opt  S3Options

	mu      sync.Mutex
	clients map[*S3]*minio.Client // by the loaded settings, so a reload makes new clients
}

var _ Sender = (*S3Sender)(nil)

// NewS3Sender sends to the S3 departments of reg, reading documents from docs.
func NewS3Sender(reg *Registry, docs DocumentSource, opt S3Options) *S3Sender {
	if opt.PartSize == 0 {
		opt.PartSize = 16 << 20
	}
	return &S3Sender{reg: reg, docs: docs, opt: opt, clients: map[*S3]*minio.Client{}}
}

func (s *S3Sender) client(b *S3) (*minio.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[b]; ok {
		return c, nil
	}
	c, err := minio.New(b.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(b.AccessKey, string(b.SecretKey), ""),
		Secure: b.Secure,
		Region: b.Region,
	})
	if err != nil {
		return nil, errs.E("delivery.s3", errs.Invalid, "bad_department_s3", "The department's S3 settings are not valid.", err)
	}
	s.clients[b] = c
	return c, nil
}

// BagKey is where a package's bag goes in a department's bucket; ManifestKey its manifest.
func BagKey(prefix string, m *Manifest) string { return packagePrefix(prefix, m) + "bag.zip" }

// ManifestKey is where a package's manifest goes beside its bag.
func ManifestKey(prefix string, m *Manifest) string {
	return packagePrefix(prefix, m) + "manifest.json"
}

func packagePrefix(prefix string, m *Manifest) string {
	return fmt.Sprintf("%s%s/v%d/", prefix, unsafeKeyRe.ReplaceAllString(m.CaseNo, "_"), m.Version)
}

const metaKey = "Idempotency-Key"

// EventObjectKey is where an event about a case (kind: handout) goes in an S3 department's
// bucket: {prefix}{case}/events/{kind}.json, beside the case's package versions.
func EventObjectKey(prefix, caseNo, kind string) string {
	return fmt.Sprintf("%s%s/events/%s.json", prefix, unsafeKeyRe.ReplaceAllString(caseNo, "_"), unsafeKeyRe.ReplaceAllString(kind, "_"))
}

// SendEvent writes an event about a case (its JSON body, as a webhook department is POSTed
// it) into department deptID's bucket under EventObjectKey, carrying key as its idempotency
// key. Writing it again writes the same object.
func (s *S3Sender) SendEvent(ctx context.Context, deptID, caseNo, kind, key string, body []byte) error {
	const op = "delivery.s3"
	d, ok := s.reg.Current().Get(deptID)
	if !ok || d.Kind != KindS3 {
		return errs.Errorf(op, errs.NotFound, "unknown_department", "There is no S3 department %q.", deptID)
	}
	c, err := s.client(d.S3)
	if err != nil {
		return err
	}
	_, err = c.PutObject(ctx, d.S3.Bucket, EventObjectKey(d.S3.Prefix, caseNo, kind), bytes.NewReader(body), int64(len(body)),
		minio.PutObjectOptions{ContentType: "application/json", UserMetadata: map[string]string{metaKey: key}})
	if err != nil {
		return s3Error(op, d.ID, err)
	}
	return nil
}

// Send implements Sender.
func (s *S3Sender) Send(ctx context.Context, p Package) (Result, error) {
	const op = "delivery.s3"
	d, err := department(s.reg, p, KindS3)
	if err != nil {
		return Result{}, err
	}
	b := d.S3
	m := p.Manifest
	bagKey, manKey := BagKey(b.Prefix, &m), ManifestKey(b.Prefix, &m)
	res := Result{Kind: KindS3, Target: b.Bucket + "/" + manKey}
	c, err := s.client(b)
	if err != nil {
		return res, err
	}
	start := time.Now()
	if info, err := c.StatObject(ctx, b.Bucket, manKey, minio.StatObjectOptions{}); err == nil {
		if info.UserMetadata[metaKey] == p.Key() {
			res.State, res.Already, res.Duration = StateDelivered, true, time.Since(start)
			return res, nil
		}
	} else if minio.ToErrorResponse(err).Code != "NoSuchKey" {
		return res, s3Error(op, d.ID, err)
	}
	meta := map[string]string{metaKey: p.Key()}

	// The bag is written to a temporary file first: documents stream through it without
	// being held in memory, a document that fails its digests stops the package before the
	// department's bucket sees anything, and the upload knows its size, so minio-go sends it
	// in one PUT (or in parts read from the file) instead of buffering a part per upload.
	f, err := os.CreateTemp(s.opt.TempDir, "bag-*.zip")
	if err != nil {
		return res, errs.E(op, errs.Unavailable, "spool_failed", "The package cannot be spooled to disk.", err)
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := s.writeBag(ctx, bw, &m); err != nil {
		return res, err
	}
	if err := bw.Flush(); err != nil {
		return res, errs.E(op, errs.Unavailable, "spool_failed", "The package cannot be spooled to disk.", err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return res, errs.E(op, errs.Unavailable, "spool_failed", "The package cannot be spooled to disk.", err)
	}
	_, err = c.PutObject(ctx, b.Bucket, bagKey, io.NewSectionReader(f, 0, size), size, minio.PutObjectOptions{
		ContentType: "application/zip", UserMetadata: meta, PartSize: s.opt.PartSize})
	if err != nil {
		return res, s3Error(op, d.ID, err)
	}
	body, err := m.Bytes()
	if err != nil {
		return res, errs.E(op, errs.Internal, "manifest_unwritable", "The manifest cannot be written.", err)
	}
	_, err = c.PutObject(ctx, b.Bucket, manKey, bytes.NewReader(body), int64(len(body)),
		minio.PutObjectOptions{ContentType: "application/json", UserMetadata: meta})
	if err != nil {
		return res, s3Error(op, d.ID, err)
	}
	res.State, res.Duration = StateDelivered, time.Since(start)
	return res, nil
}

// s3Error: credentials or a bucket that are wrong will stay wrong until the hall fixes the
// file; anything else is the department's storage being away.
func s3Error(op, dept string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "AccessDenied", "NoSuchBucket", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidBucketName", "AllAccessDisabled":
		return errs.E(op, errs.Invalid, "department_rejected",
			fmt.Sprintf("Department %q's bucket refused the package (%s); it will not be sent again unless re-pushed.", dept, resp.Code), err)
	}
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		return errs.E(op, errs.Invalid, "department_rejected",
			fmt.Sprintf("Department %q's bucket refused the package (%d); it will not be sent again unless re-pushed.", dept, resp.StatusCode), err)
	}
	return errs.E(op, errs.Unavailable, "department_unavailable",
		fmt.Sprintf("Department %q's bucket cannot be reached; the package will be sent again.", dept), err)
}

// writeBag streams the package's bag: data/manifest.json and data/{doc}/document.pdf, with
// SHA-256 and SM3 manifests, zipped under a base directory {case}-v{version}/ (RFC 8493 §4.2)
// as `export` writes them, so archive.VerifyBag checks it. Unlike an
// export it carries neither the archive's records nor the original scans: those hold the
// applicant's data unmasked and the staff's provenance, which are not the department's.
func (s *S3Sender) writeBag(ctx context.Context, w io.Writer, m *Manifest) error {
	zw := zip.NewWriter(w)
	base := archive.BagName(fmt.Sprintf("%s-v%d", m.CaseNo, m.Version)) + "/"
	var payload, tags []archive.BagEntry
	put := func(name string, method uint16, r io.Reader) (archive.Digests, error) {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: base + name, Method: method, Modified: m.CreatedAt})
		if err != nil {
			return archive.Digests{}, err
		}
		dg := archive.NewDigester()
		if _, err := io.Copy(io.MultiWriter(fw, dg), r); err != nil {
			return archive.Digests{}, err
		}
		return dg.Sum(), nil
	}
	mr, mw := io.Pipe()
	go func() { _, err := m.WriteTo(mw); mw.CloseWithError(err) }()
	dg, err := put("data/manifest.json", zip.Deflate, mr)
	mr.Close()
	if err != nil {
		return err
	}
	payload = append(payload, archive.BagEntry{Path: "data/manifest.json", D: dg})
	for _, doc := range m.Documents {
		name := archive.BagDocumentPath(doc.ID, "document.pdf")
		rc, err := s.docs.OpenDocument(ctx, doc.ID)
		if err != nil {
			return err
		}
		dg, err := put(name, zip.Store, rc)
		rc.Close()
		if err != nil {
			return errs.E("delivery.s3", errs.Unavailable, "document_unreadable", "A document of the package cannot be read or spooled.", err)
		}
		if (doc.SHA256 != "" && dg.SHA256 != doc.SHA256) || (doc.SM3 != "" && dg.SM3 != doc.SM3) {
			// Never hand a department bytes its manifest does not vouch for.
			return errs.Errorf("delivery.s3", errs.Internal, "document_digest_mismatch",
				"Document %s does not match its recorded digests.", doc.ID)
		}
		payload = append(payload, archive.BagEntry{Path: name, D: dg})
	}
	var oxum int64
	for _, e := range payload {
		oxum += e.D.Size
	}
	addTag := func(name, content string) error {
		dg, err := put(name, zip.Deflate, strings.NewReader(content))
		tags = append(tags, archive.BagEntry{Path: name, D: dg})
		return err
	}
	org := ""
	if s.opt.Organization != "" {
		org = "Source-Organization: " + s.opt.Organization + "\n"
	}
	info := fmt.Sprintf("%sExternal-Identifier: %s\nExternal-Description: package %s for %s\nBag-Software-Agent: onewindow\nBagging-Date: %s\nPayload-Oxum: %d.%d\n",
		org, m.CaseNo, m.PackageID, m.Department, m.CreatedAt.Format("2006-01-02"), oxum, len(payload))
	for _, t := range []struct{ name, content string }{
		{"bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"},
		{"bag-info.txt", info},
		{"manifest-sha256.txt", archive.BagManifest(payload, "sha256")},
		{"manifest-sm3.txt", archive.BagManifest(payload, "sm3")},
	} {
		if err := addTag(t.name, t.content); err != nil {
			return err
		}
	}
	for _, alg := range []string{"sha256", "sm3"} {
		if _, err := put("tagmanifest-"+alg+".txt", zip.Deflate, strings.NewReader(archive.BagManifest(tags, alg))); err != nil {
			return err
		}
	}
	err = archive.SignTagManifest(ctx, s.opt.Signer, archive.BagManifest(tags, "sha256"), func(name string, r io.Reader) error {
		_, err := put(name, zip.Store, r)
		return err
	})
	if err != nil {
		return errs.E("delivery.s3", errs.Internal, "package_unsigned", "The package's manifest could not be signed.", err)
	}
	return zw.Close()
}
