package ocr

import (
	"fmt"
	"image"
	"runtime"
	"strconv"
	"sync"

	"github.com/otiai10/gosseract/v2"

	"onewindow/pipeline"
	"onewindow/pipeline/reread"
)

// DefaultLineLanguages read single lines of codes again (pipeline/reread): the English model
// reads digits and capitals better than chi_sim, and is small.
const DefaultLineLanguages = "eng"

// lineClient is one Tesseract instance per process for re-reading single lines: few pages
// need it, and an instance per engine would cost memory every worker keeps.
type lineClient struct {
	mu    sync.Mutex
	c     *gosseract.Client
	reads int
}

var (
	linesMu     sync.Mutex
	lineClients = map[string]*lineClient{}
)

func sharedLine(tessdataPrefix string) *lineClient {
	linesMu.Lock()
	defer linesMu.Unlock()
	if l, ok := lineClients[tessdataPrefix]; ok {
		return l
	}
	l := &lineClient{}
	lineClients[tessdataPrefix] = l
	return l
}

// ReadRegion recognises the region box of a page image as one line of text, read as scan
// says (its characters scaled to scan.Height pixels, made black and white at scan.Ink), with
// only the characters of whitelist ("" allows all). It implements reread.RegionReader.
func (e *Engine) ReadRegion(page pipeline.PageImage, box image.Rectangle, scan reread.Scan, whitelist string) (string, error) {
	// Scaled so capitals are scan.Height high (a line box is about 5/3 of them), 1x to 4x.
	scale := min(max(float64(scan.Height)/float64(max(1, box.Dy()*3/5)), 1), 4)
	region, ok := e.region(page, box)
	if !ok {
		return "", ErrBadImage
	}
	// Tesseract misreads glyphs that touch the image's edge.
	data, ok := cropPNG(region, 0, 0, box.Dx(), box.Dy(), scale, scan.Ink, 16)
	if !ok {
		return "", ErrBadImage
	}
	dpi := page.DPI
	if dpi <= 0 {
		dpi = pipeline.DefaultDPI
	}
	return e.readLine(data, int(dpi*scale+0.5), whitelist)
}

// regionCrop is the last region ReadRegion cut out of a page, kept for the next scan of it:
// decoding the whole page image is most of the cost of a reading.
type regionCrop struct {
	// page is the page image the region was cut from; holding it keeps its memory from being
	// reused for another page that could then pass for it.
	page []byte
	box  image.Rectangle
	png  []byte
}

// region returns box of page's image as a gray PNG at its own size, cut once per region.
func (e *Engine) region(page pipeline.PageImage, box image.Rectangle) ([]byte, bool) {
	if len(page.Data) == 0 {
		return nil, false
	}
	c := &e.lastRegion
	if len(c.page) == len(page.Data) && &c.page[0] == &page.Data[0] && c.box == box {
		return c.png, true
	}
	data, ok := cropPNG(page.Data, box.Min.X, box.Min.Y, box.Dx(), box.Dy(), 1, 0, 0)
	if !ok {
		return nil, false
	}
	*c = regionCrop{page: page.Data, box: box, png: data}
	return data, true
}

// readLine recognises an encoded image of one line of text.
func (e *Engine) readLine(img []byte, dpi int, whitelist string) (string, error) {
	if e.closed {
		return "", ErrClosed
	}
	l := sharedLine(e.opts.TessdataPrefix)
	l.mu.Lock()
	defer l.mu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if singleThreaded {
		serialOpenMP()
	}
	if l.c != nil && l.reads >= 500 {
		l.c.Close()
		l.c = nil
	}
	first := l.c == nil
	if first {
		c := gosseract.NewClient()
		if e.opts.TessdataPrefix != "" {
			if err := c.SetTessdataPrefix(e.opts.TessdataPrefix); err != nil {
				c.Close()
				return "", err
			}
		}
		if err := c.SetLanguage(DefaultLineLanguages); err != nil {
			c.Close()
			return "", err
		}
		for k, v := range defaultVariables {
			c.SetVariable(gosseract.SettableVariable(k), v)
		}
		c.SetVariable("tessedit_pageseg_mode", strconv.Itoa(int(gosseract.PSM_SINGLE_LINE)))
		l.c, l.reads = c, 0
	}
	c := l.c
	if err := c.SetImageFromBytes(img); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadImage, err)
	}
	c.SetVariable("user_defined_dpi", strconv.Itoa(dpi))
	c.SetVariable(gosseract.TESSEDIT_CHAR_WHITELIST, whitelist)
	if first {
		initMu.Lock() // gosseract's Init swaps fd 2; see client.recognize
	}
	text, err := c.Text()
	if first {
		initMu.Unlock()
	}
	l.reads++
	if err != nil {
		l.c.Close()
		l.c = nil
		return "", fmt.Errorf("ocr: read line: %w", err)
	}
	return text, nil
}
