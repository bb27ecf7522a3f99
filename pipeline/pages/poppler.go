package pages

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Poppler's command-line tools read what pdfcpu cannot: damaged files (poppler rebuilds a
// broken cross-reference table as viewers do) and every image filter a PDF may use (JPX,
// JBIG2). They run as child processes, so a crash or a hang in them costs one file, not the
// daemon.

// Paths of the poppler tools besides PdftoppmPath.
var (
	PdfinfoPath   = "pdfinfo"
	PdfimagesPath = "pdfimages"
	PdftotextPath = "pdftotext"
)

// popplerTimeout bounds one poppler run: a file made to loop poppler's repair costs this long.
var popplerTimeout = 2 * time.Minute

// runPoppler runs one poppler tool and returns what it wrote to standard output. A failure
// carries the tool's last complaint.
func runPoppler(ctx context.Context, tool string, args ...string) ([]byte, error) {
	rctx, cancel := context.WithTimeout(ctx, popplerTimeout)
	defer cancel()
	cmd := exec.CommandContext(rctx, tool, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if rctx.Err() != nil {
			return nil, fmt.Errorf("%s: gave up after %v", tool, popplerTimeout)
		}
		return nil, fmt.Errorf("%s: %w: %s", tool, err, lastLines(stderr.Bytes(), 3))
	}
	return stdout.Bytes(), nil
}

// lastLines keeps a tool's last complaints; a damaged file makes poppler write hundreds.
func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "; ")
}

// popplerPage is one page as pdfinfo sees it.
type popplerPage struct {
	w, h float64 // points, before /Rotate
}

// popplerInfo is what poppler reads from a PDF's structure.
type popplerInfo struct {
	pages []popplerPage
	// encrypted is pdfinfo's account of the security handler, "" for none:
	// "yes (print:no copy:no change:no addNotes:no algorithm:AES-256)".
	encrypted string
}

var (
	infoPages     = regexp.MustCompile(`(?m)^Pages:\s+(\d+)\s*$`)
	infoEncrypted = regexp.MustCompile(`(?m)^Encrypted:\s+(.*?)\s*$`)
	infoPageSize  = regexp.MustCompile(`(?m)^Page\s+(\d+) size:\s+([0-9.]+) x ([0-9.]+) pts`)
)

// popplerOpen reads the structure of the PDF at path with pdfinfo, and refuses it as Open
// would: no pages, too many, or an image inside over the pixel limit.
func popplerOpen(ctx context.Context, path string, lim Limits) (popplerInfo, error) {
	out, err := runPoppler(ctx, PdfinfoPath, "-f", "1", "-l", strconv.Itoa(lim.MaxPages+1), path)
	if err != nil {
		if ctx.Err() != nil {
			return popplerInfo{}, err
		}
		if strings.Contains(err.Error(), "Incorrect password") {
			return popplerInfo{}, passwordProblem(err)
		}
		return popplerInfo{}, unreadableProblem(err)
	}
	var info popplerInfo
	m := infoPages.FindSubmatch(out)
	if m == nil {
		return popplerInfo{}, unreadableProblem(errors.New("pdfinfo names no page count"))
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return popplerInfo{}, unreadableProblem(fmt.Errorf("pdfinfo: page count %q", m[1]))
	}
	if err := lim.checkPages(n); err != nil {
		return popplerInfo{}, err
	}
	if m := infoEncrypted.FindSubmatch(out); m != nil && !bytes.Equal(m[1], []byte("no")) {
		info.encrypted = string(m[1])
	}
	info.pages = make([]popplerPage, n)
	for _, m := range infoPageSize.FindAllSubmatch(out, -1) {
		i, _ := strconv.Atoi(string(m[1]))
		w, _ := strconv.ParseFloat(string(m[2]), 64)
		h, _ := strconv.ParseFloat(string(m[3]), 64)
		if i >= 1 && i <= n {
			info.pages[i-1] = popplerPage{w: w, h: h}
		}
	}
	if err := popplerCheckImages(ctx, path, 1, n, lim); err != nil {
		return popplerInfo{}, err
	}
	return info, nil
}

// popplerCheckImages refuses any image on pages first..last (1-based) whose size exceeds the
// limit, as checkXObjectImages does where pdfcpu can read the page: pdftoppm would decode it.
func popplerCheckImages(ctx context.Context, path string, first, last int, lim Limits) error {
	out, err := runPoppler(ctx, PdfimagesPath, "-list", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), path)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return unreadableProblem(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// page num type width height color comp bpc enc ...
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		page, err1 := strconv.Atoi(f[0])
		w, err2 := strconv.Atoi(f[3])
		h, err3 := strconv.Atoi(f[4])
		if err1 != nil || err2 != nil || err3 != nil {
			continue // the header lines
		}
		if err := lim.checkPixels(fmt.Sprintf("pdf page %d: image %s", page-1, f[1]), w, h); err != nil {
			return err
		}
	}
	return nil
}

// The problems of a PDF, in the clerk's words.

func unreadableProblem(cause error) error {
	return &Problem{What: "is damaged (perhaps cut off in transfer) and no PDF reader can open it",
		Fix: fixUploadAgain, Err: fmt.Errorf("%w: pdf: %w", ErrCorrupt, cause)}
}

func passwordProblem(cause error) error {
	return &Problem{What: "is a PDF that needs a password to open",
		Fix: "Ask the sender for a copy without a password, or print it and scan the paper.",
		Err: fmt.Errorf("%w: password required: %v", ErrEncrypted, cause)}
}

// brokenPageProblem is page i (0-based) that neither pdfcpu nor poppler can draw.
func brokenPageProblem(i int, cause error) error {
	return pageProblem(i, "is damaged and no PDF reader can draw it", fixUploadAgain,
		fmt.Errorf("%w: pdf page %d: %v", ErrCorrupt, i, cause))
}

// catalogObject is the start of a document catalog, "12 0 obj << ... /Type /Catalog".
var catalogObject = regexp.MustCompile(`(\d+)\s+(\d+)\s+obj\s*<<[^>]{0,400}?/Type\s*/Catalog\b`)

// nameCatalog appends to the file poppler reads a trailer naming the document's last catalog,
// and reports whether it did. A file cut off before its end lost the trailer, without which
// poppler cannot find the document; given one, it rebuilds the rest from the objects.
func (r *renderer) nameCatalog() bool {
	found := catalogObject.FindAllSubmatch(r.data, -1)
	if len(found) == 0 || bytes.Contains(r.data[max(0, len(r.data)-1024):], []byte("trailer")) {
		return false
	}
	path, err := r.file()
	if err != nil {
		return false
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return false
	}
	root := found[len(found)-1]
	_, werr := fmt.Fprintf(f, "\ntrailer\n<< /Root %s %s R >>\n%%%%EOF\n", root[1], root[2])
	return errors.Join(werr, f.Close()) == nil
}
