package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"

	"onewindow/internal/errs"
)

// testBag is a bag file by file, by path from its base directory.
type testBag map[string][]byte

// testPayload is every test bag's payload: a record's files and a name RFC 8493 §2.1.3 wants
// percent-encoded in manifests.
var testPayload = map[string]string{
	"data/d-001/document.pdf":  "%PDF-1.7 test",
	"data/d-001/text.txt":      "申请人 张三\n",
	"data/100%\nnew\rline.txt": "a name with a percent sign, a line feed and a carriage return",
}

// testBagOptions say how a test bag is written.
type testBagOptions struct {
	algs    []string          // manifests and tag manifests; none: sha256 and sm3
	prefix  string            // before each manifest path, "./" as some tools write
	enc     encoding.Encoding // of the tag files other than bagit.txt; nil: UTF-8
	encName string            // Tag-File-Character-Encoding; "": UTF-8
	extra   map[string]string // payload files beside testPayload
	// plainNames leaves out the payload name with "%": bagit-python (1.9) decodes only %0A
	// and %0D in manifest paths, not the %25 RFC 8493 §2.1.3 requires for a percent sign.
	plainNames bool
}

func (o testBagOptions) algorithms() []string {
	if len(o.algs) == 0 {
		return []string{"sha256", "sm3"}
	}
	return o.algs
}

// encode writes a tag file in the bag's encoding, with a byte-order mark where it has one.
func (o testBagOptions) encode(t testing.TB, s string) []byte {
	if o.enc == nil {
		return []byte(s)
	}
	b, err := o.enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// makeTestBag is a valid bag written as o says.
func makeTestBag(t testing.TB, o testBagOptions) testBag {
	b := testBag{}
	var octets int
	for p, body := range testPayload {
		if o.plainNames && strings.Contains(p, "%") {
			continue
		}
		b[p] = []byte(body)
	}
	for p, body := range o.extra {
		b[p] = []byte(body)
	}
	for _, p := range b.payloadNames() {
		octets += len(b[p])
	}
	enc := o.encName
	if enc == "" {
		enc = "UTF-8"
	}
	b["bagit.txt"] = []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: " + enc + "\n")
	b["bag-info.txt"] = o.encode(t, fmt.Sprintf("Source-Organization: 政务服务中心\nPayload-Oxum: %d.%d\n", octets, len(b.payloadNames())))
	for _, alg := range o.algorithms() {
		b["manifest-"+alg+".txt"] = o.encode(t, b.listing(alg, true, o.prefix))
	}
	b.retag(t, o)
	return b
}

// listing is a manifest of the payload files or of the tag files (tag manifests aside).
func (b testBag) listing(alg string, payload bool, prefix string) string {
	var s strings.Builder
	for _, p := range slices.Sorted(maps.Keys(b)) {
		if strings.HasPrefix(p, "data/") != payload || strings.HasPrefix(p, "tagmanifest-") {
			continue
		}
		h := bagAlgorithms[alg]()
		h.Write(b[p])
		fmt.Fprintf(&s, "%x  %s\n", h.Sum(nil), prefix+encodeBagPath(p))
	}
	return s.String()
}

// retag writes the tag manifests anew, so that a test's change to a tag file is the only fault.
func (b testBag) retag(t testing.TB, o testBagOptions) {
	for p := range b {
		if strings.HasPrefix(p, "tagmanifest-") {
			delete(b, p)
		}
	}
	tags := map[string][]byte{}
	for _, alg := range o.algorithms() {
		tags["tagmanifest-"+alg+".txt"] = o.encode(t, b.listing(alg, false, o.prefix))
	}
	maps.Copy(b, tags)
}

// zip serializes the bag under base ("": without a base directory).
func (b testBag) zip(t testing.TB, base string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range slices.Sorted(maps.Keys(b)) {
		name := p
		if base != "" {
			name = base + "/" + p
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b[p])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dir writes the bag into a new directory.
func (b testBag) dir(t testing.TB) string {
	dir := t.TempDir()
	for p, body := range b {
		file := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// appendLine adds a line to a tag file.
func (b testBag) appendLine(name, line string) { b[name] = append(b[name], []byte(line+"\n")...) }

// bagForms verifies a bag in each of its forms: a directory, zipped under a base directory,
// zipped without one.
func bagForms(t *testing.T, b testBag) map[string]func() (*BagReport, error) {
	return map[string]func() (*BagReport, error){
		"directory": func() (*BagReport, error) { return VerifyBagDir(b.dir(t)) },
		"zip with base directory": func() (*BagReport, error) {
			z := b.zip(t, "JL2026-0001")
			return VerifyBag(bytes.NewReader(z), int64(len(z)))
		},
		"zip without base directory": func() (*BagReport, error) {
			z := b.zip(t, "")
			return VerifyBag(bytes.NewReader(z), int64(len(z)))
		},
	}
}

func utf16BOM() encoding.Encoding { return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM) }

// TestVerifyBagAcceptsValidBags: bags in every algorithm RFC 8493 and the hall use, with the
// forms of paths and encodings other tools write, verify in every serialization.
func TestVerifyBagAcceptsValidBags(t *testing.T) {
	tests := []struct {
		name      string
		o         testBagOptions
		change    func(testBag)
		unchecked []string
	}{
		{name: "md5", o: testBagOptions{algs: []string{"md5"}}},
		{name: "sha1", o: testBagOptions{algs: []string{"sha1"}}},
		{name: "sha512", o: testBagOptions{algs: []string{"sha512"}}},
		{name: "sha256 and sha512, bagit-python's defaults", o: testBagOptions{algs: []string{"sha256", "sha512"}}},
		{name: "sm3", o: testBagOptions{algs: []string{"sm3"}}},
		{name: "every algorithm", o: testBagOptions{algs: []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sm3"}}},
		{name: "./ before the paths", o: testBagOptions{algs: []string{"sha256"}, prefix: "./"}},
		{name: "UTF-16 tag files", o: testBagOptions{algs: []string{"sha256", "md5"}, enc: utf16BOM(), encName: "UTF-16"}},
		// bagit-python 1.8 writes 0.97 bags with its defaults, SHA-256 and SHA-512, and names
		// itself in bag-info.txt.
		{name: "as bagit-python writes it", o: testBagOptions{algs: []string{"sha256", "sha512"}, extra: map[string]string{"data/scan page 1.jpeg": "\xff\xd8"}},
			change: func(b testBag) {
				b["bagit.txt"] = []byte("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
				b["bag-info.txt"] = append([]byte("Bag-Software-Agent: bagit.py v1.8.1\nBagging-Date: 2026-12-06\n"), b["bag-info.txt"]...)
			}},
		{name: "version 0.97", o: testBagOptions{}, change: func(b testBag) {
			b["bagit.txt"] = []byte("BagIt-Version: 0.97\r\nTag-File-Character-Encoding: UTF-8\r\n")
		}},
		{name: "an unknown algorithm beside a known one", o: testBagOptions{algs: []string{"sha256"}},
			change:    func(b testBag) { b["manifest-blake3.txt"] = []byte("00  data/d-001/text.txt\n") },
			unchecked: []string{"manifest-blake3.txt"}},
		{name: "CRLF and tab separated manifest lines", o: testBagOptions{algs: []string{"sha256"}}, change: func(b testBag) {
			b["manifest-sha256.txt"] = bytes.ReplaceAll(bytes.ReplaceAll(b["manifest-sha256.txt"], []byte("  "), []byte("\t")), []byte("\n"), []byte("\r\n"))
		}},
		{name: "a complete bag with fetch.txt", o: testBagOptions{}, change: func(b testBag) {
			b["fetch.txt"] = []byte("https://example.org/text.txt 15 data/d-001/text.txt\n")
		}},
		{name: "names decomposed on disk, composed in the manifests", o: testBagOptions{extra: map[string]string{"data/cafe\u0301.txt": "é"}},
			change: func(b testBag) {
				for _, alg := range []string{"sha256", "sm3"} {
					b["manifest-"+alg+".txt"] = bytes.ReplaceAll(b["manifest-"+alg+".txt"], []byte("cafe\u0301"), []byte("caf\u00e9"))
				}
			}},
		// The inner bag is payload like any other; the outer bagit.txt decides.
		{name: "another bag in data/", o: testBagOptions{extra: map[string]string{
			"data/bagit.txt": "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", "data/manifest-md5.txt": "00  data/x\n"}}},
	}
	for _, tt := range tests {
		b := makeTestBag(t, tt.o)
		if tt.change != nil {
			tt.change(b)
			b.retag(t, tt.o)
		}
		for form, verify := range bagForms(t, b) {
			rep, err := verify()
			if err != nil || !rep.OK() {
				t.Errorf("%s, %s: %v %+v", tt.name, form, err, rep)
				continue
			}
			if rep.Files != len(b.payloadNames()) || len(rep.payload) != rep.Files || !slices.Equal(rep.Unchecked, tt.unchecked) {
				t.Errorf("%s, %s: %d files, %d digests, unchecked %v; want %d, %v", tt.name, form, rep.Files, len(rep.payload), rep.Unchecked, len(b.payloadNames()), tt.unchecked)
			}
		}
	}
}

func (b testBag) payloadNames() []string {
	var names []string
	for p := range b {
		if strings.HasPrefix(p, "data/") {
			names = append(names, p)
		}
	}
	return names
}

// TestVerifyBagRefusesInvalidBags: each fault is found, in every serialization, and named for
// what it is.
func TestVerifyBagRefusesInvalidBags(t *testing.T) {
	const declaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
	sum := func(b testBag, alg, p string) string {
		h := bagAlgorithms[alg]()
		h.Write(b[p])
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	tests := []struct {
		name   string
		change func(testBag)
		// retag: the change is to a tag file, so the tag manifests are written anew after it
		// and the change is the only fault.
		retag bool
		want  string // a problem's path and sentence, "path: problem"
	}{
		{"byte-order mark in bagit.txt", func(b testBag) { b["bagit.txt"] = append([]byte("\xEF\xBB\xBF"), b["bagit.txt"]...) }, true,
			"bagit.txt: begins with a byte-order mark"},
		{"version .97", func(b testBag) { b["bagit.txt"] = []byte("BagIt-Version: .97\nTag-File-Character-Encoding: UTF-8\n") }, true,
			`bagit.txt: BagIt-Version ".97" is not a version M.N in digits`},
		{"version without digits", func(b testBag) { b["bagit.txt"] = []byte("BagIt-Version: 1.x\nTag-File-Character-Encoding: UTF-8\n") }, true,
			`bagit.txt: BagIt-Version "1.x"`},
		{"no encoding", func(b testBag) { b["bagit.txt"] = []byte("BagIt-Version: 1.0\n") }, true,
			"bagit.txt: declares no Tag-File-Character-Encoding"},
		{"unknown encoding", func(b testBag) { b["bagit.txt"] = []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-99\n") }, true,
			`bagit.txt: Tag-File-Character-Encoding "UTF-99" is not a character encoding`},
		{"a third line in bagit.txt", func(b testBag) { b["bagit.txt"] = []byte(declaration + "Extra: 1\n") }, true,
			"bagit.txt: has 3 lines"},
		{"no bagit.txt", func(b testBag) { delete(b, "bagit.txt") }, true, "bagit.txt: missing"},
		{"a file listed twice", func(b testBag) {
			b.appendLine("manifest-sha256.txt", sum(b, "sha256", "data/d-001/text.txt")+"  data/d-001/text.txt")
		}, true, "data/d-001/text.txt: listed twice in manifest-sha256.txt"},
		{"a file listed twice, once as ./", func(b testBag) {
			b.appendLine("manifest-sha256.txt", sum(b, "sha256", "data/d-001/text.txt")+"  ./data/d-001/text.txt")
		}, true, "data/d-001/text.txt: listed twice in manifest-sha256.txt"},
		{"../ in a manifest", func(b testBag) { b.appendLine("manifest-sha256.txt", "00  data/../../x") }, true,
			"data/../../x: listed in manifest-sha256.txt with an unsafe path"},
		{"absolute path in a manifest", func(b testBag) { b.appendLine("manifest-sm3.txt", "00  /tmp/x") }, true,
			"/tmp/x: listed in manifest-sm3.txt with an unsafe path"},
		{"~ in a tag manifest", func(b testBag) { b.appendLine("tagmanifest-sha256.txt", "00  ~/x") }, false,
			"~/x: listed in tagmanifest-sha256.txt with an unsafe path"},
		{"fetch.txt outside the bag", func(b testBag) { b["fetch.txt"] = []byte("https://example.org/x 3 ../../x\n") }, true,
			"../../x: named in fetch.txt with an unsafe path"},
		{"fetch.txt to an absolute path", func(b testBag) { b["fetch.txt"] = []byte("https://example.org/x - /tmp/x\n") }, true,
			"/tmp/x: named in fetch.txt with an unsafe path"},
		{"fetch.txt to a home directory", func(b testBag) { b["fetch.txt"] = []byte("https://example.org/x 3 ~/x\n") }, true,
			"~/x: named in fetch.txt with an unsafe path"},
		{"a payload file missing", func(b testBag) { delete(b, "data/d-001/text.txt") }, false,
			"data/d-001/text.txt: listed in manifest-sha256.txt but missing from the bag"},
		{"a payload file to fetch", func(b testBag) {
			delete(b, "data/d-001/text.txt")
			b["fetch.txt"] = []byte("https://example.org/text.txt 15 data/d-001/text.txt\n")
		}, true, "data/d-001/text.txt: listed in manifest-sha256.txt and named in fetch.txt, but not fetched"},
		{"a payload file unlisted", func(b testBag) { b["data/d-001/scan.jpeg"] = []byte("\xff\xd8") }, false,
			"data/d-001/scan.jpeg: in data/ but not listed in manifest-sha256.txt"},
		{"a payload file changed", func(b testBag) { b["data/d-001/document.pdf"] = []byte("%PDF-1.7 tesT") }, false,
			"data/d-001/document.pdf: sha256 checksum differs from the one manifest-sha256.txt lists"},
		{"a tag file changed", func(b testBag) { b.appendLine("bag-info.txt", "Contact-Name: 李四") }, false,
			"bag-info.txt: sha256 checksum differs from the one tagmanifest-sha256.txt lists"},
		{"a payload manifest listing a tag file", func(b testBag) {
			b.appendLine("manifest-sha256.txt", sum(b, "sha256", "bagit.txt")+"  bagit.txt")
		}, true, "bagit.txt: listed in manifest-sha256.txt, a payload manifest, but outside data/"},
		{"only an unknown algorithm", func(b testBag) {
			b["manifest-blake3.txt"] = b["manifest-sha256.txt"]
			delete(b, "manifest-sha256.txt")
			delete(b, "manifest-sm3.txt")
		}, true, "manifest-*.txt: no payload manifest in an algorithm onewindow checks"},
		{"a malformed manifest line", func(b testBag) { b.appendLine("manifest-sha256.txt", "0123456789") }, true,
			`manifest-sha256.txt: line 4, "0123456789", is not "CHECKSUM PATH"`},
		{"a wrong Payload-Oxum", func(b testBag) { b["bag-info.txt"] = []byte("Payload-Oxum: 1.1\n") }, true,
			"bag-info.txt: Payload-Oxum 1.1, bag holds"},
		{"a malformed Payload-Oxum", func(b testBag) { b["bag-info.txt"] = []byte("Payload-Oxum: many\n") }, true,
			`bag-info.txt: Payload-Oxum "many" is not OCTETS.COUNT`},
	}
	for _, tt := range tests {
		o := testBagOptions{}
		b := makeTestBag(t, o)
		tt.change(b)
		if tt.retag {
			b.retag(t, o)
		}
		for form, verify := range bagForms(t, b) {
			rep, err := verify()
			if err != nil {
				t.Errorf("%s, %s: %v", tt.name, form, err)
				continue
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.Path+": "+p.Problem)
			}
			if rep.OK() || !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, tt.want) }) {
				t.Errorf("%s, %s: problems\n\t%s\nwant one starting %q", tt.name, form, strings.Join(got, "\n\t"), tt.want)
			}
		}
	}
}

// TestVerifyBagJudgesTheOuterBag: a zip without a base directory whose data/ holds an intact
// bag is judged by its own bagit.txt and manifests, so damage to it is found.
func TestVerifyBagJudgesTheOuterBag(t *testing.T) {
	inner := makeTestBag(t, testBagOptions{})
	o := testBagOptions{extra: map[string]string{}}
	for p, body := range inner {
		o.extra["data/"+p] = string(body)
	}
	damaged := makeTestBag(t, o)
	damaged["data/d-001/text.txt"] = []byte("changed")
	noBagit := makeTestBag(t, o)
	delete(noBagit, "bagit.txt")
	for name, b := range map[string]testBag{"outer payload changed": damaged, "outer bagit.txt missing": noBagit} {
		z := b.zip(t, "")
		rep, err := VerifyBag(bytes.NewReader(z), int64(len(z)))
		if err != nil || rep.OK() || rep.Files != len(b.payloadNames()) {
			t.Errorf("%s: %v %+v; want not intact, judged with its %d payload files", name, err, rep, len(b.payloadNames()))
		}
	}
}

// TestVerifyBagCannotCheck: input that is no bag at all is an error (ErrNotABag), not a report.
func TestVerifyBagCannotCheck(t *testing.T) {
	two := makeTestBag(t, testBagOptions{})
	for p, body := range makeTestBag(t, testBagOptions{}) {
		two["second/"+p] = body
	}
	withBase := func(b testBag) testBag {
		out := testBag{}
		for p, body := range b {
			top := "first/"
			if strings.HasPrefix(p, "second/") {
				top = ""
			}
			out[top+p] = body
		}
		return out
	}
	zips := map[string][]byte{
		"not a zip":            []byte("PK\x03\x04 not really"),
		"a zip of other files": testBag{"notes.txt": []byte("hello"), "data/x": []byte("x")}.zip(t, ""),
		"an empty zip":         testBag{}.zip(t, ""),
		"two bags in one zip":  withBase(two).zip(t, ""),
	}
	for name, z := range zips {
		rep, err := VerifyBag(bytes.NewReader(z), int64(len(z)))
		if !errors.Is(err, ErrNotABag) {
			t.Errorf("%s: %v %+v; want ErrNotABag", name, err, rep)
		}
	}
	for name, dir := range map[string]string{"an empty directory": t.TempDir(), "no directory": filepath.Join(t.TempDir(), "none")} {
		rep, err := VerifyBagDir(dir)
		if !errors.Is(err, ErrNotABag) {
			t.Errorf("%s: %v %+v; want ErrNotABag", name, err, rep)
		}
	}
}

// TestVerifyBagDirStaysInside: a symbolic link in a directory bag that leads out of it is a
// problem, not a file read from elsewhere.
func TestVerifyBagDirStaysInside(t *testing.T) {
	b := makeTestBag(t, testBagOptions{})
	dir := b.dir(t)
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "data", "link")); err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyBagDir(dir)
	if err != nil || rep.OK() || rep.Problems[0].Path != "data/link" || !strings.HasPrefix(rep.Problems[0].Problem, "unreadable") {
		t.Errorf("%v %+v; want data/link unreadable", err, rep)
	}
}

func TestBagReportSummary(t *testing.T) {
	p := BagProblem{"data/x", "missing"}
	for _, tt := range []struct {
		problems []BagProblem
		want     string
	}{
		{nil, "intact"},
		{[]BagProblem{p}, "not intact: 1 problem, data/x: missing"},
		{[]BagProblem{p, p}, "not intact: 2 problems, the first data/x: missing"},
	} {
		if got := (&BagReport{Problems: tt.problems}).Summary(); got != tt.want {
			t.Errorf("Summary() = %q, want %q", got, tt.want)
		}
	}
}

// TestZipBagDir: a directory bag zips into the form ImportBag reads; one with a link leading
// out of it is refused before anything is zipped.
func TestZipBagDir(t *testing.T) {
	dir := makeTestBag(t, testBagOptions{}).dir(t)
	var buf bytes.Buffer
	if err := ZipBagDir(&buf, dir); err != nil {
		t.Fatal(err)
	}
	if rep, err := VerifyBag(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil || !rep.OK() || rep.Files != len(testPayload) {
		t.Errorf("zipped directory: %v %+v", err, rep)
	}
	if err := os.Symlink("/", filepath.Join(dir, "data", "root")); err != nil {
		t.Fatal(err)
	}
	if err := ZipBagDir(&bytes.Buffer{}, dir); !errors.Is(err, ErrBagNotIntact) || errs.CodeOf(err) != "bag_not_intact" {
		t.Errorf("a link out of the bag: %v, want bag_not_intact", err)
	}
}

// TestImportBagRefusesABagNotIntact: nothing is filed from a bag that fails verification, and
// the error says why in one sentence.
func TestImportBagRefusesABagNotIntact(t *testing.T) {
	b := makeTestBag(t, testBagOptions{})
	b["data/d-001/text.txt"] = []byte("changed")
	z := b.zip(t, "bag")
	_, err := ImportBag(context.Background(), nil, bytes.NewReader(z), int64(len(z)), "test", nil)
	want := "The bag is not intact: 3 problems, the first data/d-001/text.txt: sha256 checksum differs"
	if !errors.Is(err, ErrBagNotIntact) || !strings.HasPrefix(errs.MessageOf(err), want) {
		t.Errorf("ImportBag: %v, want ErrBagNotIntact saying %q", err, want)
	}
}
