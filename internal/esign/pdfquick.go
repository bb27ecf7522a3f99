package esign

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// quickStructure reads the structure of a PDF with one classic cross-reference table and no
// earlier revisions, whose catalog has no form and whose first page no annotations: what the
// hall's own writers (pdfout, fpdf) produce. Anything else returns false and goes to pdfcpu.
func quickStructure(in io.ReaderAt, size int64) (*pdfStructure, bool) {
	prev, err := lastStartXref(in, size)
	if err != nil || prev <= 0 || prev >= size {
		return nil, false
	}
	section := make([]byte, min(size-prev, 1<<20))
	if _, err := in.ReadAt(section, prev); err != nil && err != io.EOF {
		return nil, false
	}
	offsets, trailer, ok := parseXrefTable(section)
	if !ok || bytes.Contains(trailer, []byte("/Prev")) || bytes.Contains(trailer, []byte("/Encrypt")) {
		return nil, false
	}
	st := &pdfStructure{prev: prev}
	rootNr, ok := refOf(trailer, "Root")
	if !ok {
		return nil, false
	}
	m := regexp.MustCompile(`/Size\s+(\d+)`).FindSubmatch(trailer)
	if m == nil {
		return nil, false
	}
	st.size, _ = strconv.Atoi(string(m[1]))
	st.rootRef = fmt.Sprintf("%d 0 R", rootNr)
	if nr, ok := refOf(trailer, "Info"); ok {
		st.infoRef = fmt.Sprintf("%d 0 R", nr)
	}
	if m := regexp.MustCompile(`/ID\s*(\[[^\]]*\])`).FindSubmatch(trailer); m != nil {
		st.id = string(m[1])
	}
	catalog, ok := readDict(in, size, offsets, rootNr)
	if !ok || bytes.Contains(catalog, []byte("/AcroForm")) || bytes.Contains(catalog, []byte("/DSS")) {
		return nil, false
	}
	nr, ok := refOf(catalog, "Pages")
	for depth := 0; ok && depth < 32; depth++ {
		node, found := readDict(in, size, offsets, nr)
		if !found {
			return nil, false
		}
		if regexp.MustCompile(`/Type\s*/Page\b`).Match(node) && !regexp.MustCompile(`/Type\s*/Pages\b`).Match(node) {
			if bytes.Contains(node, []byte("/Annots")) {
				return nil, false
			}
			st.pageRef = fmt.Sprintf("%d 0 R", nr)
			pageNr, page := nr, node
			st.rewrite = func(fieldNr, dssNr int, obj func(nr, gen int, body string)) {
				obj(pageNr, 0, insertEntries(page, fmt.Sprintf("/Annots [%d 0 R]", fieldNr)))
				extra := fmt.Sprintf("/AcroForm << /Fields [%d 0 R] /SigFlags 3 >>", fieldNr)
				if dssNr != 0 {
					extra += fmt.Sprintf(" /DSS %d 0 R", dssNr)
				}
				obj(rootNr, 0, insertEntries(catalog, extra))
			}
			return st, true
		}
		km := regexp.MustCompile(`/Kids\s*\[\s*(\d+)\s+0\s+R`).FindSubmatch(node)
		if km == nil {
			return nil, false
		}
		nr, _ = strconv.Atoi(string(km[1]))
	}
	return nil, false
}

// parseXrefTable reads a classic cross-reference section and its trailer dictionary; only
// objects of generation 0 are kept, as the hall's writers make them.
func parseXrefTable(b []byte) (map[int]int64, []byte, bool) {
	if !bytes.HasPrefix(b, []byte("xref")) {
		return nil, nil, false
	}
	rest := b[4:]
	offsets := map[int]int64{}
	for {
		rest = bytes.TrimLeft(rest, " \r\n")
		if bytes.HasPrefix(rest, []byte("trailer")) {
			end := bytes.Index(rest, []byte("startxref"))
			if end < 0 {
				return nil, nil, false
			}
			return offsets, rest[len("trailer"):end], true
		}
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return nil, nil, false
		}
		var first, count int
		if _, err := fmt.Sscanf(string(bytes.TrimSpace(line)), "%d %d", &first, &count); err != nil || count < 0 || count > 1<<20 {
			return nil, nil, false
		}
		rest = after
		for i := range count {
			if len(rest) < 20 {
				return nil, nil, false
			}
			e := rest[:20]
			rest = rest[20:]
			if e[17] != 'n' {
				continue
			}
			off, err1 := strconv.ParseInt(string(e[:10]), 10, 64)
			gen, err2 := strconv.Atoi(string(e[11:16]))
			if err1 != nil || err2 != nil {
				return nil, nil, false
			}
			if gen == 0 {
				offsets[first+i] = off
			}
		}
	}
}

// refOf finds "/Key N 0 R" in a dictionary's text.
func refOf(dict []byte, key string) (int, bool) {
	m := regexp.MustCompile(`/` + key + `\s+(\d+)\s+0\s+R`).FindSubmatch(dict)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(m[1]))
	return n, err == nil
}

// readDict returns the text of object nr's dictionary, "<<" to its matching ">>".
func readDict(in io.ReaderAt, size int64, offsets map[int]int64, nr int) ([]byte, bool) {
	off, ok := offsets[nr]
	if !ok || off < 0 || off >= size {
		return nil, false
	}
	buf := make([]byte, min(size-off, 64<<10))
	if _, err := in.ReadAt(buf, off); err != nil && err != io.EOF {
		return nil, false
	}
	head := fmt.Sprintf("%d 0 obj", nr)
	if !bytes.HasPrefix(buf, []byte(head)) {
		return nil, false
	}
	start := bytes.Index(buf, []byte("<<"))
	if start < 0 || len(bytes.TrimSpace(buf[len(head):start])) != 0 {
		return nil, false
	}
	depth := 0
	for i := start; i < len(buf)-1; i++ {
		switch {
		case buf[i] == '(': // a literal string: balanced parentheses, backslash escapes
			nest := 0
			for ; i < len(buf); i++ {
				switch buf[i] {
				case '\\':
					i++
				case '(':
					nest++
				case ')':
					nest--
				}
				if nest == 0 {
					break
				}
			}
		case buf[i] == '%': // a comment, to the end of the line
			for i < len(buf) && buf[i] != '\n' && buf[i] != '\r' {
				i++
			}
		case buf[i] == '<' && buf[i+1] == '<':
			depth++
			i++
		case buf[i] == '>' && buf[i+1] == '>':
			depth--
			i++
			if depth == 0 {
				return buf[start : i+1], true
			}
		}
	}
	return nil, false
}

// insertEntries adds entries before a dictionary's closing ">>".
func insertEntries(dict []byte, entries string) string {
	return string(dict[:len(dict)-2]) + " " + entries + " >>"
}
