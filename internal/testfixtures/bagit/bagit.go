// Package bagit checks a zipped bag against RFC 8493 on its own, not through the archive's
// reader, so that a test of the writer does not grade it with its own reading: the bag is
// zipped from the parent of its base directory (§4.2), bagit.txt opens with its two required
// lines (§2.1.1), every payload file is in every payload manifest with the right checksum and
// nothing listed is missing (§2.1.3, §3), every tag file is in every tag manifest (§2.2.1),
// and Payload-Oxum counts the payload (§2.2.2).
package bagit

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm3"
)

// Bag is a validated bag: its base directory's name and its files by path inside it.
type Bag struct {
	Name  string
	Files map[string][]byte
}

// Require fails t with every way data is not a valid zipped bag with a base directory.
func Require(t testing.TB, data []byte) Bag {
	t.Helper()
	bag, problems := Validate(data)
	for _, p := range problems {
		t.Errorf("bag: %s", p)
	}
	return bag
}

func hasher(alg string) hash.Hash {
	switch alg {
	case "sha256":
		return sha256.New()
	case "sha512":
		return sha512.New()
	case "sm3":
		return sm3.New()
	}
	return nil
}

// Validate unzips data and lists its problems.
func Validate(data []byte) (Bag, []string) {
	var bag Bag
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return bag, []string{"not a zip: " + err.Error()}
	}
	bag.Files = map[string][]byte{}
	for _, f := range zr.File {
		top, rest, ok := strings.Cut(f.Name, "/")
		switch {
		case !ok || top == "":
			bad("%q lies outside a base directory (RFC 8493 §4.2)", f.Name)
			continue
		case bag.Name == "":
			bag.Name = top
		case top != bag.Name:
			bad("a second top-level directory %q beside %q: one bag per serialization", top, bag.Name)
			continue
		}
		if f.FileInfo().IsDir() || rest == "" {
			continue
		}
		if path.Clean(rest) != rest || strings.HasPrefix(rest, "../") || strings.Contains(f.Name, `\`) {
			bad("unclean path %q", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			bad("%s: %v", f.Name, err)
			continue
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			bad("%s: %v", f.Name, err)
		}
		bag.Files[rest] = b
	}
	bt, ok := bag.Files["bagit.txt"]
	lines := strings.Split(string(bt), "\n")
	if !ok || len(lines) < 2 || !strings.HasPrefix(lines[0], "BagIt-Version: ") || lines[1] != "Tag-File-Character-Encoding: UTF-8" {
		bad("bagit.txt does not open with BagIt-Version and Tag-File-Character-Encoding: %q", bt)
	}
	var payload, tags, manifests, tagManifests []string
	for name := range bag.Files {
		switch {
		case strings.HasPrefix(name, "data/"):
			payload = append(payload, name)
		case strings.HasPrefix(name, "tagmanifest-") && strings.HasSuffix(name, ".txt"):
			tagManifests = append(tagManifests, name)
		case strings.HasPrefix(name, "tagmanifest-"):
			// A signature over a tag manifest: like the tag manifests, listed by none (RFC 8493
			// §2.2.1 lets a tag manifest leave tag files out).
		default:
			tags = append(tags, name)
			if strings.HasPrefix(name, "manifest-") {
				manifests = append(manifests, name)
			}
		}
	}
	sort.Strings(payload)
	if len(manifests) == 0 {
		bad("no payload manifest")
	}
	if len(tagManifests) == 0 {
		bad("no tag manifest")
	}
	check := func(manifest string, want []string) {
		alg := strings.TrimSuffix(manifest[strings.Index(manifest, "-")+1:], ".txt")
		h := hasher(alg)
		if h == nil {
			bad("%s: unknown algorithm %s", manifest, alg)
			return
		}
		listed := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSuffix(string(bag.Files[manifest]), "\n"), "\n") {
			sum, p, ok := strings.Cut(line, " ")
			p = strings.TrimLeft(p, " ")
			if !ok || p == "" || len(sum) != 2*h.Size() {
				bad("%s: malformed line %q", manifest, line)
				continue
			}
			p = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(p)
			listed[p] = true
			b, ok := bag.Files[p]
			if !ok {
				bad("%s lists %s, which the bag lacks", manifest, p)
				continue
			}
			h.Reset()
			h.Write(b)
			if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(sum) {
				bad("%s: %s has %s %s, manifest says %s", manifest, p, alg, got, sum)
			}
		}
		for _, p := range want {
			if !listed[p] {
				bad("%s does not list %s", manifest, p)
			}
		}
	}
	for _, m := range manifests {
		check(m, payload)
	}
	for _, m := range tagManifests {
		check(m, tags)
	}
	var octets int64
	for _, p := range payload {
		octets += int64(len(bag.Files[p]))
	}
	oxum := ""
	for _, line := range strings.Split(string(bag.Files["bag-info.txt"]), "\n") {
		if v, ok := strings.CutPrefix(line, "Payload-Oxum: "); ok {
			oxum = v
		}
	}
	if want := fmt.Sprintf("%d.%d", octets, len(payload)); oxum != want {
		bad("Payload-Oxum %q, the payload is %s", oxum, want)
	}
	return bag, problems
}
