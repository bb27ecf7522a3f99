package archive

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Reading a bag's tag files: bagit.txt, manifests, fetch.txt and bag-info.txt, as RFC 8493
// §2 writes them. Each reader returns the problems it found, as sentences for people.

// bagVersionPattern is BagIt-Version's value: M.N in digits (RFC 8493 §2.1.1).
var bagVersionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// fetchLinePattern is a line of fetch.txt: URL, length in octets or "-" for unknown, path.
var fetchLinePattern = regexp.MustCompile(`^[ \t]*(\S+)[ \t]+([0-9]+|-)[ \t]+(.+)$`)

// bagDeclaration is what bagit.txt declares.
type bagDeclaration struct {
	version  string
	encoding encoding.Encoding // nil: UTF-8
}

// parseBagDeclaration reads bagit.txt, which RFC 8493 §2.1.1 wants as exactly two lines in
// UTF-8 without a byte-order mark: "BagIt-Version: M.N" and "Tag-File-Character-Encoding:
// ENCODING". The encoding found is used for the other tag files even when a problem is found,
// so that one fault does not hide the rest.
func parseBagDeclaration(b []byte) (bagDeclaration, []string) {
	var decl bagDeclaration
	var problems []string
	for _, bom := range [][]byte{{0xEF, 0xBB, 0xBF}, {0xFE, 0xFF}, {0xFF, 0xFE}} {
		if bytes.HasPrefix(b, bom) {
			problems = append(problems, "begins with a byte-order mark, which RFC 8493 §2.1.1 forbids there")
			b = b[len(bom):]
			break
		}
	}
	if !utf8.Valid(b) {
		return decl, append(problems, "is not UTF-8, as RFC 8493 §2.1.1 requires")
	}
	lines := bagLines(string(b))
	tags := map[string]string{}
	for i, line := range lines {
		label, value, ok := strings.Cut(line, ":")
		if !ok {
			problems = append(problems, fmt.Sprintf("line %d, %q, is not a \"Label: value\" line", i+1, line))
			continue
		}
		tags[label] = strings.TrimSpace(value)
	}
	// Fewer lines are reported below by the declaration they lack.
	if len(lines) > 2 {
		problems = append(problems, fmt.Sprintf("has %d lines; RFC 8493 §2.1.1 wants exactly two, BagIt-Version and Tag-File-Character-Encoding", len(lines)))
	} else if len(lines) == 2 && !strings.HasPrefix(lines[0], "BagIt-Version:") {
		problems = append(problems, "does not open with BagIt-Version, as RFC 8493 §2.1.1 requires")
	}
	if v, ok := tags["BagIt-Version"]; !ok {
		problems = append(problems, "declares no BagIt-Version")
	} else if !bagVersionPattern.MatchString(v) {
		problems = append(problems, fmt.Sprintf("BagIt-Version %q is not a version M.N in digits, such as 1.0", v))
	} else {
		decl.version = v
	}
	name, ok := tags["Tag-File-Character-Encoding"]
	if !ok {
		return decl, append(problems, "declares no Tag-File-Character-Encoding")
	}
	enc, err := tagEncoding(name)
	if err != nil {
		return decl, append(problems, err.Error())
	}
	decl.encoding = enc
	return decl, problems
}

// tagEncoding is the encoding of the tag files that bagit.txt names; nil stands for UTF-8.
func tagEncoding(name string) (encoding.Encoding, error) {
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil {
		// Names such as "utf8" that the IANA registry lacks but tools write.
		enc, err = htmlindex.Get(name)
	}
	switch {
	case err != nil || name == "":
		return nil, fmt.Errorf("Tag-File-Character-Encoding %q is not a character encoding onewindow knows", name)
	case enc == nil:
		return nil, fmt.Errorf("Tag-File-Character-Encoding %q is an encoding onewindow cannot read", name)
	case enc == unicode.UTF8:
		return nil, nil
	}
	return enc, nil
}

// decodeTagFile turns a tag file into text. A byte-order mark is honoured and dropped (UTF-16
// tag files carry one), so that it does not become part of the first line.
func decodeTagFile(b []byte, enc encoding.Encoding) (string, error) {
	if enc == nil {
		return string(bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})), nil
	}
	out, _, err := transform.Bytes(unicode.BOMOverride(enc.NewDecoder()), b)
	return string(out), err
}

// bagLines splits a tag file into lines ended by LF, CRLF or CR (RFC 8493 §2.1.3), without
// the empty line after the last end.
func bagLines(text string) []string {
	lines := strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text), "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	return lines
}

// decodeBagPath undoes the percent-encoding RFC 8493 §2.1.3 asks of manifest and fetch.txt
// paths (%0A, %0D and %25, in either case); other percent signs are left as they are.
func decodeBagPath(p string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%0d", "\r", "%0a", "\n", "%25", "%").Replace(p)
}

// unsafeBagPath reports whether a path named in a bag would lead outside it: absolute, with a
// drive letter, starting with ~ (a home directory to a shell), or with a .. element.
func unsafeBagPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || strings.HasPrefix(p, "~") ||
		len(p) >= 2 && p[1] == ':' && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') {
		return true
	}
	for _, elem := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if elem == ".." {
			return true
		}
	}
	return false
}

// manifestEntry is one line of a manifest.
type manifestEntry struct{ sum, path string }

// parseManifest reads a manifest's lines, "CHECKSUM FILEPATH" (RFC 8493 §2.1.3). Unsafe
// paths and paths listed twice are problems, reported by path; malformed lines by name.
func parseManifest(name, text string) ([]manifestEntry, []BagProblem) {
	var entries []manifestEntry
	var problems []BagProblem
	seen := map[string]bool{}
	for i, line := range bagLines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		// md5sum's "CHECKSUM *FILE", binary mode, is a common way of writing the same line.
		var p string
		sep := strings.IndexAny(line, " \t")
		if sep > 0 {
			p = strings.TrimPrefix(strings.TrimLeft(line[sep:], " \t"), "*")
		}
		if p == "" {
			problems = append(problems, BagProblem{name, fmt.Sprintf("line %d, %q, is not \"CHECKSUM PATH\"", i+1, line)})
			continue
		}
		sum := line[:sep]
		p = decodeBagPath(p)
		if unsafeBagPath(p) {
			problems = append(problems, BagProblem{p, "listed in " + name + " with an unsafe path: absolute, .. or ~ paths lead outside the bag"})
			continue
		}
		p = path.Clean(p) // "./data/x", which some tools write, is "data/x"
		if seen[p] {
			problems = append(problems, BagProblem{p, "listed twice in " + name})
			continue
		}
		seen[p] = true
		entries = append(entries, manifestEntry{sum, p})
	}
	return entries, problems
}

// parseFetch reads fetch.txt's lines, "URL LENGTH FILEPATH" (RFC 8493 §2.2.3), and returns
// the payload paths it names.
func parseFetch(text string) (map[string]bool, []BagProblem) {
	paths := map[string]bool{}
	var problems []BagProblem
	for i, line := range bagLines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := fetchLinePattern.FindStringSubmatch(line)
		if fields == nil {
			problems = append(problems, BagProblem{"fetch.txt", fmt.Sprintf("line %d, %q, is not \"URL LENGTH PATH\"", i+1, line)})
			continue
		}
		p := decodeBagPath(fields[3])
		switch {
		case unsafeBagPath(p):
			problems = append(problems, BagProblem{p, "named in fetch.txt with an unsafe path: absolute, .. or ~ paths lead outside the bag"})
		case !strings.HasPrefix(path.Clean(p), "data/"):
			problems = append(problems, BagProblem{p, "named in fetch.txt outside data/: only payload files may be fetched"})
		default:
			paths[path.Clean(p)] = true
		}
	}
	return paths, problems
}

// payloadOxum reads bag-info.txt's Payload-Oxum, "OCTETS.COUNT" (RFC 8493 §2.2.2); ok is
// false when bag-info.txt has none.
func payloadOxum(text string) (value string, ok bool) {
	for _, line := range bagLines(text) {
		if v, found := strings.CutPrefix(line, "Payload-Oxum:"); found {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
