package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"onewindow/archive"
	"onewindow/internal/testenv"
	"onewindow/internal/testfixtures/bagit"
	"onewindow/storage"
)

// fileDocument files one document the way assembly does (PDF, text, an original scan, the
// record last) and returns its record.
func fileDocument(t *testing.T, ctx context.Context, blobs *storage.Blobs, id, caseNo string) *archive.Record {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	retain := storage.PutOptions{RetentionMode: "GOVERNANCE", RetainUntil: now.AddDate(1, 0, 0), IfAbsent: true}
	pdf := []byte("%PDF-1.7\n% not a real PDF, the bag only carries bytes\n%%EOF\n")
	text := []byte("授权委托书\f第二页")
	scan := []byte("\xff\xd8\xff scan bytes")
	rec := &archive.Record{DocumentID: id, ArchivalCode: "Z001-WS·2026-Y1-" + id, Title: caseNo + " 授权委托书",
		Type: "power_of_attorney", TypeName: "授权委托书", CaseNo: caseNo, BatchID: "B1", Matter: "企业设立登记",
		Applicant: "张三", PageCount: 2, ReceivedAt: now, FiledAt: now,
		Retention: archive.Retention{Mode: retain.RetentionMode, Until: retain.RetainUntil}}
	for _, f := range []struct {
		role, key, format string
		data              []byte
	}{
		{"pdf", storage.DocumentPDFKey(id), "application/pdf", pdf},
		{"text", storage.DocumentTextKey(id), "text/plain", text},
	} {
		d, _ := archive.DigestOf(bytes.NewReader(f.data))
		if _, err := blobs.PutBytes(ctx, storage.Archive, f.key, f.data, retain); err != nil {
			t.Fatal(err)
		}
		rec.Files = append(rec.Files, archive.File{Role: f.role, Bucket: "archive", Key: f.key, Format: f.format, Digests: d})
	}
	d, _ := archive.DigestOf(bytes.NewReader(scan))
	if _, err := blobs.PutBytes(ctx, storage.Archive, storage.OriginalKey(d.SHA256), scan, retain); err != nil && err != storage.ErrExists {
		t.Fatal(err)
	}
	rec.Files = append(rec.Files, archive.File{Role: "original", Bucket: "archive", Key: storage.OriginalKey(d.SHA256), Format: "jpeg", Digests: d})
	data, _ := json.Marshal(rec)
	if _, err := blobs.PutBytes(ctx, storage.Archive, storage.DocumentRecordKey(id), data, retain); err != nil {
		t.Fatal(err)
	}
	return rec
}

// An exported bag, unzipped, is an RFC 8493 bag under one base directory named after the case,
// with a Dublin Core description beside each record; verify-bag and import-bag read it, and
// still read a bag zipped the old way, without the base directory.
func TestExportedBagHasBaseDirectoryAndDublinCore(t *testing.T) {
	svc := testenv.Services(t)
	ctx := context.Background()
	blobs := testenv.Blobs(t, svc)
	recs := []*archive.Record{fileDocument(t, ctx, blobs, "B1-001", "JL/2026 0001"), fileDocument(t, ctx, blobs, "B1-002", "JL/2026 0001")}
	var buf bytes.Buffer
	if err := archive.WriteBag(ctx, &buf, blobs, recs, archive.BagInfo{SourceOrganization: "吉林省政务服务中心",
		ExternalIdentifier: "JL/2026 0001", Description: "test"}); err != nil {
		t.Fatal(err)
	}
	zipped := buf.Bytes()

	bag := bagit.Require(t, zipped)
	// Departments are told to check bags with any BagIt tool; bagit-python is the common one.
	t.Run("bagit-python validates it", func(t *testing.T) {
		tool := bagit.Python(t)
		if ok, out := bagit.PythonValidate(t, tool, bagit.Unzip(t, zipped)); !ok {
			t.Errorf("bagit-python finds the exported bag invalid:\n%s", out)
		}
	})
	if bag.Name != "JL_2026_0001" || archive.BagName("JL/2026 0001") != bag.Name {
		t.Errorf("base directory %q, want JL_2026_0001", bag.Name)
	}
	if !strings.HasPrefix(string(bag.Files["bagit.txt"]), "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n") {
		t.Errorf("bagit.txt: %q", bag.Files["bagit.txt"])
	}
	info := string(bag.Files["bag-info.txt"])
	for _, field := range []string{"Source-Organization: 吉林省政务服务中心", "External-Identifier: JL/2026 0001", "Bagging-Date: ", "Payload-Oxum: ", "Bag-Software-Agent: onewindow"} {
		if !strings.Contains(info, field) {
			t.Errorf("bag-info.txt lacks %q:\n%s", field, info)
		}
	}
	// One original shared by both documents, carried once.
	var names []string
	for name := range bag.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"bag-info.txt", "bagit.txt", "data/B1-001/dc.xml", "data/B1-001/document.pdf", "data/B1-001/record.json",
		"data/B1-001/text.txt", "data/B1-002/dc.xml", "data/B1-002/document.pdf", "data/B1-002/record.json", "data/B1-002/text.txt",
		"data/originals/" + recs[0].Files[2].SHA256 + ".jpeg", "manifest-sha256.txt", "manifest-sm3.txt", "tagmanifest-sha256.txt", "tagmanifest-sm3.txt"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("bag files:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}

	// dc.xml is simple Dublin Core with the record's title, archival code, date, type, format,
	// language, case and retention, and nothing personal.
	var dc struct {
		XMLName    xml.Name `xml:"http://www.openarchives.org/OAI/2.0/oai_dc/ dc"`
		Title      []string `xml:"http://purl.org/dc/elements/1.1/ title"`
		Identifier []string `xml:"http://purl.org/dc/elements/1.1/ identifier"`
		Date       []string `xml:"http://purl.org/dc/elements/1.1/ date"`
		Type       []string `xml:"http://purl.org/dc/elements/1.1/ type"`
		Format     []string `xml:"http://purl.org/dc/elements/1.1/ format"`
		Language   []string `xml:"http://purl.org/dc/elements/1.1/ language"`
		Source     []string `xml:"http://purl.org/dc/elements/1.1/ source"`
		Rights     []string `xml:"http://purl.org/dc/elements/1.1/ rights"`
		Publisher  []string `xml:"http://purl.org/dc/elements/1.1/ publisher"`
	}
	raw := bag.Files["data/B1-001/dc.xml"]
	if err := xml.Unmarshal(raw, &dc); err != nil {
		t.Fatalf("dc.xml: %v\n%s", err, raw)
	}
	rec := recs[0]
	if len(dc.Title) != 1 || dc.Title[0] != rec.Title || len(dc.Identifier) != 2 || dc.Identifier[0] != rec.ArchivalCode ||
		dc.Identifier[1] != rec.DocumentID || len(dc.Date) != 1 || dc.Date[0] != rec.ReceivedAt.Format("2006-01-02") ||
		!slices.Contains(dc.Type, "Text") || !slices.Contains(dc.Type, "授权委托书") || dc.Format[0] != "application/pdf" ||
		dc.Language[0] != "zh" || dc.Source[0] != "case JL/2026 0001" || !strings.Contains(dc.Rights[0], rec.Retention.Until.Format("2006-01-02")) ||
		dc.Publisher[0] != "吉林省政务服务中心" {
		t.Errorf("dc.xml:\n%s", raw)
	}
	if strings.Contains(string(raw), rec.Applicant) {
		t.Errorf("dc.xml carries the applicant:\n%s", raw)
	}

	// The old layout, the same files without the base directory, still verifies and imports.
	flat := rezip(t, zipped, func(name string) string { return strings.TrimPrefix(name, bag.Name+"/") })
	for layout, z := range map[string][]byte{"base directory": zipped, "no base directory": flat} {
		rep, err := archive.VerifyBag(bytes.NewReader(z), int64(len(z)))
		if err != nil || !rep.OK() || rep.Files != 9 {
			t.Errorf("%s: VerifyBag %+v %v", layout, rep, err)
		}
		opts := testenv.S3Options(svc)
		opts.Prefix = strings.ReplaceAll(layout, " ", "")
		into, err := storage.OpenBlobs(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		res, err := archive.ImportBag(ctx, into, bytes.NewReader(z), int64(len(z)), "test", nil)
		if err != nil || res.Documents != 2 || res.Originals != 1 {
			t.Fatalf("%s: ImportBag %+v %v", layout, res, err)
		}
		got, err := into.Get(ctx, storage.Archive, storage.DocumentTextKey("B1-002"))
		if err != nil || string(got) != "授权委托书\f第二页" {
			t.Errorf("%s: imported text %q %v", layout, got, err)
		}
	}
}

// rezip copies a zip with its entries renamed.
func rezip(t *testing.T, data []byte, rename func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: rename(f.Name), Method: f.Method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
