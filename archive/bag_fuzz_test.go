package archive

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var writeSeeds = flag.Bool("write-fuzz-seeds", false, "rewrite testdata/fuzz/FuzzVerifyBag from bagSeeds")

// FuzzVerifyBag feeds the BagIt reader that verify-bag and import-bag trust with outside
// zips. `go test ./archive -run=Fuzz` runs the seeds in testdata/fuzz/FuzzVerifyBag;
// `go test ./archive -run=- -fuzz=FuzzVerifyBag` looks for more.
func FuzzVerifyBag(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := VerifyBag(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, ErrNotABag) {
				t.Fatalf("error %v is not ErrNotABag", err)
			}
			return
		}
		if rep.Files < 0 || rep.Bytes < 0 || rep.Problems == nil {
			t.Fatalf("report %+v", rep)
		}
		if rep.OK() {
			// An intact bag had a payload manifest, and every payload file was read and
			// hashed: import relies on these digests instead of reading the files again.
			if len(rep.Manifests) == 0 {
				t.Fatal("a bag without a payload manifest is OK")
			}
			if len(rep.payload) != rep.Files {
				t.Fatalf("OK with %d of %d payload files hashed", len(rep.payload), rep.Files)
			}
		}
	})
}

type seedFile struct{ name, body string }

// seedBag zips files; manifests are computed for the payload bodies listed in sums (nil: none).
func seedBag(t *testing.T, files ...seedFile) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sm3Hex(t *testing.T, s string) string {
	d, err := DigestOf(bytes.NewReader([]byte(s)))
	if err != nil {
		t.Fatal(err)
	}
	return d.SM3
}

// bagSeeds are small bags that reach every branch of VerifyBag: intact with and without a
// top folder, in UTF-16, with ./ paths; a damaged payload, a file missing, unlisted or listed
// twice, a wrong Payload-Oxum, a bad bagit.txt or none, unsafe paths, a damaged bag holding
// another in data/, and bytes that are no zip at all.
func bagSeeds(t *testing.T) map[string][]byte {
	const pdf, text = "%PDF-1.7 seed", "申请人 张三\n"
	bagit := seedFile{"bag/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"}
	manifests := func(prefix string, paths ...string) []seedFile {
		bodies := map[string]string{"data/d-001/document.pdf": pdf, "data/d-001/text.txt": text, "data/d 100%.txt": text}
		var sha, sm3 string
		for _, p := range paths {
			sha += sha256Hex(bodies[p]) + "  " + encodeBagPath(p) + "\n"
			sm3 += sm3Hex(t, bodies[p]) + " *" + encodeBagPath(p) + "\r\n"
		}
		return []seedFile{{prefix + "manifest-sha256.txt", sha}, {prefix + "manifest-sm3.txt", sm3}}
	}
	payload := []seedFile{{"bag/data/d-001/document.pdf", pdf}, {"bag/data/d-001/text.txt", text}}
	oxum := seedFile{"bag/bag-info.txt", "Source-Organization: 政务服务中心\nPayload-Oxum: " +
		strconv.Itoa(len(pdf)+len(text)) + ".2\n"}
	intact := append(append([]seedFile{bagit, oxum}, payload...), manifests("bag/", "data/d-001/document.pdf", "data/d-001/text.txt")...)
	tags := "" + sha256Hex(bagit.body) + "  bagit.txt\n"

	seeds := map[string][]byte{
		"intact":       seedBag(t, append(intact, seedFile{"bag/tagmanifest-sha256.txt", tags})...),
		"no-top-dir":   seedBag(t, seedFile{"bagit.txt", bagit.body}, seedFile{"data/d 100%.txt", text}, manifests("", "data/d 100%.txt")[0]),
		"damaged":      seedBag(t, append([]seedFile{bagit, {"bag/data/d-001/document.pdf", pdf + "!"}, payload[1]}, manifests("bag/", "data/d-001/document.pdf", "data/d-001/text.txt")...)...),
		"missing":      seedBag(t, append([]seedFile{bagit, payload[1]}, manifests("bag/", "data/d-001/document.pdf", "data/d-001/text.txt")...)...),
		"unlisted":     seedBag(t, append(append([]seedFile{bagit}, payload...), manifests("bag/", "data/d-001/text.txt")...)...),
		"md5-only":     seedBag(t, bagit, payload[0], seedFile{"bag/manifest-md5.txt", "0123  data/d-001/document.pdf\n"}),
		"bad-oxum":     seedBag(t, append(intact[:1], append([]seedFile{{"bag/bag-info.txt", "Payload-Oxum: 1.1\n"}}, intact[2:]...)...)...),
		"bad-line":     seedBag(t, bagit, payload[0], seedFile{"bag/manifest-sha256.txt", "no-space-here\n\n"}),
		"no-bagit-txt": seedBag(t, payload...),
		"not-a-zip":    []byte("PK\x03\x04 not really"),
	}
	// The faults RFC 8493 names, each alone in an otherwise valid bag (see bag_rfc_test.go).
	changed := func(o testBagOptions, base string, change func(testBag)) []byte {
		b := makeTestBag(t, o)
		change(b)
		b.retag(t, o)
		return b.zip(t, base)
	}
	declare := func(text string) func(testBag) { return func(b testBag) { b["bagit.txt"] = []byte(text) } }
	seeds["bom"] = changed(testBagOptions{}, "bag", declare("\xEF\xBB\xBFBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"))
	seeds["bad-version"] = changed(testBagOptions{}, "bag", declare("BagIt-Version: .97\nTag-File-Character-Encoding: UTF-8\n"))
	seeds["no-encoding"] = changed(testBagOptions{}, "bag", declare("BagIt-Version: 1.0\n"))
	seeds["listed-twice"] = changed(testBagOptions{}, "bag", func(b testBag) { b.appendLine("manifest-sha256.txt", "00  data/d-001/text.txt") })
	seeds["unsafe-manifest"] = changed(testBagOptions{}, "bag", func(b testBag) { b.appendLine("manifest-sha256.txt", "00  ../../x") })
	seeds["unsafe-fetch"] = changed(testBagOptions{}, "", func(b testBag) { b["fetch.txt"] = []byte("https://example.org/x 3 ~/x\n") })
	seeds["utf16-md5"] = changed(testBagOptions{algs: []string{"md5"}, enc: utf16BOM(), encName: "UTF-16"}, "bag", func(testBag) {})
	seeds["dot-slash-sha512"] = changed(testBagOptions{algs: []string{"sha512"}, prefix: "./"}, "bag", func(testBag) {})
	seeds["inner-bag-damaged"] = changed(testBagOptions{extra: map[string]string{"data/bagit.txt": bagit.body}}, "", func(b testBag) {
		b["data/d-001/text.txt"] = []byte("changed")
	})
	return seeds
}

// TestWriteFuzzSeeds rewrites the seed corpus when asked (-write-fuzz-seeds), and otherwise
// checks that the seeds on disk still say what bagSeeds say, so a changed seed is noticed.
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzVerifyBag")
	for name, data := range bagSeeds(t) {
		file := filepath.Join(dir, name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if *writeSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := os.Stat(file); err != nil {
			t.Errorf("seed %s: %v (run with -write-fuzz-seeds)", name, err)
		}
	}
}

// TestBagSeedsVerdicts pins what VerifyBag says of each seed, so the corpus keeps covering
// both verdicts and the fuzz target is known to reach past the zip reader.
func TestBagSeedsVerdicts(t *testing.T) {
	tests := []struct {
		seed     string
		notABag  bool
		ok       bool
		problems int
	}{
		{"intact", false, true, 0},
		{"no-top-dir", false, true, 0},
		{"damaged", false, false, 2},
		{"missing", false, false, 2},
		{"unlisted", false, false, 2},
		{"md5-only", false, false, 1},
		{"bad-oxum", false, false, 1},
		{"bad-line", false, false, 2},
		{"no-bagit-txt", true, false, 0},
		{"not-a-zip", true, false, 0},
		{"bom", false, false, 1},
		{"bad-version", false, false, 1},
		{"no-encoding", false, false, 1},
		{"listed-twice", false, false, 1},
		{"unsafe-manifest", false, false, 1},
		{"unsafe-fetch", false, false, 1},
		{"utf16-md5", false, true, 0},
		{"dot-slash-sha512", false, true, 0},
		{"inner-bag-damaged", false, false, 3},
	}
	seeds := bagSeeds(t)
	for _, tt := range tests {
		data := seeds[tt.seed]
		rep, err := VerifyBag(bytes.NewReader(data), int64(len(data)))
		if tt.notABag {
			if !errors.Is(err, ErrNotABag) {
				t.Errorf("%s: %v, want ErrNotABag", tt.seed, err)
			}
			continue
		}
		if err != nil || rep.OK() != tt.ok || len(rep.Problems) != tt.problems {
			t.Errorf("%s: ok %v, problems %v, err %v; want ok %v with %d problems", tt.seed, rep != nil && rep.OK(), rep, err, tt.ok, tt.problems)
		}
	}
}
