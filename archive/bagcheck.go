package archive

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/text/encoding"
	"golang.org/x/text/unicode/norm"

	"onewindow/internal/errs"
	"onewindow/internal/esign"
)

// BagProblem is one way a bag is not intact.
type BagProblem struct {
	Path    string `json:"path"`
	Problem string `json:"problem"`
}

// BagReport is what VerifyBag found.
type BagReport struct {
	Version   string   `json:"bagit_version,omitempty"`
	Files     int      `json:"files"` // payload files
	Bytes     int64    `json:"bytes"`
	Manifests []string `json:"manifests"`
	// Unchecked are the manifests in an algorithm onewindow does not know; RFC 8493 lets a
	// bag carry them, and they are noted, not held against it.
	Unchecked []string     `json:"unchecked,omitempty"`
	Problems  []BagProblem `json:"problems"`
	// Signature is who signed the tag manifest (BagSignatureName), when the bag carries a
	// signature that matches it; one that does not match is a problem. Trust in the signer
	// is the reader's to decide, with the signer's CA (docs/DELIVERY.md).
	Signature *BagSignature `json:"signature,omitempty"`
	// payload are the digests of the payload files, by their path in the bag, so that an
	// import compares them with the records without reading each file again.
	payload map[string]Digests
}

// OK reports whether the bag is complete and every digest matches.
func (r *BagReport) OK() bool { return len(r.Problems) == 0 }

// Summary is one sentence for people: the bag is intact, or how many problems it has.
func (r *BagReport) Summary() string {
	switch n := len(r.Problems); n {
	case 0:
		return "intact"
	case 1:
		return "not intact: 1 problem, " + r.Problems[0].Path + ": " + r.Problems[0].Problem
	default:
		return fmt.Sprintf("not intact: %d problems, the first %s: %s", n, r.Problems[0].Path, r.Problems[0].Problem)
	}
}

// bagAlgorithms are the manifest algorithms onewindow checks: those RFC 8493 §2.4 names and
// bagit-python writes, and SM3 (GB/T 32905), which the hall's own bags carry.
var bagAlgorithms = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New, "sm3": sm3.New,
}

// bagAlgorithmNames lists bagAlgorithms for a sentence.
func bagAlgorithmNames() string {
	names := make([]string, 0, len(bagAlgorithms))
	for alg := range bagAlgorithms {
		names = append(names, alg)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// manifestName matches a payload or tag manifest's name and captures its kind and algorithm.
var manifestName = regexp.MustCompile(`^(manifest|tagmanifest)-([A-Za-z0-9]+)\.txt$`)

// oxumPattern is Payload-Oxum's value, OCTETS.COUNT.
var oxumPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// bagSums are one file's checksums: SHA-256 and SM3 always, the others a manifest asks for.
type bagSums struct {
	Digests
	other map[string]string
	err   error
}

func (s bagSums) of(alg string) string {
	switch alg {
	case "sha256":
		return s.SHA256
	case "sm3":
		return s.SM3
	}
	return s.other[alg]
}

// digestBagFiles hashes the named files, parallel at a time. SHA-256 and SM3 come from the
// digest hub, which fills its SM3 lanes with many files at once; the algorithms in extra are
// computed from the same read.
func digestBagFiles(files map[string]bagFile, names []string, parallel int, extra []string) map[string]bagSums {
	hub := NewDigestHub()
	defer hub.Close()
	out := make(map[string]bagSums, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan string)
	for range max(parallel, 1) {
		wg.Go(func() {
			for name := range work {
				s := digestBagFile(hub, files[name], extra)
				mu.Lock()
				out[name] = s
				mu.Unlock()
			}
		})
	}
	for _, name := range names {
		work <- name
	}
	close(work)
	wg.Wait()
	return out
}

func digestBagFile(hub *DigestHub, f bagFile, extra []string) bagSums {
	rc, err := f.open()
	if err != nil {
		return bagSums{err: err}
	}
	defer rc.Close()
	var r io.Reader = rc
	hashes := map[string]hash.Hash{}
	if len(extra) > 0 {
		ws := make([]io.Writer, 0, len(extra))
		for _, alg := range extra {
			hashes[alg] = bagAlgorithms[alg]()
			ws = append(ws, hashes[alg])
		}
		r = io.TeeReader(rc, io.MultiWriter(ws...))
	}
	s := bagSums{other: map[string]string{}}
	if f.size < hubChunkSize {
		// Less than one of the hub's chunks: its buffers would cost more than its lanes save.
		s.Digests, s.err = DigestOf(r)
	} else {
		s.Digests, s.err = hub.Digest(r)
	}
	for alg, h := range hashes {
		s.other[alg] = hex.EncodeToString(h.Sum(nil))
	}
	return s
}

// manifest is a parsed payload or tag manifest in an algorithm onewindow checks.
type manifest struct {
	name, alg string
	entries   []manifestEntry
}

// bagCheck is one verification under way.
type bagCheck struct {
	src *bagSource
	rep *BagReport
	enc encoding.Encoding
	nfc map[string]string // the bag's file names by their NFC form, made when first asked
}

func (c *bagCheck) problem(p, what string) {
	c.rep.Problems = append(c.rep.Problems, BagProblem{p, what})
}

// readTag reads a tag file in the encoding bagit.txt declares.
func (c *bagCheck) readTag(name string) (string, error) {
	b, err := readBagFile(c.src.files[name], 64<<20)
	if err != nil {
		return "", err
	}
	return decodeTagFile(b, c.enc)
}

// VerifyBag checks a zipped bag, with or without its base directory, against RFC 8493: see
// verifyBag. An error (ErrNotABag) means it could not be checked at all; a report with
// problems, that it is not intact.
func VerifyBag(r io.ReaderAt, size int64) (*BagReport, error) {
	src, err := openZipBag(r, size)
	if err != nil {
		return nil, err
	}
	return verifyBag(src), nil
}

// VerifyBagDir checks a bag that is a directory, as VerifyBag checks a zipped one.
func VerifyBagDir(dir string) (*BagReport, error) {
	src, err := openDirBag(dir)
	if err != nil {
		return nil, err
	}
	defer src.close()
	return verifyBag(src), nil
}

// verifyBag checks bagit.txt; every manifest in an algorithm onewindow knows, at least one of
// them a payload manifest; that every payload file is listed in every such payload manifest
// and matches it, and nothing listed is missing; the tag manifests' files likewise; fetch.txt's
// paths; and Payload-Oxum. Every payload file is hashed once, many at a time.
func verifyBag(src *bagSource) *BagReport {
	c := &bagCheck{src: src, rep: &BagReport{Manifests: []string{}, Problems: []BagProblem{}, payload: map[string]Digests{}}}
	for _, p := range src.problems {
		c.problem(p.Path, p.Problem)
	}
	if b, err := readBagFile(src.files["bagit.txt"], 1<<20); err == nil {
		decl, problems := parseBagDeclaration(b)
		for _, p := range problems {
			c.problem("bagit.txt", p)
		}
		c.rep.Version, c.enc = decl.version, decl.encoding
	} else if src.files["bagit.txt"].open != nil {
		c.problem("bagit.txt", "unreadable: "+err.Error())
	}

	names := slices.Sorted(maps.Keys(src.files))
	var payloadNames []string
	var payloadManifests, tagManifests []manifest
	for _, name := range names {
		if strings.HasPrefix(name, "data/") {
			payloadNames = append(payloadNames, name)
			continue
		}
		m := manifestName.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		c.rep.Manifests = append(c.rep.Manifests, name)
		alg := strings.ToLower(m[2])
		if bagAlgorithms[alg] == nil {
			c.rep.Unchecked = append(c.rep.Unchecked, name)
			continue
		}
		text, err := c.readTag(name)
		if err != nil {
			c.problem(name, "unreadable: "+err.Error())
			continue
		}
		entries, problems := parseManifest(name, text)
		c.rep.Problems = append(c.rep.Problems, problems...)
		if m[1] == "manifest" {
			payloadManifests = append(payloadManifests, manifest{name, alg, entries})
		} else {
			tagManifests = append(tagManifests, manifest{name, alg, entries})
		}
	}
	if len(payloadManifests) == 0 {
		c.problem("manifest-*.txt", "no payload manifest in an algorithm onewindow checks ("+bagAlgorithmNames()+")")
	}
	fetched := map[string]bool{}
	if src.files["fetch.txt"].open != nil {
		text, err := c.readTag("fetch.txt")
		if err != nil {
			c.problem("fetch.txt", "unreadable: "+err.Error())
		}
		var problems []BagProblem
		fetched, problems = parseFetch(text)
		c.rep.Problems = append(c.rep.Problems, problems...)
	}

	var extra []string
	for _, m := range payloadManifests {
		if m.alg != "sha256" && m.alg != "sm3" && !slices.Contains(extra, m.alg) {
			extra = append(extra, m.alg)
		}
	}
	sums := digestBagFiles(src.files, payloadNames, DefaultFixityReaders, extra)
	for _, m := range payloadManifests {
		c.checkManifest(m, payloadNames, sums, fetched)
	}
	for _, m := range tagManifests {
		c.checkManifest(m, nil, nil, nil)
	}
	for _, n := range payloadNames {
		c.rep.Files++
		c.rep.Bytes += src.files[n].size
		if s := sums[n]; s.err == nil {
			c.rep.payload[n] = s.Digests
		}
	}
	c.checkOxum()
	c.checkSignature()
	return c.rep
}

// BagSignature is a bag's verified signature.
type BagSignature struct {
	Signer    string    `json:"signer"`
	Timestamp time.Time `json:"timestamp,omitzero"`
}

// checkSignature verifies BagSignatureName over tagmanifest-sha256.txt, when the bag has one.
func (c *bagCheck) checkSignature() {
	f := c.src.files[BagSignatureName]
	if f.open == nil {
		return
	}
	sig, err := readBagFile(f, 1<<20)
	if err != nil {
		c.problem(BagSignatureName, "unreadable: "+err.Error())
		return
	}
	manifest, err := readBagFile(c.src.files["tagmanifest-sha256.txt"], 1<<26)
	if err != nil {
		c.problem(BagSignatureName, "signs tagmanifest-sha256.txt, which cannot be read")
		return
	}
	got, err := esign.VerifyDetached(bytes.NewReader(manifest), sig, nil)
	if err != nil {
		c.problem(BagSignatureName, "the signature does not match tagmanifest-sha256.txt: "+errs.MessageOf(err))
		return
	}
	c.rep.Signature = &BagSignature{Signer: got.Signer}
	if got.Stamp != nil {
		c.rep.Signature.Timestamp = got.Stamp.Time.UTC()
	}
}

// checkManifest compares the files a manifest lists with their checksums and, for a payload
// manifest (sums, the payload's checksums, not nil), makes sure it lists every payload file.
// Tag files, few and small, are hashed here.
func (c *bagCheck) checkManifest(m manifest, payload []string, sums map[string]bagSums, fetched map[string]bool) {
	listed := make(map[string]bool, len(m.entries))
	for _, e := range m.entries {
		name := c.fileNamed(e.path)
		listed[name] = true
		f := c.src.files[name]
		switch {
		case sums != nil && !strings.HasPrefix(e.path, "data/"):
			c.problem(e.path, "listed in "+m.name+", a payload manifest, but outside data/")
			continue
		case f.open == nil && fetched[e.path]:
			c.problem(e.path, "listed in "+m.name+" and named in fetch.txt, but not fetched: fetch it into the bag first")
			continue
		case f.open == nil:
			c.problem(e.path, "listed in "+m.name+" but missing from the bag")
			continue
		}
		var got string
		var err error
		if s, ok := sums[name]; ok {
			got, err = s.of(m.alg), s.err
		} else {
			got, err = hashBagFile(f, m.alg)
		}
		if err != nil {
			c.problem(e.path, "unreadable: "+err.Error())
		} else if !strings.EqualFold(got, e.sum) {
			c.problem(e.path, fmt.Sprintf("%s checksum differs from the one %s lists", m.alg, m.name))
		}
	}
	for _, p := range payload {
		if !listed[p] {
			c.problem(p, "in data/ but not listed in "+m.name)
		}
	}
}

// fileNamed is the bag's file that a manifest path names: the same bytes, or else the same
// characters in another Unicode normalization, as a bag made on one system and copied to
// another has them (macOS writes names decomposed, most tools listed them composed).
func (c *bagCheck) fileNamed(p string) string {
	if c.src.files[p].open != nil {
		return p
	}
	if c.nfc == nil {
		c.nfc = make(map[string]string, len(c.src.files))
		for name := range c.src.files {
			c.nfc[norm.NFC.String(name)] = name
		}
	}
	if name, ok := c.nfc[norm.NFC.String(p)]; ok {
		return name
	}
	return p
}

// hashBagFile computes one checksum of a file, a tag file: few and small, so io.Copy's buffer
// is enough.
func hashBagFile(f bagFile, alg string) (string, error) {
	rc, err := f.open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := bagAlgorithms[alg]()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkOxum compares bag-info.txt's Payload-Oxum, when there is one, with the payload.
func (c *bagCheck) checkOxum() {
	if c.src.files["bag-info.txt"].open == nil {
		return
	}
	text, err := c.readTag("bag-info.txt")
	if err != nil {
		c.problem("bag-info.txt", "unreadable: "+err.Error())
		return
	}
	v, ok := payloadOxum(text)
	switch {
	case !ok:
	case !oxumPattern.MatchString(v):
		c.problem("bag-info.txt", fmt.Sprintf("Payload-Oxum %q is not OCTETS.COUNT", v))
	case v != strconv.FormatInt(c.rep.Bytes, 10)+"."+strconv.Itoa(c.rep.Files):
		c.problem("bag-info.txt", fmt.Sprintf("Payload-Oxum %s, bag holds %d.%d", v, c.rep.Bytes, c.rep.Files))
	}
}
